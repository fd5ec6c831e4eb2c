import pytest
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import clear_url_caches

from wagtail_complaints.models import Category, ComplaintFormPage, Service

from .factories import make_complaint, make_form_page, make_operator  # noqa: F401


@receiver(setting_changed)
def forget_urls_reversed_under_another_default_language(setting, **kwargs):
    # The URL resolver caches its reverse table per language with the language prefixes of the
    # moment: after `override_settings(LANGUAGE_CODE=...)` every later test would reverse without
    # the prefix of that (no longer default) language. Django clears it for ROOT_URLCONF only.
    if setting == "LANGUAGE_CODE":
        clear_url_caches()


@pytest.fixture(autouse=True)
def _steady_rate_limit_windows(monkeypatch):
    # django-ratelimit counts in fixed windows of the clock: a slow test that crossed the end of a
    # minute would start counting again. Within one test the limits' clock stands still.
    import time
    from types import SimpleNamespace

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits count in the cache: every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committing_client(client, django_capture_on_commit_callbacks):
    """A client whose POSTs run their on-commit work (e-mails) as a real commit would."""
    post = client.post

    def post_and_commit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = post_and_commit
    return client


@pytest.fixture
def form_page(db):
    return make_form_page()


@pytest.fixture
def category(db):
    return Category.objects.get(name="Tempi")


@pytest.fixture
def service(db):
    return Service.objects.create(name="Pronto soccorso")


@pytest.fixture
def handler(db):
    return make_operator("handler").user


@pytest.fixture
def administrator(db):
    return make_operator("administrator").user


@pytest.fixture
def viewer(db):
    return make_operator("viewer").user


@pytest.fixture
def complaint(db, category, service):
    return make_complaint(category=category, service=service)


__all__ = ["ComplaintFormPage"]


def pytest_terminal_summary(terminalreporter):
    # Where the browser tests left their screenshots (CI keeps the folder as an artefact).
    from pathlib import Path

    SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def imap_server():
    """A real IMAP server (Debian's dovecot-imapd) on 127.0.0.1, TLS only; `.ci/run` installs it."""
    import os
    import shutil
    import tempfile

    from . import imap_server as server

    if server.dovecot_binary() is None:
        if os.environ.get("WAGTAIL_COMPLAINTS_REQUIRE_DOVECOT"):
            pytest.fail("dovecot is not installed: apt-get install dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): IMAP tests need a real server")
    # Directly under /tmp: Dovecot's own user must reach the mailbox, and pytest's folders are private.
    root = tempfile.mkdtemp(prefix="wc-dovecot-")
    process, details = server.start(root)
    yield details
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)
