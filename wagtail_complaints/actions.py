"""What people do to a complaint, each in one transaction: change it, write the thread, log it
in Wagtail's audit trail, and queue the e-mails it sends.

Back-office views and the patient's private pages both call these, so a rule holds wherever
the action comes from. `by` is an operator (a user) or `workflow.COMPLAINANT`.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from . import corrections, related, workflow
from .models import Complaint, Message, MessageKind, Operator, Outcome
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
    "send_link_again": "wagtail_complaints.send_link_again",
    "rate": "wagtail_complaints.rate",
    "correct": "wagtail_complaints.correct",
    "download": "wagtail_complaints.download",
    "extend": "wagtail_complaints.extend",
    "escalate": "wagtail_complaints.escalate",
    "flag_safety": "wagtail_complaints.flag_safety",
    "unflag_safety": "wagtail_complaints.unflag_safety",
    "link_related": "wagtail_complaints.link_related",
    "unlink_related": "wagtail_complaints.unlink_related",
    "mark_duplicate": "wagtail_complaints.mark_duplicate",
    "unmark_duplicate": "wagtail_complaints.unmark_duplicate",
    "close_as_duplicate": "wagtail_complaints.close_as_duplicate",
}

# Opening the same complaint again within this time adds no new "viewed" line to its history.
VIEW_COLLAPSE_WINDOW = datetime.timedelta(hours=1)


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
def take_in_charge(complaint, by, expected_status=None):
    if expected_status is None:
        expected_status = complaint.status
    complaint, states = _transition(complaint, "take_in_charge", by, expected_status=expected_status)
    audit(complaint, "take_in_charge", by, **states)
    notify("taken_in_charge", complaint)
    return complaint


def log_view(complaint, user):
    """Log that `user` opened the complaint, unless the history's last line already says so
    from less than an hour ago: a handler going back and forth is one visit, not twenty."""
    last = log_registry.get_logs_for_instance(complaint).order_by("-timestamp", "-pk").first()
    if (
        last is not None
        and last.action == LOG_ACTIONS["view"]
        and last.user_id == user.pk
        and last.timestamp > timezone.now() - VIEW_COLLAPSE_WINDOW
    ):
        return last
    return audit(complaint, "view", user)


def open_for(complaint, user, take_in_charge_pending=True):
    """An operator opens a complaint: logged, and a pending one is taken in charge if they may
    (unless the caller says the opening may not change anything, e.g. a link from another site)."""
    with transaction.atomic():
        log_view(complaint, user)
        if take_in_charge_pending and complaint.status == workflow.Status.PENDING and workflow.is_handler(complaint, user):
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
    if outcome == Outcome.WITHDRAWN:
        # Only the complainant withdraws (see withdraw()); the office closes with a real outcome.
        raise workflow.TransitionNotAllowed("close")
    complaint, states = _transition(complaint, "close", by, expected_status=expected_status, outcome=outcome, note=note)
    audit(complaint, "close", by, outcome=outcome, **states)
    notify("closed", complaint)
    close_duplicates_of(complaint, by)
    return complaint


def close_duplicates_of(original, by):
    """The open duplicates of a closed original close with its outcome; each complainant is told."""
    for duplicate in original.duplicates.open():
        duplicate, states = _transition(duplicate, "close_as_duplicate", by)
        audit(duplicate, "close_as_duplicate", by, outcome=duplicate.outcome, other=original.reference, **states)
        notify("closed_as_duplicate", duplicate)


@transaction.atomic
def reopen(complaint, by, reason, expected_status=None):
    complaint, states = _transition(complaint, "reopen", by, expected_status=expected_status, reason=reason)
    message = Message.objects.create(
        complaint=complaint, kind=MessageKind.REOPEN_REASON, author=None if by is COMPLAINANT else by, body=reason
    )
    audit(complaint, "reopen", by, message_id=message.pk, **states)
    notify("reopened", complaint, message_id=message.pk)
    if complaint.duplicate_of_id is not None:
        # Unsatisfied with the outcome it shared: from now on it is a complaint of its own.
        original = complaint.duplicate_of
        complaint.duplicate_of = None
        complaint.save(update_fields=["duplicate_of"])
        audit(complaint, "unmark_duplicate", None, other=original.reference, reason="reopened")
    return complaint, message


@transaction.atomic
def withdraw(complaint, by, reason="", expected_status=None):
    complaint, states = _transition(complaint, "withdraw", by, expected_status=expected_status, reason=reason)
    message = None
    if reason:
        message = Message.objects.create(complaint=complaint, kind=MessageKind.COMPLAINANT_REPLY, body=reason)
    audit(complaint, "withdraw", by, **states)
    notify("withdrawn", complaint, **({"message_id": message.pk} if message else {}))
    release_duplicates_of(complaint)
    return complaint, message


def release_duplicates_of(original):
    """A withdrawn original answers nobody else: its open duplicates go back to being handled on their own."""
    for duplicate in original.duplicates.open():
        duplicate.duplicate_of = None
        duplicate.save(update_fields=["duplicate_of"])
        audit(duplicate, "unmark_duplicate", None, other=original.reference, reason="original_withdrawn")


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
def register(complaint, by, office=None):
    """An operator writes down a complaint received by phone, letter, e-mail or in person."""
    complaint.registered_by = by
    complaint.save()
    audit(complaint, "register", by, channel=complaint.channel)
    if office is not None:
        auto_assign(complaint, office)
    notify("received", complaint)
    return complaint


def auto_assign(complaint, office):
    """A new complaint goes to the one handler who covers its category and service, when the
    office asks for it (`auto_assign` setting) and exactly one does; otherwise it waits in the inbox."""
    if not office.auto_assign or complaint.assigned_to_id is not None:
        return complaint
    handlers = Operator.objects.handlers_covering(complaint)
    if len(handlers) != 1:
        return complaint
    complaint.assigned_to_id = handlers[0]
    complaint.save(update_fields=["assigned_to"])
    assignee = complaint.assigned_to
    audit(complaint, "assign", None, previous=None, assigned_to=assignee.get_username(), automatic=True)
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
def correct(complaint, by, values, drawn_from):
    """An operator corrects the complaint's data (`values`: field → new value).

    Refused with StaleCorrection when someone saved any of the form's fields since it was drawn
    (`drawn_from`: the snapshot the form showed), so an old form never puts old values back.
    The history records each changed field with its value before and after.
    """
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.personal_data_removed_at:
        raise corrections.PersonalDataRemoved(locked)
    changed = corrections.changed_since(locked, drawn_from)
    if changed:
        raise corrections.StaleCorrection(locked, changed)
    changes = corrections.apply(locked, values)
    if changes:
        locked.save(update_fields=[change["field"] for change in changes])
        audit(locked, "correct", by, changes=changes)
    return locked


@transaction.atomic
def extend_answer_by(complaint, by, new_date, reason, expected_answer_by):
    """A handler needs more time: a later answer-by date, with a reason, and the complainant is told.

    The first date given stays on the complaint (`original_answer_by`) for the statistics.
    StaleComplaint when someone changed the date since the form was drawn; TransitionNotAllowed
    for a closed complaint or a date that is not later.
    """
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.answer_by != expected_answer_by:
        raise workflow.StaleComplaint
    if not locked.is_open or new_date <= locked.answer_by or not workflow.is_handler(locked, by):
        raise workflow.TransitionNotAllowed("extend")
    previous = locked.answer_by
    locked.original_answer_by = locked.original_answer_by or previous
    locked.answer_by = new_date
    locked.save(update_fields=["answer_by", "original_answer_by"])
    audit(locked, "extend", by, before=previous.isoformat(), after=new_date.isoformat(), reason=reason)
    notify("answer_by_extended", locked)
    return locked


def log_download(attachment, by):
    """Who read which file, when: an operator downloaded an attachment."""
    return audit(attachment.complaint, "download", by, attachment_id=attachment.pk, file_name=attachment.original_name)


@transaction.atomic
def assign(complaint, by, to_user, expected_assignee_id=...):
    """Assign the complaint; refused with StaleComplaint when the assignee changed since the form was drawn."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if expected_assignee_id is not ... and complaint.assigned_to_id != expected_assignee_id:
        raise workflow.StaleComplaint
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
def send_link_again(complaint, matched):
    """Someone asked for the private link with the reference; only a matching address gets it."""
    audit(complaint, "send_link_again", None, matched=matched)  # whoever asked: no account, maybe not the patient
    if matched:
        notify("link_sent_again", complaint)
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


# -- patient safety -----------------------------------------------------------------------------


@transaction.atomic
def flag_patient_safety(complaint, by):
    """A handler judges the complaint may describe a patient-safety incident: clinical risk is told."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not workflow.is_handler(locked, by) or locked.is_safety_flagged:
        raise workflow.TransitionNotAllowed("flag_safety")
    locked.safety_flagged_at = timezone.now()
    locked.safety_flagged_by = by
    locked.save(update_fields=["safety_flagged_at", "safety_flagged_by"])
    audit(locked, "flag_safety", by)
    notify("safety_flagged", locked)
    return locked


@transaction.atomic
def unflag_patient_safety(complaint, by, reason):
    """The flag was a mistake, or clinical risk ruled the incident out: the reason stays in the history."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not workflow.is_handler(locked, by) or not locked.is_safety_flagged:
        raise workflow.TransitionNotAllowed("unflag_safety")
    flagged_at = locked.safety_flagged_at
    locked.safety_flagged_at = None
    locked.safety_flagged_by = None
    locked.save(update_fields=["safety_flagged_at", "safety_flagged_by"])
    audit(locked, "unflag_safety", by, reason=reason, flagged_at=flagged_at.isoformat())
    notify("safety_unflagged", locked)
    return locked


# -- related and duplicate complaints --------------------------------------------------------------


def _lock_pair(complaint, other):
    """Both complaints locked in the order of their keys, so two handlers linking them never deadlock."""
    locked = {c.pk: c for c in Complaint.objects.select_for_update().filter(pk__in=[complaint.pk, other.pk]).order_by("pk")}
    return locked[complaint.pk], locked[other.pk]


def _require_handler(complaint, by, name):
    if not workflow.is_handler(complaint, by):
        raise workflow.TransitionNotAllowed(name)


@transaction.atomic
def link_related(complaint, by, other):
    """Link two complaints as related: each screen shows the other. LinkRefused breaks a rule."""
    _require_handler(complaint, by, "link_related")
    complaint, other = _lock_pair(complaint, other)
    related.check_can_relate(complaint, other)
    complaint.related.add(other)
    audit(complaint, "link_related", by, other=other.reference)
    audit(other, "link_related", by, other=complaint.reference)
    return complaint


@transaction.atomic
def unlink_related(complaint, by, other):
    _require_handler(complaint, by, "unlink_related")
    complaint, other = _lock_pair(complaint, other)
    if not complaint.related.filter(pk=other.pk).exists():
        raise related.LinkRefused(related.not_linked_message(other))
    complaint.related.remove(other)
    audit(complaint, "unlink_related", by, other=other.reference)
    audit(other, "unlink_related", by, other=complaint.reference)
    return complaint


@transaction.atomic
def mark_duplicate(complaint, by, original):
    """`complaint` repeats `original`; it follows it (see related.py). LinkRefused breaks a rule."""
    _require_handler(complaint, by, "mark_duplicate")
    complaint, original = _lock_pair(complaint, original)
    related.check_can_be_duplicate(complaint, original)
    complaint.duplicate_of = original
    complaint.save(update_fields=["duplicate_of"])
    audit(complaint, "mark_duplicate", by, other=original.reference)
    audit(original, "mark_duplicate", by, other=complaint.reference, role="original")
    if workflow.original_is_closed(complaint):
        complaint, states = _transition(complaint, "close_as_duplicate", by)
        audit(complaint, "close_as_duplicate", by, outcome=complaint.outcome, other=original.reference, **states)
        notify("closed_as_duplicate", complaint)
    else:
        notify("marked_duplicate", complaint)
    return complaint


@transaction.atomic
def unmark_duplicate(complaint, by):
    """A handler finds a waiting duplicate is a complaint of its own after all."""
    _require_handler(complaint, by, "unmark_duplicate")
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.duplicate_of_id is None or not locked.is_open:
        raise workflow.TransitionNotAllowed("unmark_duplicate")
    original = locked.duplicate_of
    locked.duplicate_of = None
    locked.save(update_fields=["duplicate_of"])
    audit(locked, "unmark_duplicate", by, other=original.reference)
    audit(original, "unmark_duplicate", by, other=locked.reference, role="original")
    return locked
