"""The e-mail outbox: one row per e-mail to send, written in the same transaction as its cause."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Delivered to the mail server")
    FAILED = "failed", _("Failed")


class EmailQuerySet(models.QuerySet):
    def unsent(self):
        return self.exclude(status=EmailStatus.SENT)


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
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = EmailQuerySet.as_manager()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="complaint_email_status")]

    def __str__(self):
        return f"{self.event} → {self.recipient}"
