"""Erasing a person's personal data on their request (GDPR art. 17), with the reason logged.

Open complaints are refused, not closed on the office's behalf: the outcome of a complaint is
the office's decision, it feeds the statistics, and closing tells the complainant, which an
automatic close right before erasing could not do properly. The administrator (or the handler)
closes them through the workflow first, then erases.
"""

from django.db import transaction

from ..models import PersonalDataRemoval
from .anonymise import remove_personal_data


class StillOpen(Exception):
    def __init__(self, references):
        super().__init__(", ".join(references))
        self.references = references


def erase_person(complaints, by, reason):
    """Anonymise all of `complaints` in one transaction; StillOpen if any is open.

    Returns the references anonymised now (those erased before are skipped)."""
    with transaction.atomic():
        complaints = list(complaints)
        still_open = [complaint.reference for complaint in complaints if complaint.is_open]
        if still_open:
            raise StillOpen(still_open)
        done = []
        for complaint in complaints:
            if remove_personal_data(complaint, PersonalDataRemoval.REQUEST, by=by, reason=reason) is not None:
                done.append(complaint.reference)
    return done
