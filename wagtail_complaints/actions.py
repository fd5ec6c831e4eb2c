"""What people do to a complaint, each in one transaction: change it, write the thread, log it
in Wagtail's audit trail, and queue the e-mails it sends.

Back-office views and the patient's private pages both call these, so a rule holds wherever
the action comes from. `by` is an operator (a user) or `workflow.COMPLAINANT`.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from . import workflow
from .models import Complaint, Message, MessageKind
from .notifications import notify
from .workflow import COMPLAINANT, fire

# Audit-trail action names (registered with their labels in wagtail_hooks.py).
LOG_ACTIONS = {
    "take_in_charge": "wagtail_complaints.take_in_charge",
    "answer": "wagtail_complaints.answer",
    "close": "wagtail_complaints.close",
    "reopen": "wagtail_complaints.reopen",
    "withdraw": "wagtail_complaints.withdraw",
    "reply": "wagtail_complaints.reply",
    "note": "wagtail_complaints.note",
    "assign": "wagtail_complaints.assign",
    "view": "wagtail_complaints.view",
    "register": "wagtail_complaints.register",
    "receive_email": "wagtail_complaints.receive_email",
    "reissue_link": "wagtail_complaints.reissue_link",
    "rate": "wagtail_complaints.rate",
}


def audit(complaint, action, by, **data):
    """One entry in the complaint's history; the complainant appears as such, not as a user."""
    if by is COMPLAINANT:
        data["actor"] = "complainant"
        user = None
    else:
        user = by
    return log(complaint, LOG_ACTIONS[action], user=user, data=data)


def _transition(complaint, name, by, expected_status=None, **kwargs):
    source = complaint.status if expected_status is None else expected_status
    complaint = fire(complaint, name, by, expected_status=expected_status, **kwargs)
    return complaint, {"from": source, "to": complaint.status}


@transaction.atomic
def take_in_charge(complaint, by):
    complaint, states = _transition(complaint, "take_in_charge", by, expected_status=complaint.status)
    audit(complaint, "take_in_charge", by, **states)
    notify("taken_in_charge", complaint)
    return complaint


def open_for(complaint, user):
    """An operator opens a complaint: logged, and a pending one is taken in charge if they may."""
    with transaction.atomic():
        audit(complaint, "view", user)
        if complaint.status == workflow.Status.PENDING and workflow.is_handler(complaint, user):
            try:
                return take_in_charge(complaint, user)
            except (workflow.StaleComplaint, workflow.TransitionNotAllowed):
                # Someone else took it in charge a moment ago: show it as it is now.
                return Complaint.objects.get(pk=complaint.pk)
    return complaint


@transaction.atomic
def answer(complaint, by, body, expected_status=None, by_phone=False, contacted_at=None):
    kind = MessageKind.PHONE_ANSWER if by_phone else MessageKind.ANSWER
    at = contacted_at if by_phone and contacted_at else timezone.now()
    complaint, states = _transition(complaint, "answer", by, expected_status=expected_status, at=at)
    message = Message.objects.create(
        complaint=complaint, kind=kind, author=by, body=body, contacted_at=contacted_at if by_phone else None
    )
    audit(complaint, "answer", by, message_id=message.pk, by_phone=by_phone, **states)
    if not by_phone:
        notify("answered", complaint, message_id=message.pk)
    return complaint, message


@transaction.atomic
def close(complaint, by, outcome, note="", expected_status=None):
    complaint, states = _transition(complaint, "close", by, expected_status=expected_status, outcome=outcome, note=note)
    audit(complaint, "close", by, outcome=outcome, **states)
    notify("closed", complaint)
    return complaint


@transaction.atomic
def reopen(complaint, by, reason, expected_status=None):
    complaint, states = _transition(complaint, "reopen", by, expected_status=expected_status, reason=reason)
    message = Message.objects.create(
        complaint=complaint, kind=MessageKind.REOPEN_REASON, author=None if by is COMPLAINANT else by, body=reason
    )
    audit(complaint, "reopen", by, message_id=message.pk, **states)
    notify("reopened", complaint, message_id=message.pk)
    return complaint, message


@transaction.atomic
def withdraw(complaint, by, reason="", expected_status=None):
    complaint, states = _transition(complaint, "withdraw", by, expected_status=expected_status, reason=reason)
    message = None
    if reason:
        message = Message.objects.create(complaint=complaint, kind=MessageKind.COMPLAINANT_REPLY, body=reason)
    audit(complaint, "withdraw", by, **states)
    notify("withdrawn", complaint, **({"message_id": message.pk} if message else {}))
    return complaint, message


@transaction.atomic
def reply(complaint, body):
    """The complainant adds to the thread; the state stays as it is (DESIGN.md §2)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not complaint.is_open:
        raise workflow.TransitionNotAllowed("reply")
    message = Message.objects.create(complaint=complaint, kind=MessageKind.COMPLAINANT_REPLY, body=body)
    audit(complaint, "reply", COMPLAINANT, message_id=message.pk)
    notify("complainant_replied", complaint, message_id=message.pk)
    return complaint, message


@transaction.atomic
def register(complaint, by):
    """An operator writes down a complaint received by phone, letter, e-mail or in person."""
    complaint.registered_by = by
    complaint.save()
    audit(complaint, "register", by, channel=complaint.channel)
    notify("received", complaint)
    return complaint


@transaction.atomic
def receive_by_email(complaint, message_id="", notes=()):
    """A complaint the office's mailbox received: saved, logged, the sender acknowledged.

    `notes` are internal notes for the handler (refused attachments, a reference it mentions);
    the acknowledgement threads under the sender's own `message_id`.
    """
    complaint.save()
    audit(complaint, "receive_email", None, channel=complaint.channel)
    for note in notes:
        Message.objects.create(complaint=complaint, kind=MessageKind.NOTE, body=note)
    notify("received", complaint, **({"in_reply_to": message_id} if message_id else {}))
    return complaint


@transaction.atomic
def add_note(complaint, by, body):
    message = Message.objects.create(complaint=complaint, kind=MessageKind.NOTE, author=by, body=body)
    audit(complaint, "note", by, message_id=message.pk)
    return message


@transaction.atomic
def assign(complaint, by, to_user):
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    previous = complaint.assigned_to
    complaint.assigned_to = to_user
    complaint.save(update_fields=["assigned_to"])
    audit(
        complaint,
        "assign",
        by,
        previous=previous.get_username() if previous else None,
        assigned_to=to_user.get_username() if to_user else None,
    )
    return complaint


@transaction.atomic
def reissue_link(complaint, by):
    """Revoke the private link and send the complainant a new one."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    complaint.issue_access_token()
    complaint.save(update_fields=["access_nonce", "access_token_hash"])
    audit(complaint, "reissue_link", by)
    notify("link_reissued", complaint)
    return complaint


@transaction.atomic
def rate(complaint, rating, comment=""):
    """The complainant rates how a closed complaint was handled: once, 1 to 5 (feeds statistics)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if (
        complaint.status != workflow.Status.CLOSED
        or complaint.outcome == "withdrawn"
        or complaint.rated_at is not None
        or rating not in range(1, 6)
    ):
        raise workflow.TransitionNotAllowed("rate")
    complaint.rating = rating
    complaint.rating_comment = comment
    complaint.rated_at = timezone.now()
    complaint.save(update_fields=["rating", "rating_comment", "rated_at"])
    audit(complaint, "rate", COMPLAINANT, rating=rating)
    return complaint
