"""Which event e-mails whom, with which template, in which language.

Each e-mail is first written to the outbox (`Email`) in the caller's transaction, then sent in
the background once that transaction commits: a failing mail server never loses or blocks a
complaint, and the outbox row says what the patient was sent.
"""

import logging
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from . import email_wording, intake_cache
from .email_wording import EDITABLE_EMAILS
from .models import Email, EmailWording
from .models.operators import covering
from .models.settings import ComplaintSettings


logger = logging.getLogger(__name__)


def complainant(complaint):
    return [(complaint.email, complaint.language)] if complaint.email else []


def new_complaint_operators(complaint):
    # Remembered between submissions (intake_cache): the operators change far less often than complaints arrive.
    return [
        (email, language or settings.LANGUAGE_CODE)
        for email, language in covering(intake_cache.operators_notified_of_new(), complaint)
    ]


def assigned_handler(complaint):
    """The operator in charge, or, when nobody is, those notified of new complaints."""
    user = complaint.assigned_to
    if user is not None and user.is_active and user.email:
        return [(user.email, operator_language(user))]
    return new_complaint_operators(complaint)


def clinical_risk_contact(complaint):
    """The site's clinical-risk contact (ComplaintSettings), in the site's main language."""
    from wagtail.models import Site

    site = complaint.site or Site.objects.filter(is_default_site=True).first()
    address = ComplaintSettings.for_site(site).clinical_risk_email if site else ""
    return [(address, settings.LANGUAGE_CODE)] if address else []


# event: [(who, template)], templates under wagtail_complaints/emails/<template>{_subject.txt,.txt,.html}
EVENTS = {
    "received": [(complainant, "complainant/received"), (new_complaint_operators, "operator/new_complaint")],
    "taken_in_charge": [(complainant, "complainant/taken_in_charge")],
    "answered": [(complainant, "complainant/answered")],
    "closed": [(complainant, "complainant/closed")],
    "reopened": [(assigned_handler, "operator/reopened")],
    "complainant_replied": [(assigned_handler, "operator/complainant_replied")],
    "withdrawn": [(assigned_handler, "operator/withdrawn")],
    "link_reissued": [(complainant, "complainant/link_reissued")],
    "link_sent_again": [(complainant, "complainant/link_sent_again")],
    "answer_by_extended": [(complainant, "complainant/answer_by_extended")],
    "safety_flagged": [(clinical_risk_contact, "operator/safety_flagged")],
    "safety_unflagged": [(clinical_risk_contact, "operator/safety_unflagged")],
    "marked_duplicate": [(complainant, "complainant/marked_duplicate")],
    "closed_as_duplicate": [(complainant, "complainant/closed_as_duplicate")],
}


# Digests about several complaints (no `complaint` on the outbox row): who lists them, by event.
DIGESTS = {
    "reminder": "wagtail_complaints.reminders.digest_context",
    "escalation": "wagtail_complaints.escalation.digest_context",
}


def operator_language(user):
    profile = getattr(user, "wagtail_userprofile", None)
    return (profile and profile.preferred_language) or settings.LANGUAGE_CODE


def notify(event, complaint, **context):
    """Queue the e-mails `event` sends about `complaint`; they leave after the transaction commits."""
    emails = [
        Email(
            complaint=complaint,
            event=event,
            template=template,
            recipient=address,
            language=language,
            context=context,
        )
        for audience, template in EVENTS[event]
        for address, language in audience(complaint)
    ]
    Email.objects.bulk_create(emails)
    if emails:
        enqueue_together([email.pk for email in emails])
    return emails


def enqueue_together(email_ids):
    """One task for an event's e-mails: in the same transaction when the task queue is a table
    of this database (nothing more to write after COMMIT), otherwise once it commits."""
    from .tasks import send_emails

    if enqueues_in_transaction(send_emails.get_backend()):
        _enqueue(send_emails, email_ids)
    else:
        transaction.on_commit(partial(_enqueue, send_emails, email_ids))


def enqueues_in_transaction(backend):
    return type(backend).__module__.startswith("django_tasks_db.") and transaction.get_connection().in_atomic_block


def enqueue(email_id, run_after=None):
    from .tasks import send_email

    _enqueue(send_email if run_after is None else send_email.using(run_after=run_after), email_id)


def _enqueue(task, ids):
    try:
        task.enqueue(ids)
    except Exception:
        # The outbox rows stay queued; the periodic sweep (`send_complaint_emails`) picks them up.
        logger.exception("Could not enqueue complaint e-mails %s", ids)


def render(email):
    """The message for an outbox row, rendered in the recipient's language."""
    complaint = email.complaint
    site = complaint.site if complaint else None
    office = (ComplaintSettings.for_site(site) if site else ComplaintSettings()).in_language(email.language)
    context = {
        "complaint": complaint,
        "office": office,
        "site": site,
        "email": email,
        # Sentences that offer reopening appear only while the settings allow it.
        "reopen_until": complaint.reopen_until(office.reopen_within_days) if complaint else None,
        **email.context,
        **extra_context(email),
    }
    with translation.override(email.language):
        subject, text, html = render_office_wording(email, context) or render_templates(email, context)
    # A subject is one line: no header injection through names or categories.
    subject = " ".join(subject.split())[:250]
    from_email = office.sender_email or settings.DEFAULT_FROM_EMAIL
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[email.recipient],
        headers=threading_headers(email, office, from_email),
    )
    if complaint is not None and office.reply_address and email.template.startswith("complainant/"):
        # The patient's answer comes back tagged with the complaint (see mailin/).
        from .links import reply_to_address

        message.reply_to = [reply_to_address(complaint, office.reply_address)]
    message.attach_alternative(html, "text/html")
    return message


def render_templates(email, context):
    """(subject, text, html) from the shipped templates."""
    return tuple(
        render_to_string(f"wagtail_complaints/emails/{email.template}{suffix}", context)
        for suffix in ("_subject.txt", ".txt", ".html")
    )


def render_office_wording(email, context):
    """(subject, text, html) from the office's edited text, or None to use the shipped templates.

    A broken edit never stops an e-mail: the default goes out and the row says why."""
    email.wording_error = ""
    if email.complaint is None or email.template not in EDITABLE_EMAILS:
        return None
    wording = EmailWording.objects.for_email(email)
    if wording is None:
        return None
    try:
        return email_wording.render(wording, context)
    except Exception as error:  # noqa: BLE001 - any fault in the office's text falls back to the default
        email.wording_error = f"{wording}: {'; '.join(getattr(error, 'messages', [repr(error)]))}"[:2000]
        logger.warning("Complaint e-mail %s sent with the shipped text: %s", email.pk, email.wording_error)
        return None


def threading_headers(email, office, from_email):
    """A stable Message-ID, and for e-mails about a complaint the thread they belong to."""
    from . import links

    domain = (office.reply_address or parseaddr(from_email)[1]).rpartition("@")[2] or "localhost"
    headers = {"Message-ID": links.email_message_id(email, domain)}
    if email.complaint_id is not None:
        # A complaint that came by e-mail threads under the patient's own message.
        root = email.context.get("in_reply_to") or links.thread_id(email.complaint, domain)
        headers["In-Reply-To"] = headers["References"] = root
    return headers


def extra_context(email):
    """Context that depends on the event: the links and texts an e-mail points to."""
    from . import links

    from .models import Message

    complaint = email.complaint
    if complaint is None:
        # Digests about several complaints (reminders, escalations) build their own list.
        builder = DIGESTS.get(email.event)
        return import_string(builder)(email) if builder else {}
    context = {
        "follow_up_url": links.follow_up_url(complaint),
        "admin_url": links.admin_url(complaint),
    }
    if "message_id" in email.context:
        context["message"] = Message.objects.filter(pk=email.context["message_id"]).first()
    return context
