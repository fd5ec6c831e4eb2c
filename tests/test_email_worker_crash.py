"""A real worker (django-tasks-db's `db_worker`) killed with SIGKILL in the middle of sending: the
e-mail goes out after recovery, without anyone running a command; exactly once when the mail
server had not yet accepted it, and with the same Message-ID when it had (the one duplicate the
design cannot rule out)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from wagtail_complaints.models import Email, EmailStatus

from .factories import complaint_form_data as form_data
from .smtp_sink import SMTPSink, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
RECOVERY_AFTER = 2  # seconds: the worker's setting, so the test need not wait five minutes

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process needs a shared database server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(smtp_port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url(),
        "WC_SMTP_PORT": str(smtp_port),
        "WC_EMAIL_RECOVERY_AFTER": str(RECOVERY_AFTER),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "example_site" / "manage.py"), "db_worker", "--no-startup-delay",
         "--interval", "0.1", "--no-reload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def stop(worker):
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def file_complaint(client, form_page, address):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        response = client.post(form_page.url, form_data(client, form_page, email=address))
    assert response.status_code in (200, 302)
    return Email.objects.get(recipient=address)


@pytest.fixture
def sink():
    with SMTPSink(free_port(18020, 18029)) as sink:
        yield sink


@pytest.mark.parametrize("killed", ["before the mail server accepted it", "after it accepted, before COMMIT"])
def test_an_email_a_killed_worker_was_sending_goes_out_after_recovery(client, form_page, sink, killed):
    accepted_first = killed.startswith("after")
    hold = sink.handler.hold_after_accepting if accepted_first else sink.handler.hold_before_accepting
    hold.set()
    worker = start_worker(sink.port)
    try:
        maria = file_complaint(client, form_page, "maria@example.com")
        wait_for(sink.handler.holding.is_set, what="the worker to be in the middle of sending")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop(worker)
    hold.clear()

    # What the dead worker left: its task RUNNING for good, the e-mail unsent with one attempt claimed.
    maria.refresh_from_db()
    assert maria.status == EmailStatus.QUEUED and maria.attempts == 1 and maria.claimed_at is not None
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1
    assert len(sink.handler.to("maria@example.com")) == (1 if accepted_first else 0)

    # No command run by hand: a new worker, and the next complaint's task sends what was left.
    time.sleep(RECOVERY_AFTER + 0.5)
    worker = start_worker(sink.port)
    try:
        file_complaint(client, form_page, "luca@example.com")
        wait_for(lambda: not Email.objects.unsent().exists(), what="every e-mail to be sent")
        # Later tasks find nothing left to recover.
        file_complaint(client, form_page, "anna@example.com")
        wait_for(lambda: not Email.objects.unsent().exists(), what="the third e-mail to be sent")
    finally:
        stop(worker)

    to_maria = sink.handler.to("maria@example.com")
    assert len(sink.handler.to("luca@example.com")) == 1 and len(sink.handler.to("anna@example.com")) == 1
    maria.refresh_from_db()
    assert maria.status == EmailStatus.SENT and maria.attempts == 2
    if accepted_first:
        # The crash came after the server took it: a second copy, which the same Message-ID lets
        # mail servers and clients recognise as the same message.
        assert len(to_maria) == 2 and to_maria[0]["Message-ID"] == to_maria[1]["Message-ID"]
    else:
        assert len(to_maria) == 1
