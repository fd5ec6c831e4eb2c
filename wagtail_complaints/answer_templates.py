"""Answer templates as a handler uses them: those in the complaint's language, placeholders filled in."""

import re

from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format

from .models import AnswerTemplate, ComplaintSettings

PLACEHOLDER = re.compile(r"\{(first_name|reference|answer_by|office_name)\}")


def offered_for(complaint):
    """Active templates in the complaint's language, and those written for every language."""
    language = (complaint.language or "").split("-")[0]
    return AnswerTemplate.objects.filter(Q(language=language) | Q(language=""), is_active=True).order_by(
        "-language", "title"
    )


def placeholder_values(complaint):
    office = ComplaintSettings.for_site(complaint.site) if complaint.site_id else ComplaintSettings()
    with translation.override(complaint.language or None):
        answer_by = date_format(complaint.answer_by, "DATE_FORMAT")
    return {
        "first_name": complaint.first_name,
        "reference": complaint.reference,
        "answer_by": answer_by,
        "office_name": office.office_name,
    }


def fill(template, complaint):
    """The template's text for this complaint; unknown braces are left as they are."""
    values = placeholder_values(complaint)
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template.body)


def insert(text, template, complaint):
    """What the handler typed, with the filled-in template appended after a blank line."""
    filled = fill(template, complaint)
    text = (text or "").rstrip()
    return f"{text}\n\n{filled}" if text else filled
