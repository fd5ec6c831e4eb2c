"""The office's own wording of the e-mails patients receive: `{placeholder}` substitution.

Plain `{name}` placeholders rather than the Django template language: a communications office
needs no syntax beyond them, and the wording cannot reach any object, tag or filter. Every value
is a ready-made string; the sentences that depend on the settings ({reopen}, {answer},
{escalation}) are built here, so edited e-mails promise no more than the shipped ones. The HTML
part is the escaped text with links and line breaks, so nothing typed can become markup.
"""

import re

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from .templatetags.complaints_public import long_date

PLACEHOLDER = re.compile(r"\{(\w*)\}")

COMMON = {
    "first_name": _("the complainant's first name"),
    "reference": _("the reference number"),
    "answer_by": _("the date by which the office answers"),
    "category": _("what the complaint is about"),
    "office_name": _("the office's name in the patient's language"),
    "follow_up_link": _("the private link to follow the complaint"),
}

# The patient e-mails the office may word: template: (name, {placeholder: meaning}).
EDITABLE_EMAILS = {
    "complainant/received": (_("Complaint received"), COMMON),
    "complainant/taken_in_charge": (_("Taken in charge"), COMMON),
    "complainant/answered": (
        _("Answered"),
        {**COMMON, "answer": _("the answer; where answers stay out of e-mails, a sentence pointing to the link")},
    ),
    "complainant/closed": (
        _("Closed"),
        {
            **COMMON,
            "outcome": _("the outcome"),
            "reopen": _("how to reopen and until when; empty when reopening is switched off"),
            "escalation": _("how to escalate, from the office's settings; empty if not set"),
        },
    ),
    "complainant/link_reissued": (_("New private link"), COMMON),
    "complainant/link_sent_again": (_("Private link sent again"), COMMON),
}


def placeholders_for(template):
    return EDITABLE_EMAILS[template][1]


def check(text, template):
    """Raise ValidationError naming what is not a placeholder of `template`; braces are only for those."""
    allowed = placeholders_for(template)
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in allowed})
    if unknown:
        raise ValidationError(
            _("Not a placeholder of this e-mail: %(names)s."),
            params={"names": ", ".join("{%s}" % name for name in unknown)},
        )
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValidationError(_("Curly braces are only for placeholders, such as {reference}."))


def substitute(text, values):
    """`text` with each {name} replaced; KeyError for a name `values` lacks."""
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def values(context):
    """The placeholders' values for one e-mail, in the active (the recipient's) language."""
    complaint, office = context["complaint"], context["office"]
    category = complaint.category.label() if complaint.category_id else ""
    if complaint.service_id:
        category = f"{category} – {complaint.service.label()}"
    message = context.get("message")
    if office.answers_in_email and message is not None:
        answer = message.body
    else:
        answer = gettext("To protect your privacy the answer is not in this e-mail: read it with your private link below.")
    reopen_until = context.get("reopen_until")
    reopen = (
        gettext("If you are not satisfied, you can reopen it from your private link until %(date)s and tell us why.")
        % {"date": long_date(reopen_until)}
        if reopen_until
        else ""
    )
    return {
        "first_name": complaint.first_name,
        "reference": complaint.reference,
        "answer_by": long_date(complaint.answer_by),
        "category": category,
        "office_name": office.office_name or gettext("Complaints office"),
        "follow_up_link": context["follow_up_url"],
        "answer": answer,
        "outcome": complaint.get_outcome_display(),
        "reopen": reopen,
        "escalation": office.escalation_text,
    }


def render(wording, context):
    """(subject, text, html) of `wording` for one e-mail; raises on anything that does not fit."""
    check(wording.subject, wording.template)
    check(wording.body, wording.template)
    filled = values(context)
    subject = substitute(wording.subject, filled)
    # Placeholders that are empty here ({reopen} once reopening is off) leave no blank paragraphs.
    body = re.sub(r"\n{3,}", "\n\n", substitute(wording.body, filled)).strip()
    text = render_to_string("wagtail_complaints/emails/custom.txt", {**context, "body": body})
    # The HTML part escapes the office's text in the template (urlize, then linebreaks).
    html = render_to_string("wagtail_complaints/emails/custom.html", {**context, "body": body})
    return subject, text, html


def sample_complaint(site=None):
    """An unsaved complaint that looks real, for previews: nothing about a real patient is shown."""
    import datetime

    from django.utils import timezone

    from .models import Category, Complaint, Outcome, Service

    now = timezone.now()
    return Complaint(
        reference="2026-000123",
        site=site,
        category=Category.objects.filter(is_active=True).order_by("sort_order", "name").first(),
        service=Service.objects.filter(is_active=True).order_by("sort_order", "name").first(),
        first_name="Maria",
        last_name="Rossi",
        description="…",
        received_at=now - datetime.timedelta(days=10),
        answer_by=timezone.localdate(now) + datetime.timedelta(days=20),
        closed_at=now,
        status="closed",
        outcome=Outcome.UPHELD,
        access_nonce="preview-only",
    )


def preview(wording, request):
    """Context of the admin preview: the e-mail `wording` gives, about a sample complaint."""
    from django.utils import translation

    from . import links
    from .models import ComplaintSettings, Message, MessageKind

    site = Site.find_for_request(request)
    office = (ComplaintSettings.for_site(site) if site else ComplaintSettings()).in_language(wording.language)
    with translation.override(wording.language):
        complaint = sample_complaint(site)
        context = {
            "complaint": complaint,
            "office": office,
            "site": site,
            "email": wording,
            "follow_up_url": links.follow_up_url(complaint),
            "message": Message(
                kind=MessageKind.ANSWER,
                body=gettext("We have spoken with the ward: from next month visiting hours will be longer."),
            ),
            "reopen_until": complaint.reopen_until(office.reopen_within_days),
        }
        try:
            subject, text, html = render(wording, context)
        except (ValidationError, KeyError) as error:
            return {"wording": wording, "error": "; ".join(getattr(error, "messages", [str(error)]))}
    return {"wording": wording, "subject": subject, "text": text, "html": html, "placeholders": placeholders_for(wording.template)}
