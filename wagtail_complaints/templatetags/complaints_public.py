"""Filters for what patients read: dates as their language writes them, references that never wrap."""

from django import template
from django.utils import formats, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()

# Languages that write month and day names in lower case inside a date ("31 dicembre 2026").
LOWER_CASE_MONTHS = {"it", "es", "fr", "pt", "ca", "ro", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "sl", "hr"}


@register.filter
def long_date(value, format_name="DATE_FORMAT"):
    """The date in the active language's DATE_FORMAT (or `format_name`), month names cased as that
    language writes them: Django's Italian catalogue capitalises them ("31 Dicembre")."""
    if not value:
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = formats.date_format(value, format_name)
    if (get_language() or "").split("-")[0] in LOWER_CASE_MONTHS:
        for name in (str(MONTHS[value.month]), str(WEEKDAYS[value.weekday()])):
            text = text.replace(name, name.lower())
    return text


@register.filter
def reference(value):
    """A reference number as one unbreakable piece: "URP-2026-000123" never splits on a phone."""
    return format_html('<span class="wc-reference-number">{}</span>', value)
