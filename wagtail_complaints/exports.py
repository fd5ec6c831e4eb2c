"""How the inbox's spreadsheet exports write values: as the office reads them, not as stored."""

import datetime

from django.utils import timezone
from wagtail.admin.views.mixins import SpreadsheetExportMixin

CSV, XLSX = SpreadsheetExportMixin.FORMAT_CSV, SpreadsheetExportMixin.FORMAT_XLSX


def local_time(value):
    """A time in the site's time zone, to the second: "2026-12-01 10:05:00", never UTC microseconds."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0, tzinfo=None)


def full_name(user):
    """An operator as colleagues know them; their username only if they have no name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def hospital(site):
    """A site as the office names it (its site name, else its host name)."""
    if site is None:
        return ""
    return site.site_name or site.hostname


# For SpreadsheetExportMixin.custom_value_preprocess and custom_field_preprocess.
VALUE_PREPROCESS = {
    **SpreadsheetExportMixin.custom_value_preprocess,
    datetime.datetime: {CSV: lambda value: str(local_time(value)), XLSX: local_time},
}
OPERATOR_FIELDS = ("assigned_to", "registered_by")
FIELD_PREPROCESS = {
    **{name: {CSV: full_name, XLSX: full_name} for name in OPERATOR_FIELDS},
    "site": {CSV: hospital, XLSX: hospital},
}


def reference_of(complaint):
    return complaint.reference if complaint is not None else ""


FIELD_PREPROCESS["duplicate_of"] = {CSV: reference_of, XLSX: reference_of}
