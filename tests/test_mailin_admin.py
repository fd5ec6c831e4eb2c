"""The back office's view of the e-mail intake: handlers read the log and originals, nobody else."""

import pytest
from django.urls import reverse

from wagtail_complaints.mailin.models import IncomingEmail, Result

from .mail_helpers import eml, pipe


@pytest.fixture
def failed(db, monkeypatch):
    from wagtail_complaints import actions

    monkeypatch.setattr(actions, "receive_by_email", lambda *a, **k: 1 / 0)
    pipe(eml("html_only.eml"))
    monkeypatch.undo()
    return IncomingEmail.objects.get()


def test_handlers_see_failed_messages_and_retry_them(client, handler, failed):
    client.force_login(handler)

    listing = client.get(reverse("wagtail_complaints_mailin:index") + "?result=failed")
    assert listing.status_code == 200
    assert "Parcheggio e accessibilità" in listing.content.decode()

    page = client.get(reverse("wagtail_complaints_mailin:inspect", args=[failed.pk])).content.decode()
    assert "ZeroDivisionError" in page
    assert "padiglione B è sempre occupato" in page  # the text, as text
    assert "<script>" not in page.split("padiglione B")[0][-2000:]

    response = client.post(reverse("wagtail_complaints_mailin:retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.result == Result.NEW_COMPLAINT and failed.complaint is not None
    page = client.get(reverse("wagtail_complaints_mailin:inspect", args=[failed.pk])).content.decode()
    assert reverse("wagtail_complaints:inspect", args=[failed.complaint.pk]) in page


def test_handlers_download_the_original_exactly_as_received(client, handler, failed):
    client.force_login(handler)

    response = client.get(reverse("wagtail_complaints_mailin:original", args=[failed.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == eml("html_only.eml")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["index", "inspect", "original"])
def test_viewers_and_strangers_cannot_read_received_emails(client, viewer, failed, name):
    args = [] if name == "index" else [failed.pk]
    url = reverse(f"wagtail_complaints_mailin:{name}", args=args)

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert b"Parcheggio" not in response.content


def test_viewers_cannot_retry(client, viewer, failed):
    client.force_login(viewer)

    client.post(reverse("wagtail_complaints_mailin:retry", args=[failed.pk]))

    failed.refresh_from_db()
    assert failed.result == Result.FAILED and failed.attempts == 1


def test_retry_is_a_post(client, handler, failed):
    client.force_login(handler)
    assert client.get(reverse("wagtail_complaints_mailin:retry", args=[failed.pk])).status_code == 405


def test_the_menu_shows_incoming_emails_to_handlers_only(client, handler, viewer):
    url = reverse("wagtail_complaints_mailin:index")
    client.force_login(handler)
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(viewer)
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_mailbox_password_is_never_shown_and_kept_when_left_empty(client, administrator, db):
    from wagtail.models import Site

    from wagtail_complaints.mailin.models import MailboxSettings

    site = Site.objects.get(is_default_site=True)
    saved = MailboxSettings.for_site(site)
    saved.kind, saved.imap_host, saved.imap_username, saved.imap_password = "imap", "imap.example", "urp", "s3cret-pw"
    saved.save()
    client.force_login(administrator)
    url = reverse("wagtailsettings:edit", args=["wagtail_complaints_mailin", "mailboxsettings", site.pk])

    form = client.get(url)
    assert form.status_code == 200 and "s3cret-pw" not in form.content.decode()

    data = {"kind": "imap", "imap_host": "imap2.example", "imap_port": "993", "imap_username": "urp",
            "imap_password": "", "imap_folder": "INBOX", "maildir_path": ""}
    assert client.post(url, data).status_code == 302
    saved = MailboxSettings.for_site(site)
    assert (saved.imap_host, saved.imap_password) == ("imap2.example", "s3cret-pw")
