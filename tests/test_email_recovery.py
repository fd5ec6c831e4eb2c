"""A worker killed mid-task loses no e-mail: the sweep sends what it left, once, with the same Message-ID."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wagtail_complaints.models import Email, EmailStatus

from .factories import complaint_form_data as form_data

pytestmark = pytest.mark.django_db


def sweep(*args):
    out = io.StringIO()
    call_command("send_complaint_emails", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def left_by_a_killed_worker(client, form_page):
    """A complaint whose acknowledgement task a worker claimed (RUNNING) and never finished."""
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        client.post(form_page.url, form_data(client, form_page))
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    email = Email.objects.get()
    assert email.status == EmailStatus.QUEUED and not mail.outbox
    return email


def age(email, seconds):
    Email.objects.filter(pk=email.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_the_sweep_sends_what_a_killed_worker_left_exactly_once(left_by_a_killed_worker):
    age(left_by_a_killed_worker, 600)

    assert "Sent 1" in sweep("--older-than", "300")
    assert "Sent 0" in sweep("--older-than", "300")

    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    assert Email.objects.get().status == EmailStatus.SENT


def test_the_sweep_leaves_fresh_emails_to_the_workers(left_by_a_killed_worker):
    age(left_by_a_killed_worker, 60)

    assert "Sent 0" in sweep("--older-than", "300")
    assert not mail.outbox


def test_a_resent_email_keeps_its_message_id(left_by_a_killed_worker, settings):
    email = left_by_a_killed_worker
    settings.EMAIL_BACKEND = "tests.test_email_recovery.RefusingBackend"
    sweep()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sweep()

    sent = mail.outbox[0].message()["Message-ID"]
    assert RefusingBackend.refused[-1]["Message-ID"] == sent
    assert sent.startswith(f"<complaint-email.{email.pk}.") and sent.endswith("@ospedale-sanluca.example>")


def test_every_outbox_row_has_its_own_message_id(client, form_page):
    client.post(form_page.url, form_data(client, form_page))
    client.post(form_page.url, form_data(client, form_page))
    sweep()

    assert len({message.message()["Message-ID"] for message in mail.outbox}) == 2


class RefusingBackend:
    """A mail server that takes the message, then the connection drops before we hear it accepted."""

    refused = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        self.refused.extend(message.message() for message in messages)
        raise ConnectionResetError("connection reset")
