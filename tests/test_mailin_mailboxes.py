"""Polling mailboxes: a real IMAP server over TLS (Dovecot, started by the tests) and a Maildir."""

import mailbox
import ssl

import pytest
from django.core import mail
from django.core.management import call_command
from imapclient import IMAPClient
from wagtail.models import Site

from wagtail_complaints import links
from wagtail_complaints.mailin.models import IncomingEmail, MailboxSettings, Result
from wagtail_complaints.mailin.tasks import fetch_complaint_mailboxes
from wagtail_complaints.models import Complaint, ComplaintSettings, MessageKind

from .mail_helpers import eml


@pytest.fixture
def imap(imap_server, settings, db):
    """The server's INBOX emptied, our site's mailbox pointed at it, its self-signed cert trusted."""
    settings.WAGTAIL_COMPLAINTS_MAILIN_CA_FILE = imap_server.ca_file
    client = IMAPClient(
        imap_server.host,
        port=imap_server.port,
        ssl=True,
        ssl_context=ssl.create_default_context(cafile=imap_server.ca_file),
    )
    client.login(imap_server.username, imap_server.password)
    client.select_folder("INBOX")
    client.delete_messages(client.search(["ALL"]))
    client.expunge()
    mailbox_settings = MailboxSettings.for_site(Site.objects.get(is_default_site=True))
    mailbox_settings.kind = "imap"
    mailbox_settings.imap_host = imap_server.host
    mailbox_settings.imap_port = imap_server.port
    mailbox_settings.imap_username = imap_server.username
    mailbox_settings.imap_password = imap_server.password
    mailbox_settings.save()
    yield client
    client.logout()


def fetch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("fetch_complaint_emails", stdout=open("/dev/null", "w"))


def test_new_messages_on_the_imap_server_become_complaints_once(imap, django_capture_on_commit_callbacks):
    imap.append("INBOX", eml("plain.eml"))
    imap.append("INBOX", eml("bounce.eml"))

    fetch(django_capture_on_commit_callbacks)

    complaint = Complaint.objects.get()
    assert complaint.email == "giulia.bianchi@example.org"
    assert sorted(IncomingEmail.objects.values_list("result", flat=True)) == [Result.NEW_COMPLAINT, Result.IGNORED]
    assert [m.to for m in mail.outbox] == [["giulia.bianchi@example.org"]]
    imap.noop()  # see the other session's changes
    assert imap.search(["UNSEEN"]) == []  # both marked seen on the server

    imap.append("INBOX", eml("plain.eml"))  # the same message delivered again
    fetch(django_capture_on_commit_callbacks)
    assert Complaint.objects.count() == 1 and IncomingEmail.objects.count() == 2


def test_a_reply_fetched_over_imap_joins_its_complaint(imap, django_capture_on_commit_callbacks):
    office = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    office.reply_address = "urp@ospedale-sanluca.example"
    office.save()
    imap.append("INBOX", eml("plain.eml"))
    fetch(django_capture_on_commit_callbacks)
    complaint = Complaint.objects.get()
    reply_to = mail.outbox[0].reply_to[0]
    assert reply_to == f"urp+{links.reply_tag(complaint)}@ospedale-sanluca.example"

    imap.append(
        "INBOX",
        (
            f"From: giulia.bianchi@example.org\r\nTo: {reply_to}\r\nSubject: Re: {mail.outbox[0].subject}\r\n"
            "Message-ID: <reply.2@example.org>\r\n\r\nMia madre ha 84 anni.\r\n"
        ).encode(),
    )
    fetch(django_capture_on_commit_callbacks)

    assert complaint.messages.get(kind=MessageKind.COMPLAINANT_REPLY).body == "Mia madre ha 84 anni."


def test_an_untrusted_certificate_is_refused_and_nothing_is_fetched(imap, settings, django_capture_on_commit_callbacks):
    imap.append("INBOX", eml("plain.eml"))
    settings.WAGTAIL_COMPLAINTS_MAILIN_CA_FILE = None  # the system's CAs never signed the test server

    with django_capture_on_commit_callbacks(execute=True):
        counts = fetch_complaint_mailboxes.call()

    assert list(counts.values()) == [None]
    assert not IncomingEmail.objects.exists()
    assert imap.search(["UNSEEN"]) != []  # left for the next, properly configured, run


def test_a_maildir_is_read_once(tmp_path, db, django_capture_on_commit_callbacks):
    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    folder.add(eml("html_only.eml"))
    mailbox_settings = MailboxSettings.for_site(Site.objects.get(is_default_site=True))
    mailbox_settings.kind = "maildir"
    mailbox_settings.maildir_path = str(tmp_path / "Maildir")
    mailbox_settings.save()

    fetch(django_capture_on_commit_callbacks)
    fetch(django_capture_on_commit_callbacks)

    assert Complaint.objects.get().email == "marco.verdi@webmail.example"
    assert IncomingEmail.objects.count() == 1
    assert all("S" in message.get_flags() for message in folder)
