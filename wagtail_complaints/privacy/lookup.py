"""Finding every complaint of one person, by e-mail address or phone number, across all sites."""

import re

from django.db.models import Q, Value
from django.db.models.functions import Replace

from ..models import Complaint

# What people put between digits when they write a phone number.
PHONE_SEPARATORS = " -./()"
MIN_PHONE_DIGITS = 6


def phone_digits(value):
    """'+39 (06) 123-456' → '3906123456': only the digits."""
    return re.sub(r"\D", "", value or "")


def _stored_phone_digits():
    expression = "phone"
    for separator in PHONE_SEPARATORS + "+":
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def same_phone(a, b):
    """The same number, whether or not one of them carries the international prefix."""
    a, b = phone_digits(a), phone_digits(b)
    if len(a) < MIN_PHONE_DIGITS or len(b) < MIN_PHONE_DIGITS:
        return False
    return a.endswith(b) or b.endswith(a)


def complaints_of(email="", phone=""):
    """The complaints whose complainant has this e-mail address (any case) or this phone number."""
    email = (email or "").strip()
    digits = phone_digits(phone)
    found = Complaint.objects.none()
    if email:
        found = Complaint.objects.filter(email__iexact=email)
    if len(digits) >= MIN_PHONE_DIGITS:
        # The database narrows by the last digits; Python then checks the whole number.
        candidates = (
            Complaint.objects.exclude(phone="")
            .annotate(phone_digits=_stored_phone_digits())
            .filter(phone_digits__endswith=digits[-MIN_PHONE_DIGITS:])
            .values_list("pk", "phone")
        )
        by_phone = [pk for pk, stored in candidates if same_phone(stored, phone)]
        found = Complaint.objects.filter(Q(pk__in=found.values("pk")) | Q(pk__in=by_phone))
    return (
        found.select_related("site", "category__parent", "service")
        .prefetch_related("category__labels", "category__parent__labels", "service__labels")
        .order_by("received_at", "pk")
    )
