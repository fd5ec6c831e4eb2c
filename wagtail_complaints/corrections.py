"""Correcting a complaint's data: what the form was drawn from, what changed, and how it reads.

An edit form carries a signed snapshot of the values it showed. Saving compares that snapshot
with the complaint as it is now, so a form drawn before someone else's save never puts old
values back; and each correction records every field's value before and after.
"""

import json

from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

SALT = "wagtail_complaints.correction"

# Shown in the history only to those who may see the complainant's personal data.
PERSONAL_FIELDS = {"first_name", "last_name", "email", "phone", "patient_name", "relationship"}


class PersonalDataRemoved(Exception):
    """The complaint was anonymised: correcting it would put personal data back."""

    def __init__(self, complaint):
        super().__init__(complaint.reference)
        self.complaint = complaint


class StaleCorrection(Exception):
    """Someone saved the complaint since the form was drawn; `changed` names the fields they changed."""

    def __init__(self, complaint, changed):
        super().__init__(", ".join(changed))
        self.complaint = complaint
        self.changed = changed


def raw_value(complaint, name):
    """A field's stored value as JSON-safe data (a foreign key as its id, a date as ISO text)."""
    field = complaint._meta.get_field(name)
    return json.loads(json.dumps(field.value_from_object(complaint), cls=DjangoJSONEncoder))


def snapshot(complaint, names):
    return {name: raw_value(complaint, name) for name in names}


def sign(values):
    return signing.dumps(values, salt=SALT, compress=True)


def unsign(token):
    """The snapshot a form was drawn from, or None when the token was altered."""
    try:
        values = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, dict) else None


def changed_since(complaint, drawn_from):
    """Fields whose stored value is no longer the one the form was drawn from."""
    return [name for name, value in drawn_from.items() if raw_value(complaint, name) != value]


def readable_value(complaint, name):
    """How a value reads in the history: labels for choices and lists, ISO dates, text as is."""
    field = complaint._meta.get_field(name)
    if field.is_relation:
        related = getattr(complaint, name)
        return str(related) if related is not None else ""
    if field.choices:
        return str(getattr(complaint, f"get_{name}_display")())
    value = raw_value(complaint, name)
    return value if isinstance(value, bool) else ("" if value is None else str(value))


def apply(complaint, values):
    """Set `values` on `complaint`; the changes as [{field, before, after}], in the form's order."""
    changes = []
    for name, value in values.items():
        before_raw, before = raw_value(complaint, name), readable_value(complaint, name)
        setattr(complaint, name, value)
        if raw_value(complaint, name) != before_raw:
            changes.append({"field": name, "before": before, "after": readable_value(complaint, name)})
    return changes


def field_label(model, name):
    try:
        return model._meta.get_field(name).verbose_name
    except Exception:  # a field removed since the correction was logged
        return name


def display_value(value):
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value if value not in ("", None) else "—"


def readable_changes(model, changes, show_personal_data):
    """A logged correction as the screen shows it; personal values hidden from who may not see them."""
    rows = []
    for change in changes or []:
        name = change.get("field", "")
        hidden = name in PERSONAL_FIELDS and not show_personal_data
        rows.append(
            {
                "label": field_label(model, name),
                "hidden": hidden,
                "before": None if hidden else display_value(change.get("before")),
                "after": None if hidden else display_value(change.get("after")),
            }
        )
    return rows
