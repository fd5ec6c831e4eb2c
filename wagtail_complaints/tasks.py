"""Background work (django-tasks): sending e-mails from the outbox, with retries."""

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .conf import get_setting

logger = logging.getLogger(__name__)


@task()
def send_email(email_id):
    result = deliver(email_id)
    recover_abandoned()
    return result


@task()
def send_emails(email_ids):
    """The e-mails of one event, one after the other (each in its own transaction)."""
    results = [deliver(email_id) for email_id in email_ids]
    recover_abandoned()
    return results


def deliver(email_id):
    """Send one outbox e-mail unless already sent; on failure record why and plan a retry.

    The claim (the attempt counted, its time noted) commits before the mail server is contacted, so
    an e-mail that kills its worker is not retried for ever; the sending holds the row's lock, so no
    other worker or sweep sends it meanwhile, and PostgreSQL drops that lock as soon as a killed
    worker's connection closes.
    """
    from . import notifications
    from .models import Email, EmailStatus

    if not claim(email_id):
        return "skipped"
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True, of=("self",))  # PostgreSQL: not the outer-joined complaint
            .select_related("complaint__site", "complaint__category__parent", "complaint__service")
            .prefetch_related("complaint__category__labels", "complaint__category__parent__labels", "complaint__service__labels")
            .filter(pk=email_id)
            .exclude(status=EmailStatus.SENT)
            .first()
        )
        if email is None:
            return "skipped"
        try:
            message = notifications.render(email)
            email.subject = message.subject
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure must be recorded, never raised
            email.status = EmailStatus.FAILED
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.save(update_fields=["status", "last_error", "subject", "wording_error"])
            schedule_retry(email)
            return "failed"
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["status", "last_error", "subject", "sent_at", "wording_error"])
        return "sent"


def claim(email_id):
    """Count an attempt at an unsent e-mail no one else is sending, and commit it; False if none."""
    from .models import Email, EmailStatus

    with transaction.atomic():
        free = Email.objects.select_for_update(skip_locked=True).filter(pk=email_id).exclude(status=EmailStatus.SENT)
        if not free.values_list("pk", flat=True).first():
            return False
        free.update(attempts=F("attempts") + 1, claimed_at=timezone.now())
    return True


def abandoned_emails(older_than, max_attempts=None):
    """Unsent e-mails nobody has touched for `older_than` seconds, oldest first."""
    from .models import Email

    limit = max_attempts or len(get_setting("EMAIL_RETRY_DELAYS")) + 1
    before = timezone.now() - datetime.timedelta(seconds=older_than)
    return Email.objects.abandoned(before).filter(attempts__lt=limit).order_by("created_at", "pk")


def recover_abandoned():
    """The sweep every send task runs after its own e-mails: send, a few at a time, those still
    queued long after they were written or claimed (a worker killed mid-send, a lost task).
    Failed ones are left to their planned retries and to `send_complaint_emails`."""
    from .models import EmailStatus

    stale = abandoned_emails(get_setting("EMAIL_RECOVERY_AFTER")).filter(status=EmailStatus.QUEUED)
    ids = list(stale.values_list("pk", flat=True)[: get_setting("EMAIL_RECOVERY_BATCH")])
    results = [deliver(email_id) for email_id in ids]
    if ids:
        logger.warning("Recovered %d abandoned complaint e-mails: %s", len(ids), results)
    return results


def schedule_retry(email):
    """Retry later when the task backend can defer; otherwise `send_complaint_emails` will."""
    from . import notifications

    delays = get_setting("EMAIL_RETRY_DELAYS")
    if email.attempts > len(delays) or not send_email.get_backend().supports_defer:
        return
    run_after = timezone.now() + datetime.timedelta(seconds=delays[email.attempts - 1])
    transaction.on_commit(lambda: notifications.enqueue(email.pk, run_after=run_after))
