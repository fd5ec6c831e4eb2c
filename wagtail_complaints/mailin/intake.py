"""Turn one received message into a complaint, a reply, or a record of why it is neither.

Every message is recorded once, by Message-ID, with its original, before anything else happens:
a message whose processing fails stays recorded as failed and `retry_failed` tries it again.
"""

import logging
import re

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .. import actions, attachments, links
from ..conf import get_setting
from ..deadlines import set_deadlines
from ..models import Category, Channel, Complaint, ComplaintSettings
from .models import IncomingEmail, Result
from .parsing import content_message_id, parse
from .text import trim_quoted

logger = logging.getLogger(__name__)

# A reference as the office writes them: an optional prefix, the year, six digits.
REFERENCE = re.compile(r"\b[A-Za-z0-9]{0,10}-?\d{4}-\d{6}\b")


# A message failing this many times waits for an operator's "Try again now".
MAX_ATTEMPTS = 10


def receive(raw, site=None):
    """Record and process one raw message; a message already processed is left as it was."""
    try:
        parsed = parse(raw)
    except Exception:  # noqa: BLE001 - recorded below all the same; processing will say why
        logger.exception("Could not parse an incoming complaint e-mail")
        parsed = None
    try:
        with transaction.atomic():
            incoming = IncomingEmail(
                message_id=parsed.message_id if parsed else content_message_id(raw),
                site=site,
                sender=parsed.sender_address if parsed else "",
                subject=parsed.subject if parsed else "",
            )
            incoming.original.save("original.eml", ContentFile(raw), save=False)
            incoming.save()
    except IntegrityError:
        incoming = IncomingEmail.objects.get(message_id=parsed.message_id if parsed else content_message_id(raw))
        if incoming.result != Result.FAILED:
            return incoming  # seen before: nothing twice
    return process(incoming, parsed)


def retry_failed():
    """Try again the messages whose processing failed, up to MAX_ATTEMPTS times each."""
    failed = IncomingEmail.objects.filter(result=Result.FAILED, attempts__lt=MAX_ATTEMPTS)
    return [process(incoming) for incoming in failed]


def process(incoming, parsed=None):
    with transaction.atomic():
        incoming = IncomingEmail.objects.select_for_update().get(pk=incoming.pk)
        if incoming.result != Result.FAILED:
            return incoming  # another worker got there first
        incoming.attempts += 1
        try:
            with transaction.atomic():
                result, reason, complaint = handle(parsed or parse(incoming.raw()), incoming.site)
        except Exception as error:  # noqa: BLE001 - kept as failed and shown to operators, never lost
            logger.exception("Could not process incoming complaint e-mail %s", incoming.pk)
            result, reason, complaint = Result.FAILED, f"{type(error).__name__}: {error}"[:2000], None
        incoming.result, incoming.reason, incoming.complaint = result, reason, complaint
        incoming.processed_at = timezone.now()
        incoming.save()
    return incoming


def handle(parsed, site):
    """(result, reason, complaint) for one message; raises when something unexpected breaks."""
    if parsed.is_automatic:
        return Result.IGNORED, parsed.automatic_reason, None
    if not parsed.sender_address:
        with override(settings.LANGUAGE_CODE):
            return Result.KEPT, _("No sender address: there is nobody to answer."), None
    tagged = tagged_complaint(parsed)
    if tagged is not None and tagged.email.lower() == parsed.sender_address:
        if not tagged.is_open:
            with override(settings.LANGUAGE_CODE):
                reason = _("A reply to a closed complaint: read it, and reopen the complaint if it asks for more.")
            return Result.KEPT, reason, tagged
        add_reply(tagged, parsed)
        return Result.REPLY, "", tagged
    related = [tagged] if tagged is not None else mentioned_complaints(parsed)
    return Result.NEW_COMPLAINT, "", new_complaint(parsed, site, related)


def tagged_complaint(parsed):
    """The complaint whose reply address the message was sent to, if the tag is genuine."""
    for tag in parsed.reply_tags():
        pk = links.complaint_pk_for_reply_tag(tag)
        if pk is not None:
            complaint = Complaint.objects.filter(pk=pk).first()
            if complaint is not None:
                return complaint
    return None


def mentioned_complaints(parsed):
    references = set(REFERENCE.findall(parsed.subject))
    return list(Complaint.objects.filter(reference__in=references)) if references else []


def add_reply(complaint, parsed):
    """The complainant's answer, as if written on the private page: quoted history cut."""
    body = trim_quoted(parsed.text) or parsed.text or parsed.subject
    complaint, message = actions.reply(complaint, body)
    refused = save_attachments(parsed, complaint, message)
    if refused:
        actions.add_note(complaint, None, refused_note(refused))


def new_complaint(parsed, site, related):
    office = ComplaintSettings.for_site(site) if site else ComplaintSettings()
    first_name, _space, last_name = (parsed.sender_name or parsed.sender_address.partition("@")[0]).partition(" ")
    now = timezone.now()
    description = "\n\n".join(part for part in (parsed.subject, parsed.text) if part)
    complaint = Complaint(
        site=site,
        channel=Channel.EMAIL,
        category=Category.objects.to_be_classified(),
        description=description[: get_setting("MAX_DESCRIPTION_LENGTH")] or "—",
        first_name=first_name[:150],
        last_name=last_name[:150],
        email=parsed.sender_address,
        language=settings.LANGUAGE_CODE.split("-")[0],
        received_at=now,
    )
    set_deadlines(complaint, office)
    complaint.assign_reference(prefix=office.reference_prefix)
    with override(settings.LANGUAGE_CODE):
        notes = [related_note(other) for other in related]
        if len(description) > get_setting("MAX_DESCRIPTION_LENGTH"):
            notes.append(_("The e-mail was longer than a complaint's text: read the whole of it in the original."))
    complaint = actions.receive_by_email(complaint, message_id=parsed.message_id, notes=notes)
    refused = save_attachments(parsed, complaint, office=office)
    if refused:
        actions.add_note(complaint, None, refused_note(refused))
    return complaint


def save_attachments(parsed, complaint, message=None, office=None):
    """Store the files that pass the web form's checks; return why the others were refused."""
    office = office or (ComplaintSettings.for_site(complaint.site) if complaint.site else ComplaintSettings())
    refused = []
    with override(settings.LANGUAGE_CODE):  # the reasons are read by the office
        for index, part in enumerate(parsed.attachments):
            upload = SimpleUploadedFile(part.name, part.content, part.content_type)
            if index >= office.max_attachments:
                refused.append(_("“%(name)s”: more files than the office accepts in one message.")
                               % {"name": attachments.clean_name(part.name)})
                continue
            try:
                content_type = attachments.check_upload(upload, office.max_attachment_mb * 1048576)
            except ValidationError as error:
                refused.extend(error.messages)
                continue
            attachments.store(upload, content_type, complaint, message)
    return refused


def related_note(other):
    return _(
        "This e-mail may be related to complaint %(reference)s, but it did not come as a reply from that "
        "complaint's complainant, so it was not added to it. Link them yourself if they belong together."
    ) % {"reference": other.reference}


def refused_note(refused):
    with override(settings.LANGUAGE_CODE):
        return _("Attachments refused and not stored:") + "\n" + "\n".join(f"• {reason}" for reason in refused)
