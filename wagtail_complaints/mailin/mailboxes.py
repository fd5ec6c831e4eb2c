"""Fetching from the sites' incoming mailboxes: IMAP over TLS (imapclient) or a local Maildir."""

import logging
import mailbox
import ssl

from django.conf import settings
from imapclient import IMAPClient

from . import intake
from .models import MailboxKind, MailboxSettings

logger = logging.getLogger(__name__)

BATCH = 20  # messages fetched per IMAP round trip: bounded memory, few round trips


def configured_mailboxes():
    return MailboxSettings.objects.select_related("site").exclude(kind=MailboxKind.NONE)


def fetch_all():
    """Fetch every configured mailbox, then retry what failed; one broken mailbox stops no other."""
    counts = {}
    for mailbox_settings in configured_mailboxes():
        try:
            counts[mailbox_settings.site.hostname] = fetch(mailbox_settings)
        except Exception:  # noqa: BLE001 - logged; the next run tries again
            logger.exception("Could not fetch the complaints mailbox of %s", mailbox_settings.site)
            counts[mailbox_settings.site.hostname] = None
    intake.retry_failed()
    return counts


def fetch(mailbox_settings):
    if mailbox_settings.kind == MailboxKind.IMAP:
        return fetch_imap(mailbox_settings)
    if mailbox_settings.kind == MailboxKind.MAILDIR:
        return fetch_maildir(mailbox_settings)
    return 0


def tls_context():
    # A private CA (a hospital's own mail server) can be trusted through a setting.
    return ssl.create_default_context(cafile=getattr(settings, "WAGTAIL_COMPLAINTS_MAILIN_CA_FILE", None))


def fetch_imap(mailbox_settings):
    """Unseen messages of the folder; each is marked seen once recorded, so it is fetched once."""
    count = 0
    with IMAPClient(
        mailbox_settings.imap_host,
        port=mailbox_settings.imap_port,
        ssl=True,
        ssl_context=tls_context(),
        timeout=60,
    ) as client:
        client.login(mailbox_settings.imap_username, mailbox_settings.imap_password)
        client.select_folder(mailbox_settings.imap_folder)
        uids = client.search(["UNSEEN"])
        for start in range(0, len(uids), BATCH):
            batch = uids[start : start + BATCH]
            for uid, data in client.fetch(batch, ["BODY.PEEK[]"]).items():
                intake.receive(data[b"BODY[]"], site=mailbox_settings.site)
                client.add_flags([uid], [b"\\Seen"])
                count += 1
    return count


def fetch_maildir(mailbox_settings):
    """Messages not yet seen; each is moved to cur/ with the Seen flag once recorded."""
    folder = mailbox.Maildir(mailbox_settings.maildir_path, create=False)
    count = 0
    for key in folder.keys():
        message = folder.get_message(key)
        if "S" in message.get_flags():
            continue
        intake.receive(folder.get_bytes(key), site=mailbox_settings.site)
        message.set_subdir("cur")
        message.add_flag("S")
        folder[key] = message
        count += 1
    return count
