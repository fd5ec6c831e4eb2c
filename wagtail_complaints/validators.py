"""What the forms refuse so that what is stored is what a person meant: plausible dates, names
without hidden control characters, phone numbers that are phone numbers."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1900, 1, 1)

# Control and format characters (Unicode Cc, Cf: RTL override, zero-width space…) turn a name
# into something else on screen; the joiners some scripts need are allowed.
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS = 6


def validate_plain_text(value):
    for character in value:
        if unicodedata.category(character) in ("Cc", "Cf") and character not in ALLOWED_FORMAT_CHARACTERS:
            raise ValidationError(
                _("Remove the hidden or control characters: use letters, spaces, apostrophes and hyphens."),
                code="control_characters",
            )


def validate_phone(value):
    if not PHONE_RE.match(value) or sum(c.isdigit() for c in value) < MIN_PHONE_DIGITS:
        raise ValidationError(
            _("Write a phone number with digits only (spaces, +, brackets and hyphens are fine), for example +39 06 1234 5678."),
            code="invalid_phone",
        )


def validate_past_date(value):
    """A day something happened: not in the future, not before 1900."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future: give the day it happened."), code="future")
    if value < EARLIEST_DATE:
        raise ValidationError(_("This date is too far in the past: check the year."), code="too_old")


def validate_past_moment(value):
    """A moment something was received: not in the future (five minutes' grace), not before 1900."""
    if value is None:
        return
    if value > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A complaint cannot be received in the future."), code="future")
    if timezone.localtime(value).date() < EARLIEST_DATE:
        raise ValidationError(_("This date is too far in the past: check the year."), code="too_old")


NAME_FIELDS = ("first_name", "last_name", "patient_name", "relationship")


def add_integrity_validators(form):
    """Attach the validators to a complaint form's fields (public or back office)."""
    for name in NAME_FIELDS:
        if name in form.fields:
            form.fields[name].validators.append(validate_plain_text)
    if "phone" in form.fields:
        form.fields["phone"].validators.append(validate_phone)
    if "event_date" in form.fields:
        form.fields["event_date"].validators.append(validate_past_date)
    if "received_at" in form.fields:
        form.fields["received_at"].validators.append(validate_past_moment)
