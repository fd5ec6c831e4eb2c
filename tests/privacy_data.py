"""A complaint carrying every kind of personal data, with markers to look for in pages, exports,
e-mails and files (shared by the privacy tests)."""

from django.core.files.base import ContentFile

from wagtail_complaints import actions
from wagtail_complaints.models import Attachment, Complaint, Outcome

from .factories import make_complaint

MARKERS = {
    "description": "DESCRIPTION-MARKER diabete",
    "extra": "EXTRA-ANSWER-MARKER",
    "answer": "ANSWER-MARKER Gentile signor Mario Bianchi",
    "reply": "REPLY-MARKER mia madre Anna Verdi",
    "note": "INTERNAL-MEMO-MARKER",
    "closing_note": "CLOSING-NOTE-MARKER",
    "rating_comment": "RATING-COMMENT-MARKER",
    "attachment_name": "Mario_Rossi_referto.pdf",
    "old_email": "old.address@example.com",
    "phone": "+39 333 123 4567",
    "patient": "PATIENT-MARKER",
}
PDF = b"%PDF-1.4\n% ATTACHMENT-CONTENT-MARKER\n%%EOF\n"


def attach(complaint, name=MARKERS["attachment_name"], content=PDF, message=None):
    attachment = Attachment(
        complaint=complaint, message=message, original_name=name, content_type="application/pdf", size=len(content)
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def make_full_complaint(handler, close=True, **fields):
    """Filed, answered, replied to, noted, (closed and rated); its e-mail changed after the first e-mails."""
    fields.setdefault("email", MARKERS["old_email"])
    fields.setdefault("phone", MARKERS["phone"])
    complaint = make_complaint(
        description=MARKERS["description"],
        extra_answers={"Which ward?": MARKERS["extra"]},
        on_behalf=True,
        patient_name=MARKERS["patient"],
        relationship="figlia",
        **fields,
    )
    actions.notify("received", complaint)
    complaint = actions.take_in_charge(complaint, handler)
    complaint, _ = actions.answer(complaint, handler, MARKERS["answer"])
    _, reply = actions.reply(complaint, MARKERS["reply"])
    attach(complaint, message=reply)
    actions.add_note(complaint, handler, MARKERS["note"])
    if close:
        complaint = actions.close(complaint, handler, Outcome.PARTLY_UPHELD, note=MARKERS["closing_note"])
        complaint = actions.rate(complaint, 4, MARKERS["rating_comment"])
    # The complainant gave a new address: the outbox still holds the old one.
    Complaint.objects.filter(pk=complaint.pk).update(email="new.address@example.com")
    return Complaint.objects.get(pk=complaint.pk)


__all__ = ["MARKERS", "PDF", "attach", "make_full_complaint"]
