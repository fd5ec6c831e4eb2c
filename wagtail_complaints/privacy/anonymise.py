"""Removing the personal data from a complaint while every figure the statistics use stays.

Kept: the reference, site, dates and state times, category, service, channel, outcome, the
rating number, the number and kinds of messages. Removed: names, contacts, the patient and
relationship, the description, extra answers, message texts, the closing note, the rating
comment, attachment files, the outbox's addresses and errors, the private link, the values
corrections recorded in the history, and (through `signals.personal_data_removed`) what features
keep, such as the e-mail intake's original messages.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from ..actions import LOG_ACTIONS
from ..models import Complaint, ComplaintLogEntry
from ..signals import personal_data_removed
from ..workflow import Status
from .log_formats import REMOVED

EMPTIED_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "patient_name",
    "relationship",
    "description",
    "closing_note",
    "rating_comment",
]


def remove_personal_data(complaint, because, by=None, reason=""):
    """Anonymise closed `complaint` in one transaction and log it; None if it was already anonymised
    (or is open again: an open complaint still needs its complainant).

    `because` is a PersonalDataRemoval; `by` the administrator (None for the retention task).
    """
    with transaction.atomic():
        locked = (
            Complaint.objects.select_for_update()
            .filter(pk=complaint.pk, status=Status.CLOSED, personal_data_removed_at__isnull=True)
            .first()
        )
        if locked is None:
            return None
        for field in EMPTIED_FIELDS:
            setattr(locked, field, "")
        locked.extra_answers = {}
        locked.personal_data_removed_at = timezone.now()
        locked.personal_data_removed_because = because
        locked.issue_access_token()  # the old private link opens nothing any more
        locked.save()
        locked.messages.update(body="")
        locked.emails.update(recipient="", last_error="")
        for attachment in locked.attachments.all():
            # Inside the transaction: a crash leaves rows without files, never files without rows;
            # the next run finds the complaint again and finishes.
            attachment.file.delete(save=False)
            attachment.delete()
        forget_corrected_values(locked)
        personal_data_removed.send(sender=Complaint, complaint=locked)
        log(locked, REMOVED, user=by, data={"because": because, "reason": reason})
    return locked


def forget_corrected_values(complaint):
    """The history keeps which fields were corrected and when, but no longer the values they had."""
    entries = ComplaintLogEntry.objects.for_instance(complaint).filter(action=LOG_ACTIONS["correct"])
    for entry in entries:
        data = dict(entry.data or {})
        data["changes"] = [
            {**change, "before": "", "after": ""} if change.get("field") in EMPTIED_FIELDS else change
            for change in data.get("changes", [])
        ]
        entry.data = data
        entry.save(update_fields=["data"])
