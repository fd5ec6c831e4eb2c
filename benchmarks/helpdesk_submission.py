"""django-helpdesk's public ticket submission, timed like ours: run by `benchmarks/bench.py` with
the Python of a venv of its own (`.cache/helpdesk-venv`, django-helpdesk from the package
registry), in-process test client, on the same database engine, in a throwaway database. It
sends its e-mail in the request (that is how helpdesk works), to Django's in-memory mail backend.

Prints one JSON line: {"ms": median, "queries": per submission, "emails": per submission}.
"""

import argparse
import json
import os
import statistics
import sys
import time
from urllib.parse import urlparse

import django
from django.conf import settings


def database(url):
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    parts = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/") or "postgres",
        "USER": parts.username or "", "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "", "PORT": parts.port or "",
        "TEST": {"NAME": f"bench_helpdesk_{os.getpid()}"},
    }


def configure(database_url):
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench",  # nosec - a throwaway benchmark process
        ALLOWED_HOSTS=["*"],
        DATABASES={"default": database(database_url)},
        INSTALLED_APPS=[
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
            "django.contrib.sites", "django.contrib.humanize", "rest_framework", "helpdesk",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        ROOT_URLCONF=__name__,
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]},
        }],
        SITE_ID=1, STATIC_URL="/static/", USE_TZ=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        HELPDESK_TEAMS_MODE_ENABLED=False,
        HELPDESK_PUBLIC_ENABLED=True,
        HELPDESK_SUBMIT_A_TICKET_PUBLIC=True,
        HELPDESK_ANON_ACCESS_RAISES_404=False,
    )
    django.setup()


urlpatterns = []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    configure(os.environ.get("DATABASE_URL"))

    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import (CaptureQueriesContext, setup_databases, setup_test_environment,
                                   teardown_databases)
    from django.urls import include, path, reverse

    urlpatterns.append(path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")))
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        from helpdesk.models import Queue, Ticket

        queue = Queue.objects.create(title="Reclami", slug="reclami", allow_public_submission=True,
                                     email_address="urp@example.com", new_ticket_cc="urp-staff@example.com")
        client = Client()
        url = reverse("helpdesk:submit")
        data = {
            "queue": queue.pk, "title": "Attesa al pronto soccorso", "priority": 3,
            "body": "Ho atteso sei ore al pronto soccorso senza che nessuno mi desse notizie.",
            "submitter_email": "maria@example.com",
        }

        def post():
            mail.outbox = []
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.post(url, data)
                elapsed = time.perf_counter() - start
            assert response.status_code == 302, (response.status_code, response.content[:2000])
            return elapsed, len(queries), len(mail.outbox)

        for _ in range(10):
            post()
        results = [post() for _ in range(args.runs)]
        assert Ticket.objects.count() == args.runs + 10
    finally:
        teardown_databases(old_config, verbosity=0)
    print(json.dumps({
        "ms": round(statistics.median(r[0] for r in results) * 1000, 2),
        "queries": results[-1][1], "emails": results[-1][2], "vendor": connection.vendor,
    }))


if __name__ == "__main__":
    sys.exit(main())
