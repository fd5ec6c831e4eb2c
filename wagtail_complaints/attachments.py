"""Files patients attach: checked by their content, stored privately, served only as downloads."""

import os
import unicodedata

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Content type → file name endings accepted for it. A site may narrow or widen it with the
# WAGTAIL_COMPLAINTS_ATTACHMENT_TYPES setting (same shape); the content decides, not the name.
DEFAULT_TYPES = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}

CHOOSE_AGAIN = _("Browsers cannot keep chosen files when a page comes back: please choose your files again.")


def allowed_types():
    return getattr(settings, "WAGTAIL_COMPLAINTS_ATTACHMENT_TYPES", DEFAULT_TYPES)


def type_names():
    """'PDF, JPG, PNG': what a patient may attach, for help texts and errors."""
    endings = []
    for extensions in allowed_types().values():
        endings.append(extensions[0].upper())
    return ", ".join(endings)


def clean_name(name):
    """A file name safe to show and to put in a header: no folders, no control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-200:] or "file"


def check_upload(upload, max_bytes):
    """The content type of a valid upload; ValidationError with a plain reason otherwise."""
    name = clean_name(upload.name)
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB: the largest file we accept is %(max)s MB."),
            code="too_large",
            params={"name": name, "size": round(upload.size / 1048576, 1), "max": max_bytes // 1048576},
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    kind = filetype.guess(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    types = allowed_types()
    # The bytes must be an accepted type, and the name must not pretend to be another one.
    if kind is None or kind.mime not in types or extension not in types[kind.mime]:
        raise ValidationError(
            _("“%(name)s” is not a file we accept. Please attach only %(types)s files."),
            code="refused_type",
            params={"name": name, "types": type_names()},
        )
    return kind.mime


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked in the form's clean step."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        files = [upload for upload in files if upload]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files

    def bound_data(self, data, initial):
        return data


class AttachmentsFieldMixin:
    """Adds an 'attachments' field to a form, with the site's limits, and saves its files."""

    attachments_field = "attachments"

    def add_attachments_field(self, office):
        self.max_attachments = office.max_attachments
        self.max_attachment_bytes = office.max_attachment_mb * 1048576
        if not self.max_attachments:
            return
        accept = ",".join(
            [f".{ext}" for extensions in allowed_types().values() for ext in extensions] + list(allowed_types())
        )
        self.fields[self.attachments_field] = MultipleFileField(
            label=_("Documents or photos"),
            required=False,
            help_text=format_lazy(
                _("Optional. Up to {count} files ({types}), {size} MB each at most."),
                count=self.max_attachments,
                types=type_names(),
                size=office.max_attachment_mb,
            ),
            widget=MultipleFileInput(attrs={"accept": accept}),
        )

    @property
    def attachment_fields(self):
        return [self[self.attachments_field]] if self.attachments_field in self.fields else []

    def clean_attachments(self):
        files = self.cleaned_data.get(self.attachments_field) or []
        if len(files) > self.max_attachments:
            raise ValidationError(
                ngettext(
                    "You chose %(chosen)d files: you can attach at most %(max)d file.",
                    "You chose %(chosen)d files: you can attach at most %(max)d files.",
                    self.max_attachments,
                )
                % {"chosen": len(files), "max": self.max_attachments}
                + " "
                + str(CHOOSE_AGAIN),
                code="too_many",
            )
        errors = []
        self.attachment_types = []
        for upload in files:
            try:
                self.attachment_types.append(check_upload(upload, self.max_attachment_bytes))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors + [str(CHOOSE_AGAIN)])
        return files

    def full_clean(self):
        super().full_clean()
        # Valid files are lost too when something else sends the page back: say so.
        name = self.attachments_field
        if self.is_bound and self._errors and name in self.fields and name not in self._errors:
            if self.files.getlist(self.add_prefix(name)):
                self.add_error(name, ValidationError(CHOOSE_AGAIN, code="choose_again"))

    def save_attachments(self, complaint, message=None, uploaded_by=None):
        """Store the checked files on the private storage, under random names."""
        files = self.cleaned_data.get(self.attachments_field) or []
        return [
            store(upload, content_type, complaint, message, uploaded_by)
            for upload, content_type in zip(files, getattr(self, "attachment_types", []))
        ]


def store(upload, content_type, complaint, message=None, uploaded_by=None):
    """Save one checked file (see check_upload) on the private storage, under a random name."""
    from .models import Attachment

    attachment = Attachment(
        complaint=complaint,
        message=message,
        original_name=clean_name(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=uploaded_by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def attachment_response(attachment):
    """A download that browsers never render in place: attachment, known type, no sniffing."""
    content_type = attachment.content_type if attachment.content_type in allowed_types() else "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
