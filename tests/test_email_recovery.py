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


# -- recovery without anyone running the sweep: every send task takes on what others left --------


@pytest.fixture
def file_another(client, form_page, django_capture_on_commit_callbacks):
    """File a complaint and run its send task (after the commit, as in production)."""

    def file():
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(form_page.url, form_data(client, form_page, email="luca@example.com"))
        assert response.status_code in (200, 302)

    return file


def test_the_next_send_task_sends_what_a_killed_worker_left(file_another, left_by_a_killed_worker, settings):
    settings.WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = 300
    age(left_by_a_killed_worker, 600)

    file_another()  # its task (immediate here) sends its own e-mail, then the abandoned one

    assert sorted(m.to[0] for m in mail.outbox) == ["luca@example.com", "maria@example.com"]
    assert not Email.objects.unsent().exists()
    file_another()
    assert [m.to[0] for m in mail.outbox].count("maria@example.com") == 1


def test_a_send_task_leaves_recent_emails_to_their_own_tasks(file_another, left_by_a_killed_worker, settings):
    settings.WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = 300
    age(left_by_a_killed_worker, 60)

    file_another()

    assert [m.to[0] for m in mail.outbox] == ["luca@example.com"]
    assert Email.objects.get(pk=left_by_a_killed_worker.pk).status == EmailStatus.QUEUED


def test_a_worker_killed_mid_send_is_recovered_once_its_claim_is_old(file_another, left_by_a_killed_worker, settings):
    settings.WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = 300
    age(left_by_a_killed_worker, 3600)
    # The claim committed, then the worker died before the mail server answered.
    Email.objects.filter(pk=left_by_a_killed_worker.pk).update(attempts=1, claimed_at=timezone.now())

    file_another()
    assert [m.to[0] for m in mail.outbox] == ["luca@example.com"]  # the claim is recent: maybe still sending

    Email.objects.filter(pk=left_by_a_killed_worker.pk).update(claimed_at=timezone.now() - datetime.timedelta(seconds=600))
    file_another()
    assert [m.to[0] for m in mail.outbox].count("maria@example.com") == 1
    recovered = Email.objects.get(pk=left_by_a_killed_worker.pk)
    assert recovered.status == EmailStatus.SENT and recovered.attempts == 2


def test_an_email_that_keeps_killing_workers_is_given_up_after_the_retries(file_another, left_by_a_killed_worker, settings):
    settings.WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = 300
    settings.WAGTAIL_COMPLAINTS_EMAIL_RETRY_DELAYS = [60, 300]
    long_ago = timezone.now() - datetime.timedelta(seconds=600)
    Email.objects.filter(pk=left_by_a_killed_worker.pk).update(attempts=3, claimed_at=long_ago, created_at=long_ago)

    file_another()

    assert [m.to[0] for m in mail.outbox] == ["luca@example.com"]
    assert Email.objects.get(pk=left_by_a_killed_worker.pk).attempts == 3


def test_failed_emails_wait_for_their_retry_not_for_the_next_task(file_another, left_by_a_killed_worker, settings):
    settings.WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = 300
    long_ago = timezone.now() - datetime.timedelta(seconds=600)
    Email.objects.filter(pk=left_by_a_killed_worker.pk).update(
        status=EmailStatus.FAILED, attempts=1, claimed_at=long_ago, created_at=long_ago
    )

    file_another()
    assert [m.to[0] for m in mail.outbox] == ["luca@example.com"]

    assert "Sent 1" in sweep("--older-than", "300")  # cron's sweep retries it
    assert [m.to[0] for m in mail.outbox].count("maria@example.com") == 1


def test_an_attempt_is_counted_before_the_mail_server_is_contacted(left_by_a_killed_worker, settings):
    from wagtail_complaints.tasks import deliver

    settings.EMAIL_BACKEND = "tests.test_email_recovery.RefusingBackend"
    deliver(left_by_a_killed_worker.pk)
    email = Email.objects.get(pk=left_by_a_killed_worker.pk)
    assert email.attempts == 1 and email.claimed_at is not None and email.status == EmailStatus.FAILED
