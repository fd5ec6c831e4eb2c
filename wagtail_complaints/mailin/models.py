"""Per-site mailbox settings, and the log of every message the mailboxes received."""

import secrets

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..site_settings_policy import OwnSitesSettingMixin

from ..models.complaint import private_storage


class MailboxKind(models.TextChoices):
    NONE = "", _("None (e-mails arrive through receive_complaint_email, or not at all)")
    IMAP = "imap", _("IMAP mailbox over TLS (also PEC)")
    MAILDIR = "maildir", _("Maildir folder on this server")


class MailboxSettingsForm(WagtailAdminModelForm):
    """The password is never sent back to the browser; leaving it empty keeps the saved one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["imap_password"].widget = forms.PasswordInput(render_value=False)

    def clean_imap_password(self):
        return self.cleaned_data.get("imap_password") or (self.instance.imap_password if self.instance.pk else "")


@register_setting(icon="mail")
class MailboxSettings(OwnSitesSettingMixin, BaseSiteSetting):
    kind = models.CharField(_("incoming mailbox"), max_length=10, choices=MailboxKind.choices, blank=True)
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(
        _("port"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    imap_username = models.CharField(_("user name"), max_length=255, blank=True)
    imap_password = models.CharField(
        _("password"), max_length=255, blank=True, help_text=_("Leave empty to keep the saved password.")
    )
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    maildir_path = models.CharField(
        _("Maildir folder"), max_length=500, blank=True, help_text=_("E.g. /var/mail/urp/Maildir")
    )

    base_form_class = MailboxSettingsForm

    panels = [
        FieldPanel("kind"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("imap_host"), FieldPanel("imap_port")]),
                FieldRowPanel([FieldPanel("imap_username"), FieldPanel("imap_password")]),
                FieldPanel("imap_folder"),
            ],
            heading=_("IMAP"),
        ),
        FieldPanel("maildir_path"),
    ]

    class Meta:
        verbose_name = _("complaints mailbox")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == MailboxKind.IMAP and not (self.imap_host and self.imap_username):
            raise ValidationError(_("An IMAP mailbox needs a server and a user name."))
        if self.kind == MailboxKind.MAILDIR and not self.maildir_path:
            raise ValidationError({"maildir_path": _("Give the path of the Maildir folder.")})


class Result(models.TextChoices):
    NEW_COMPLAINT = "complaint", _("Became a complaint")
    REPLY = "reply", _("Added to a complaint as the complainant's reply")
    IGNORED = "ignored", _("Ignored: sent automatically (auto-reply, bounce, mailing list)")
    KEPT = "kept", _("Kept for an operator")
    FAILED = "failed", _("Failed: will be retried")


NEEDS_ATTENTION = [Result.KEPT, Result.FAILED]


def original_path(instance, filename):
    # A random name: the message may carry health details and is read only through the admin.
    return f"complaint-emails/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.eml"


class IncomingEmail(models.Model):
    """One message received, once: its Message-ID is unique, so a message fetched twice is skipped."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    site = models.ForeignKey("wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    original = models.FileField(_("original message"), upload_to=original_path, storage=private_storage)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.FAILED)
    reason = models.TextField(_("why"), blank=True)
    complaint = models.ForeignKey(
        "wagtail_complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("incoming e-mail")
        verbose_name_plural = _("incoming e-mails")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["result", "received_at"], name="complaint_incoming_result")]

    def __str__(self):
        return self.subject or self.message_id

    @property
    def needs_attention(self):
        return self.result in NEEDS_ATTENTION

    def raw(self):
        with self.original.open("rb") as file:
            return file.read()
