"""The complaint's life cycle (functional spec, seed 003), declared once with django-fsm.

    transition       from                               to                who may fire it
    ---------------  ---------------------------------  ----------------  --------------------
    take_in_charge   pending                            taken_in_charge   handler
    answer           taken_in_charge, awaiting_reply    awaiting_reply    handler, once classified
    close            taken_in_charge, awaiting_reply    closed            handler
    reopen           closed (personal data kept)        awaiting_reply    complainant, handler
    withdraw         pending, taken_in_charge,          closed            complainant
                     awaiting_reply
    close_as_        pending, taken_in_charge,          closed            handler, once its
      duplicate      awaiting_reply                                       original is closed

Transition bodies only record times and who; messages, the audit trail and e-mails hang off
`fire()` and the `post_transition` signal, so this table stays readable.
"""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, can_proceed, has_transition_perm, transition


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    TAKEN_IN_CHARGE = "taken_in_charge", _("Taken in charge")
    AWAITING_REPLY = "awaiting_reply", _("Awaiting reply")
    CLOSED = "closed", _("Closed")


OPEN_STATES = [Status.PENDING, Status.TAKEN_IN_CHARGE, Status.AWAITING_REPLY]

HANDLE_PERMISSION = "wagtail_complaints.change_complaint"


class Complainant:
    """The holder of a complaint's private link, acting without an account."""

    is_authenticated = False
    pk = None

    def __str__(self):
        return str(_("complainant"))


COMPLAINANT = Complainant()


def is_handler(complaint, user):
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(HANDLE_PERMISSION))


def is_complainant(complaint, user):
    return isinstance(user, Complainant)


def is_complainant_or_handler(complaint, user):
    return is_complainant(complaint, user) or is_handler(complaint, user)


def keeps_personal_data(complaint):
    # Once anonymised (retention or erasure) there is nobody left to answer.
    return complaint.personal_data_removed_at is None


def is_classified(complaint):
    """Answers need a real category: statistics count what a complaint was about."""
    return not complaint.category.needs_classification


def original_is_closed(complaint):
    """A duplicate closes with its original's outcome, so only once the original has one."""
    original = complaint.duplicate_of
    return original is not None and original.status == Status.CLOSED and bool(original.outcome)


class ComplaintWorkflow(FSMModelMixin, models.Model):
    # FSMModelMixin lets refresh_from_db() reload the protected status: Wagtail and host code call it.
    status = FSMField(
        _("state"), max_length=20, choices=Status.choices, default=Status.PENDING, protected=True
    )
    taken_in_charge_at = models.DateTimeField(_("taken in charge at"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    last_answered_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    last_reopened_at = models.DateTimeField(_("last reopened at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(status, Status.PENDING, Status.TAKEN_IN_CHARGE, permission=is_handler)
    def take_in_charge(self, by):
        self.taken_in_charge_at = timezone.now()
        if self.assigned_to_id is None:
            self.assigned_to = by

    @transition(
        status,
        [Status.TAKEN_IN_CHARGE, Status.AWAITING_REPLY],
        Status.AWAITING_REPLY,
        permission=is_handler,
        conditions=[is_classified],
    )
    def answer(self, by, at=None):
        self.last_answered_at = at or timezone.now()
        self.first_answered_at = self.first_answered_at or self.last_answered_at

    @transition(status, [Status.TAKEN_IN_CHARGE, Status.AWAITING_REPLY], Status.CLOSED, permission=is_handler)
    def close(self, by, outcome, note=""):
        self.closed_at = timezone.now()
        self.outcome = outcome
        self.closing_note = note

    @transition(
        status,
        Status.CLOSED,
        Status.AWAITING_REPLY,
        permission=is_complainant_or_handler,
        conditions=[keeps_personal_data],
    )
    def reopen(self, by, reason=""):
        self.reopen_count += 1
        self.last_reopened_at = timezone.now()
        self.closed_at = None
        self.outcome = ""

    @transition(status, OPEN_STATES, Status.CLOSED, permission=is_complainant)
    def withdraw(self, by, reason=""):
        self.closed_at = timezone.now()
        self.outcome = "withdrawn"

    @transition(status, OPEN_STATES, Status.CLOSED, permission=is_handler, conditions=[original_is_closed])
    def close_as_duplicate(self, by):
        self.closed_at = timezone.now()
        self.outcome = self.duplicate_of.outcome
        self.closing_note = ""


# The transitions an operator or the complainant chooses on a screen (each has its form).
TRANSITIONS = ("take_in_charge", "answer", "close", "reopen", "withdraw")
# Fired by actions.py as the consequence of another change: closing an original closes its duplicates.
FOLLOW_ON_TRANSITIONS = ("close_as_duplicate",)


class TransitionNotAllowed(Exception):
    """The transition cannot be fired from the complaint's current state, or by this user."""


class StaleComplaint(Exception):
    """Someone else moved the complaint since the form was drawn."""


def available_transitions(complaint, user):
    """Names of the transitions `user` may fire now: the same check `fire()` makes."""
    return [t.name for t in complaint.get_available_user_status_transitions(user) if t.name in TRANSITIONS]


def fire(complaint, name, by, expected_status=None, **kwargs):
    """Fire transition `name` on a locked, fresh copy of `complaint` and save it.

    Raises LookupError for a name that is no transition, StaleComplaint when the state is no
    longer `expected_status`, TransitionNotAllowed when the state or `by` forbids it.
    """
    if name not in TRANSITIONS + FOLLOW_ON_TRANSITIONS:
        raise LookupError(name)
    with transaction.atomic():
        locked = type(complaint).objects.select_for_update().get(pk=complaint.pk)
        if expected_status is not None and locked.status != expected_status:
            raise StaleComplaint
        method = getattr(locked, name)
        if not can_proceed(method) or not has_transition_perm(method, by):
            raise TransitionNotAllowed(name)
        method(by=by, **kwargs)
        locked.save()
    return locked
