"""The e-mail outbox: one row per e-mail to send, written in the same transaction as its cause."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.models import PreviewableMixin


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Delivered to the mail server")
    FAILED = "failed", _("Failed")


class EmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.exclude(status=EmailStatus.SENT)

    def abandoned(self, before):
        """Unsent, and untouched since `before`: written or claimed then, never finished since."""
        return self.unsent().filter(
            models.Q(claimed_at__isnull=True, created_at__lte=before) | models.Q(claimed_at__lte=before)
        )


class Email(models.Model):
    complaint = models.ForeignKey(
        "wagtail_complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        help_text=_("Empty for digests about several complaints, such as reminders."),
    )
    event = models.CharField(_("event"), max_length=40)
    template = models.CharField(_("template"), max_length=100)
    # Emptied with the complaint's other personal data (privacy/anonymise.py).
    recipient = models.EmailField(_("recipient"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Committed before the mail server is contacted: a worker killed mid-send leaves it behind.
    claimed_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    wording_error = models.TextField(
        _("office wording not used"),
        blank=True,
        help_text=_("Why the office's edited text could not be used and the shipped default was sent."),
    )

    objects = EmailQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="complaint_email_status")]

    def __str__(self):
        return f"{self.event} → {self.recipient}"


def editable_email_choices():
    from ..email_wording import EDITABLE_EMAILS

    return [(template, label) for template, (label, _placeholders) in EDITABLE_EMAILS.items()]


def language_choices():
    return list(settings.LANGUAGES)


class EmailWordingQuerySet(models.QuerySet):
    def for_email(self, email):
        """The office's wording for an outbox row, if it wrote one for that e-mail and language."""
        return self.filter(template=email.template, language=email.language.split("-")[0], is_active=True).first()


class EmailWording(PreviewableMixin, models.Model):
    """The office's subject and text for one patient e-mail in one language; without one, the
    shipped template is used. Placeholders such as {reference} are filled in when it is sent."""

    template = models.CharField(_("e-mail"), max_length=100, choices=editable_email_choices)
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("in use"), default=True, help_text=_("Off: the shipped text is sent."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = EmailWordingQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail text")
        verbose_name_plural = _("e-mail texts")
        ordering = ["template", "language"]
        constraints = [
            models.UniqueConstraint(fields=["template", "language"], name="complaint_email_wording_language")
        ]

    def __str__(self):
        return f"{self.get_template_display()} ({self.get_language_display()})"

    def clean(self):
        from ..email_wording import check

        errors = {}
        if self.template:
            for field in ("subject", "body"):
                try:
                    check(getattr(self, field), self.template)
                except ValidationError as error:
                    errors[field] = error
        if errors:
            raise ValidationError(errors)

    # -- preview in the admin: the e-mail as the patient would get it, about a sample complaint ----

    def serve_preview(self, request, mode_name):
        from ..email_wording import preview

        return TemplateResponse(request, "wagtail_complaints/admin/email_preview.html", preview(self, request))
