"""Per-site configuration, editable by administrators under Settings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="warning")
class ComplaintSettings(BaseSiteSetting):
    answer_within_days = models.PositiveIntegerField(
        _("answer within (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Calendar days from receipt to the answer-by date. Italy: 30 (DPCM 27/1/1994)."),
    )
    reopen_within_days = models.PositiveIntegerField(
        _("patients may reopen within (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Days after closing during which the patient can reopen from the private link."),
    )
    reminder_days = models.PositiveIntegerField(
        _("remind handlers (days before the answer-by date)"),
        default=5,
        validators=[MaxValueValidator(60)],
    )
    sender_email = models.EmailField(
        _("sender address"), blank=True, help_text=_("Empty: the server's DEFAULT_FROM_EMAIL.")
    )
    reply_address = models.EmailField(
        _("reply address"),
        blank=True,
        help_text=_(
            "The mailbox patients' replies go to, e.g. urp@hospital.example: e-mails to a complainant "
            "then ask for replies at urp+<code of the complaint>@hospital.example, so each reply finds "
            "its complaint. Your mail server must deliver those addresses to this mailbox."
        ),
    )
    office_name = models.CharField(
        _("office name"),
        max_length=255,
        blank=True,
        help_text=_("How e-mails sign, e.g. 'Ufficio Relazioni con il Pubblico'."),
    )
    office_contact = models.TextField(
        _("office contacts"), blank=True, help_text=_("Phone, address, opening hours: shown in e-mails.")
    )
    escalation_text = models.TextField(
        _("how to escalate"),
        blank=True,
        help_text=_("Who to turn to if the patient is not satisfied (e.g. the Difensore civico)."),
    )
    reference_prefix = models.CharField(
        _("reference prefix"), max_length=10, blank=True, help_text=_("E.g. 'URP-' gives URP-2026-000123.")
    )
    answers_in_email = models.BooleanField(
        _("send answers in the e-mail"),
        default=True,
        help_text=_("Off: e-mails only say there is an answer and give the private link (health data stay on the site)."),
    )
    viewers_see_personal_data = models.BooleanField(
        _("health-authority viewers see personal data"),
        default=False,
        help_text=_("Off: viewers see complaints without the complainant's name, e-mail and phone."),
    )
    max_attachments = models.PositiveIntegerField(
        _("attachments per message"), default=3, validators=[MaxValueValidator(10)]
    )
    max_attachment_mb = models.PositiveIntegerField(
        _("largest attachment (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("answer_within_days"), FieldPanel("reopen_within_days"), FieldPanel("reminder_days")],
            heading=_("Deadlines"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("office_name"),
                FieldPanel("sender_email"),
                FieldPanel("reply_address"),
                FieldPanel("office_contact"),
                FieldPanel("escalation_text"),
                FieldPanel("reference_prefix"),
            ],
            heading=_("Office"),
        ),
        MultiFieldPanel(
            [FieldPanel("answers_in_email"), FieldPanel("viewers_see_personal_data")],
            heading=_("Privacy"),
        ),
        MultiFieldPanel(
            [FieldPanel("max_attachments"), FieldPanel("max_attachment_mb")],
            heading=_("Attachments"),
        ),
    ]

    class Meta:
        verbose_name = _("complaints office")
