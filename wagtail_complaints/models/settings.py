"""Per-site configuration, editable by administrators under Settings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..intake_cache import InvalidatingQuerySet
from ..site_settings_policy import OwnSitesSettingMixin

# The office's words that patients read; each may be given again per language.
OFFICE_TEXT_FIELDS = ("office_name", "office_contact", "signature", "escalation_text")


def language_choices():
    return list(settings.LANGUAGES)


class AnswersInEmailStatePanel(HelpPanel):
    """Says, above the checkbox, which way answers travel now and what it means for health data."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if getattr(self.instance, "answers_in_email", True):
                text = _(
                    "Now: the office's answers are written in the e-mails, so they stay in the patient's "
                    "mailbox (and any mail provider's). E-mails never carry the patient's own description, "
                    "answers to extra questions or files."
                )
            else:
                text = _(
                    "Now: e-mails only say that there is news and give the private link; every text stays "
                    "on this site."
                )
            self.content = format_html('<p class="help-block help-info">{}</p>', text)


class DayCount(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days (weekends and public holidays skipped)")


@register_setting(icon="warning")
class ComplaintSettings(OwnSitesSettingMixin, ClusterableModel, BaseSiteSetting):
    answer_within_days = models.PositiveIntegerField(
        _("answer within (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Days from receipt to the answer-by date, counted as set below. Italy: 30 calendar days "
            "(DPCM 27/1/1994); Wales: 30 working days."
        ),
    )
    count_days_as = models.CharField(
        _("count deadlines in"),
        max_length=10,
        choices=DayCount.choices,
        default=DayCount.CALENDAR,
        help_text=_("Working days skip Saturdays, Sundays and the public holidays of the country below."),
    )
    holiday_country = models.CharField(
        _("country of the public holidays"),
        max_length=3,
        default="IT",
        help_text=_("Two-letter country code, e.g. IT, GB, ES. Used when deadlines count working days."),
    )
    holiday_subdivision = models.CharField(
        _("region or province of the public holidays"),
        max_length=10,
        blank=True,
        help_text=_(
            "Optional: adds local holidays, e.g. RM for Rome's patron saint, ENG for England's bank holidays."
        ),
    )
    acknowledge_within_days = models.PositiveIntegerField(
        _("acknowledge within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Empty: no acknowledgement deadline (Italy). England: 3 working days; Wales: 2. A complaint "
            "counts as acknowledged when an operator takes it in charge."
        ),
    )
    reopen_within_days = models.PositiveIntegerField(
        _("patients may reopen within (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Days after closing during which the patient can reopen from the private link."),
    )
    auto_assign = models.BooleanField(
        _("assign new complaints automatically"),
        default=False,
        help_text=_(
            "A new complaint is assigned to the handler who covers its category and service, "
            "when exactly one handler does."
        ),
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
    clinical_risk_email = models.EmailField(
        _("clinical-risk contact"),
        blank=True,
        help_text=_(
            "Who is e-mailed when a handler flags a complaint as a possible patient-safety incident, "
            "e.g. the clinical risk manager. The e-mail gives the reference, date and category and a "
            "link to the admin, never health details."
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
    signature = models.TextField(
        _("signature"),
        blank=True,
        help_text=_("Who signs the e-mails to patients, e.g. 'The head of the office, Dr Anna Bianchi'."),
    )
    escalation_text = models.TextField(
        _("how to escalate"),
        blank=True,
        help_text=_(
            "Who to turn to if the patient is not satisfied (e.g. the Difensore civico). "
            "Reopening is offered by the e-mails and the private page themselves: do not repeat it here."
        ),
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=10,
        blank=True,
        help_text=_(
            "E.g. 'SL-' gives SL-2026-000123. Each prefix has its own numbering: give each hospital its own."
        ),
    )
    office_head = models.ForeignKey(
        "wagtail_complaints.Operator",
        verbose_name=_("head of the office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"role__in": ["administrator", "handler"]},
        help_text=_("Receives, once a day, the complaints overdue for longer than the days below."),
    )
    escalate_after_days = models.PositiveIntegerField(
        _("tell the head of the office after (days overdue)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_("Empty: no escalation. Each complaint is reported once."),
    )
    answers_in_email = models.BooleanField(
        _("send answers in the e-mail"),
        default=True,
        help_text=_(
            "On (what patients expect): the e-mail carries the office's answer, which may contain health "
            "data, and it stays in the patient's mailbox. Switch it off when answers often carry diagnoses "
            "or when mailboxes may be shared: e-mails then only say there is an answer and give the "
            "private link."
        ),
    )
    viewers_see_personal_data = models.BooleanField(
        _("health-authority viewers see personal data"),
        default=False,
        help_text=_("Off: viewers see complaints without the complainant's name, e-mail and phone."),
    )
    keep_personal_data_days = models.PositiveIntegerField(
        _("keep personal data for (days after closing)"),
        default=3650,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_(
            "After that, the retention task removes names, contacts, texts and files of closed "
            "complaints; the reference, dates, classification and outcome stay for the statistics. "
            "Default: ten years."
        ),
    )
    max_attachments = models.PositiveIntegerField(
        _("attachments per message"), default=3, validators=[MaxValueValidator(10)]
    )
    max_attachment_mb = models.PositiveIntegerField(
        _("largest attachment (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("answer_within_days"),
                FieldPanel("acknowledge_within_days"),
                FieldPanel("count_days_as"),
                FieldRowPanel([FieldPanel("holiday_country"), FieldPanel("holiday_subdivision")]),
                FieldPanel("reopen_within_days"),
                FieldPanel("reminder_days"),
            ],
            heading=_("Deadlines"),
        ),
        MultiFieldPanel([FieldPanel("office_head"), FieldPanel("escalate_after_days")], heading=_("Escalation")),
        MultiFieldPanel([FieldPanel("auto_assign"), FieldPanel("clinical_risk_email")], heading=_("Routing")),
        MultiFieldPanel(
            [
                FieldPanel("office_name"),
                FieldPanel("sender_email"),
                FieldPanel("reply_address"),
                FieldPanel("office_contact"),
                FieldPanel("signature"),
                FieldPanel("escalation_text"),
                FieldPanel("reference_prefix"),
            ],
            heading=_("Office"),
            help_text=_("In the site's main language; the rows below give them in other languages."),
        ),
        InlinePanel("office_texts", heading=_("The office's texts in other languages"), label=_("Language")),
        MultiFieldPanel(
            [
                AnswersInEmailStatePanel(),
                FieldPanel("answers_in_email"),
                FieldPanel("viewers_see_personal_data"),
                FieldPanel("keep_personal_data_days"),
            ],
            heading=_("Privacy"),
        ),
        MultiFieldPanel(
            [FieldPanel("max_attachments"), FieldPanel("max_attachment_mb")],
            heading=_("Attachments"),
        ),
    ]


    # Every submission reads these settings from memory: bulk updates must say they changed.
    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaints office")

    def clean(self):
        super().clean()
        from ..deadlines import holiday_calendar_error  # deadlines reads these settings: imported late

        errors = {}
        self.holiday_country = (self.holiday_country or "").strip().upper()
        self.holiday_subdivision = (self.holiday_subdivision or "").strip().upper()
        problem = holiday_calendar_error(self.holiday_country, self.holiday_subdivision)
        if problem:
            errors[problem[0]] = problem[1]
        if self.escalate_after_days is not None and self.office_head_id is None:
            errors["office_head"] = _("Choose who receives the escalations, or empty the days overdue.")
        shared = (
            ComplaintSettings.objects.filter(reference_prefix=self.reference_prefix)
            .exclude(pk=self.pk)
            .select_related("site")
            .first()
        )
        if shared is not None:
            errors["reference_prefix"] = _(
                "%(site)s uses this prefix too: its complaints would share the numbering. Choose another one."
            ) % {"site": shared.site.site_name or shared.site.hostname}
        if errors:
            raise ValidationError(errors)

    def in_language(self, language=None):
        """These settings with the office's texts in `language` (default: the active one)."""
        return LocalisedOffice(self, language or get_language() or settings.LANGUAGE_CODE)


class OfficeText(models.Model):
    """The office's texts in one language; an empty field falls back to the main one."""

    office = ParentalKey(ComplaintSettings, on_delete=models.CASCADE, related_name="office_texts")
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    office_name = models.CharField(_("office name"), max_length=255, blank=True)
    office_contact = models.TextField(_("office contacts"), blank=True)
    signature = models.TextField(_("signature"), blank=True)
    escalation_text = models.TextField(_("how to escalate"), blank=True)

    panels = [
        FieldPanel("language"),
        FieldRowPanel([FieldPanel("office_name"), FieldPanel("signature")]),
        FieldRowPanel([FieldPanel("office_contact"), FieldPanel("escalation_text")]),
    ]

    class Meta:
        verbose_name = _("office texts in a language")
        verbose_name_plural = _("office texts in other languages")
        constraints = [
            models.UniqueConstraint(fields=["office", "language"], name="complaint_office_text_language")
        ]

    def __str__(self):
        return self.get_language_display()


class LocalisedOffice:
    """ComplaintSettings seen in one language: the office's texts in it, everything else as is."""

    def __init__(self, office, language):
        self._office = office
        self.language = language.split("-")[0]
        translated = next((row for row in office.office_texts.all() if row.language == self.language), None)
        for name in OFFICE_TEXT_FIELDS:
            setattr(self, name, (translated and getattr(translated, name)) or getattr(office, name))

    def __getattr__(self, name):
        return getattr(self._office, name)
