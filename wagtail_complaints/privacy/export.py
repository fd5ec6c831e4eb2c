"""Everything stored about a person, as one ZIP: `personal-data.json` and their attachments."""

import json
import tempfile
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from wagtail.log_actions import log

from ..attachments import clean_name
from .log_formats import EXPORTED

# Keep small files in memory, spill big ones (many attachments) to disk.
SPOOL_BYTES = 10 * 1024 * 1024


def complaint_record(complaint, attachment_paths):
    return {
        "reference": complaint.reference,
        "site": str(complaint.site) if complaint.site else None,
        "channel": complaint.get_channel_display(),
        "received_at": complaint.received_at,
        "category": complaint.category.label(),
        "service": complaint.service.label() if complaint.service else None,
        "event_date": complaint.event_date,
        "description": complaint.description,
        "extra_answers": complaint.extra_answers,
        "first_name": complaint.first_name,
        "last_name": complaint.last_name,
        "email": complaint.email,
        "phone": complaint.phone,
        "on_behalf_of_a_patient": complaint.on_behalf,
        "patient_name": complaint.patient_name,
        "relationship": complaint.relationship,
        "language": complaint.language,
        "contact_preference": complaint.get_contact_preference_display(),
        "privacy_notice_version": complaint.privacy_notice_version,
        "privacy_accepted_at": complaint.privacy_accepted_at,
        "state": complaint.get_status_display(),
        "answer_by": complaint.answer_by,
        "taken_in_charge_at": complaint.taken_in_charge_at,
        "first_answered_at": complaint.first_answered_at,
        "closed_at": complaint.closed_at,
        "outcome": complaint.get_outcome_display(),
        "closing_note": complaint.closing_note,
        "rating": complaint.rating,
        "rating_comment": complaint.rating_comment,
        "personal_data_removed_at": complaint.personal_data_removed_at,
        "messages": [
            {
                "kind": message.get_kind_display(),
                "written_at": message.created_at,
                "by": "complainant" if message.by_complainant else "office",
                "text": message.body,
            }
            for message in complaint.messages.all()
        ],
        "emails_sent": [
            {
                "created_at": email.created_at,
                "recipient": email.recipient,
                "subject": email.subject,
                "status": email.get_status_display(),
                "sent_at": email.sent_at,
            }
            # E-mails to the person, not the office's own notifications about them.
            for email in complaint.emails.all()
            if email.template.startswith("complainant/")
        ],
        "attachments": [
            {
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.uploaded_at,
                "file": attachment_paths[attachment.pk],
            }
            for attachment in complaint.attachments.all()
        ],
    }


def export_person(complaints, by):
    """A file object holding the ZIP for `complaints`; each complaint's history records the download."""
    complaints = list(complaints.prefetch_related("messages", "emails", "attachments"))
    archive_file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        records = []
        for complaint in complaints:
            paths = {}
            for number, attachment in enumerate(complaint.attachments.all(), start=1):
                path = f"attachments/{complaint.reference}/{number}-{clean_name(attachment.original_name)}"
                try:
                    source = attachment.file.open("rb")
                except FileNotFoundError:
                    paths[attachment.pk] = None  # listed, but gone from storage
                    continue
                with source, archive.open(path, "w") as target:
                    for chunk in iter(lambda: source.read(65536), b""):
                        target.write(chunk)
                paths[attachment.pk] = path
            records.append(complaint_record(complaint, paths))
        document = {"exported_at": timezone.now(), "complaints": records}
        archive.writestr(
            "personal-data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
    for complaint in complaints:
        # Never the person's address in the history: it outlives an erasure.
        log(complaint, EXPORTED, user=by)
    archive_file.seek(0)
    return archive_file
