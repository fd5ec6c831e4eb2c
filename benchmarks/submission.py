"""Complaint submission against a plain Wagtail form submission, side by side in one process.

Target (issue 10): a complaint submission costs at most 1.3x a plain `AbstractEmailForm`
submission with the same fields on the same database, and its query count does not grow with
the number of categories, services or stored complaints.

    .venv/bin/python benchmarks/submission.py [--runs 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/submission.py
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_wagtail_complaints")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402


def build_pages():
    from wagtail.models import Site

    from example_site.home.models import ContactFormField, ContactFormPage
    from wagtail_complaints.models import Category, ComplaintFormPage, Service

    root = Site.objects.get(is_default_site=True).root_page
    Service.objects.create(name="Pronto soccorso")
    complaint_page = root.add_child(instance=ComplaintFormPage(title="Reclami", slug="reclami"))
    plain_page = root.add_child(
        instance=ContactFormPage(
            title="Scrivici", slug="scrivici", to_address="urp@hospital.example", from_address="site@hospital.example"
        )
    )
    # The same questions as the complaint form, built with Wagtail's form builder.
    categories = "\n".join(c.name for c in Category.objects.all())
    services = "\n".join(s.name for s in Service.objects.all())
    for label, field_type, choices in [
        ("Category", "dropdown", categories),
        ("Service", "dropdown", services),
        ("Description", "multiline", ""),
        ("Event date", "date", ""),
        ("First name", "singleline", ""),
        ("Last name", "singleline", ""),
        ("Email", "email", ""),
        ("Phone", "singleline", ""),
        ("Contact preference", "radio", "email\nphone"),
        ("On behalf", "checkbox", ""),
        ("Patient name", "singleline", ""),
        ("Relationship", "singleline", ""),
        ("Privacy accepted", "checkbox", ""),
    ]:
        ContactFormField.objects.create(
            page=plain_page, label=label, field_type=field_type, choices=choices, required=False
        )
    return complaint_page, plain_page


def payloads():
    from wagtail_complaints.models import Category, Service

    common = {
        "description": "Ho atteso sei ore al pronto soccorso senza che nessuno mi desse notizie. " * 5,
        "event_date": "2026-11-20",
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria@example.com",
        "phone": "",
        "contact_preference": "email",
        "privacy_accepted": "on",
    }
    category, service = Category.objects.get(name="Tempi"), Service.objects.get(name="Pronto soccorso")
    plain = {**common, "category": category.name, "service": service.name}
    complaint = {**common, "category": category.pk, "service": service.pk}
    return complaint, plain


def post(client, url, data):
    reset_queries()  # the query log is a bounded deque: once full, counting by length fails
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries)


def measure(client, complaint_page, plain_page, runs):
    complaint_data, plain_data = payloads()
    times = {"plain": [], "complaint": []}
    queries = {}
    for _ in range(runs):
        # Interleaved, so both see the same machine load.
        elapsed, queries["plain"] = post(client, plain_page.url, plain_data)
        times["plain"].append(elapsed)
        data = {**complaint_data, "submission_key": secrets.token_urlsafe(24)}
        elapsed, queries["complaint"] = post(client, complaint_page.url, data)
        times["complaint"].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}, queries


def grow_data(categories, complaints):
    from django.utils import timezone

    from wagtail_complaints.models import Category, Complaint, Service

    for n in range(categories):
        macro = Category.objects.create(name=f"Macro {n}")
        Category.objects.create(name=f"Sub {n}", parent=macro)
        Service.objects.create(name=f"Servizio {n}")
    category, today = Category.objects.get(name="Tempi"), timezone.localdate()
    batch = []
    for n in range(complaints):
        complaint = Complaint(
            reference=f"OLD-{n}", category=category, first_name="A", last_name="B", description="x", answer_by=today
        )
        complaint.issue_access_token()
        batch.append(complaint)
    Complaint.objects.bulk_create(batch, batch_size=1000)


QUEUED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
INLINE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--grow-categories", type=int, default=200)
    parser.add_argument("--grow-complaints", type=int, default=20000)
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with override_settings(WAGTAIL_COMPLAINTS_SUBMIT_RATE="1000000/m", ALLOWED_HOSTS=["*"]):
            complaint_page, plain_page = build_pages()
            client = Client()
            results = {}
            for mode, tasks in [("queued", QUEUED), ("database", DATABASE_QUEUE), ("inline", INLINE)]:
                with override_settings(TASKS=tasks):
                    measure(client, complaint_page, plain_page, 10)  # warm up
                    results[mode] = measure(client, complaint_page, plain_page, args.runs)
            grow_data(args.grow_categories, args.grow_complaints)
            with override_settings(TASKS=DATABASE_QUEUE):
                _, queries_grown = measure(client, complaint_page, plain_page, 5)
    finally:
        teardown_databases(old_config, verbosity=0)

    print(f"database: {connection.vendor}, runs: {args.runs} of each, interleaved")
    for mode, label in [
        ("queued", "complaint e-mails queued for a worker (queue outside the database)"),
        ("database", "complaint e-mails queued in the database's task table (django-tasks-db, production set-up)"),
        ("inline", "complaint e-mails rendered and sent inside the request (ImmediateBackend)"),
    ]:
        medians, queries = results[mode]
        ratio = medians["complaint"] / medians["plain"]
        results[mode] = (medians, queries, ratio)
        print(f"- {label}:")
        print(f"  plain Wagtail form (sends its e-mail in the request): {medians['plain'] * 1000:6.2f} ms, {queries['plain']} queries")
        print(f"  complaint submission:                                  {medians['complaint'] * 1000:6.2f} ms, {queries['complaint']} queries")
        print(f"  ratio complaint / plain: {ratio:.2f}x")
    _, queries, ratio = results["database"]
    print(
        f"complaint queries after adding {args.grow_categories * 2} categories, {args.grow_categories} services "
        f"and {args.grow_complaints} complaints: {queries_grown['complaint']} (before: {queries['complaint']})"
    )
    ok = ratio <= 1.3 and queries_grown["complaint"] == queries["complaint"]
    print(f"target (database-queue ratio <= 1.30x, constant queries): {'met' if ok else 'MISSED'}")
    # For benchmarks/bench.py: every mode's medians (ms) and query counts on one line.
    print(json.dumps({mode: {name: {"ms": round(medians[name] * 1000, 2), "queries": queries[name]} for name in medians}
                      for mode, (medians, queries, _ratio) in results.items()}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
