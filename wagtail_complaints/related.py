"""Which links between complaints a handler may make: related (both ways) and duplicate of.

The rule for duplicates, kept simple so that no chain or cycle can form: a duplicate points to
an original that is not itself a duplicate, and a complaint that has duplicates of its own is
not made a duplicate. Both complaints belong to the same site (one hospital handles each).

A duplicate follows its original: while the original is open the duplicate waits (no reminders,
never overdue); when the original closes, the duplicate closes with the same outcome and its
complainant is told. Marking a duplicate of an original already closed closes it at once.
"""

from django.utils.translation import gettext as _

from .models import Complaint, Outcome
from .permissions import within_sites_of


class LinkRefused(Exception):
    """The link asked for would break a rule; `message` says which, for the operator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def find_by_reference(user, reference):
    """The complaint with this reference among those `user` works on, or None."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 40:
        return None
    complaints = within_sites_of(user, Complaint.objects.all())
    return complaints.filter(reference__in={reference, reference.upper()}).first()


def check_can_link(complaint, other):
    if other.pk == complaint.pk:
        raise LinkRefused(_("A complaint cannot be linked to itself."))
    if other.site_id != complaint.site_id:
        raise LinkRefused(_("%(reference)s was filed with another site: only complaints of the same site can be linked.") % {"reference": other.reference})


def check_can_relate(complaint, other):
    check_can_link(complaint, other)
    if complaint.related.filter(pk=other.pk).exists():
        raise LinkRefused(_("%(reference)s is already linked as related.") % {"reference": other.reference})


def check_can_be_duplicate(complaint, original):
    check_can_link(complaint, original)
    if complaint.duplicate_of_id is not None:
        raise LinkRefused(_("This complaint is already marked as a duplicate: remove that first."))
    if not complaint.is_open:
        raise LinkRefused(_("Only an open complaint can be marked as a duplicate: this one is closed."))
    if original.duplicate_of_id is not None:
        raise LinkRefused(
            _("%(reference)s is itself a duplicate of %(original)s: mark this complaint as a duplicate of %(original)s.")
            % {"reference": original.reference, "original": original.duplicate_of.reference}
        )
    if original.outcome == Outcome.WITHDRAWN:
        raise LinkRefused(
            _("%(reference)s was withdrawn by its complainant: handle this complaint on its own.")
            % {"reference": original.reference}
        )
    if complaint.duplicates.exists():
        raise LinkRefused(
            _("Other complaints are marked as duplicates of this one: it cannot become a duplicate itself.")
        )


def not_linked_message(other):
    return _("%(reference)s is not linked to this complaint.") % {"reference": other.reference}
