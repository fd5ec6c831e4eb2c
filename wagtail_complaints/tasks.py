"""Background work (django-tasks): sending e-mails from the outbox, with retries."""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .conf import get_setting


@task()
def send_email(email_id):
    return deliver(email_id)


@task()
def send_emails(email_ids):
    """The e-mails of one event, one after the other (each in its own transaction)."""
    return [deliver(email_id) for email_id in email_ids]


def deliver(email_id):
    """Send one outbox e-mail unless already sent; on failure record why and plan a retry."""
    from . import notifications
    from .models import Email, EmailStatus

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
        email.attempts += 1
        try:
            message = notifications.render(email)
            email.subject = message.subject
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure must be recorded, never raised
            email.status = EmailStatus.FAILED
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.save(update_fields=["status", "attempts", "last_error", "subject", "wording_error"])
            schedule_retry(email)
            return "failed"
        email.status = EmailStatus.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["status", "attempts", "last_error", "subject", "sent_at", "wording_error"])
        return "sent"


def schedule_retry(email):
    """Retry later when the task backend can defer; otherwise `send_complaint_emails` will."""
    from . import notifications

    delays = get_setting("EMAIL_RETRY_DELAYS")
    if email.attempts > len(delays) or not send_email.get_backend().supports_defer:
        return
    run_after = timezone.now() + datetime.timedelta(seconds=delays[email.attempts - 1])
    transaction.on_commit(lambda: notifications.enqueue(email.pk, run_after=run_after))
