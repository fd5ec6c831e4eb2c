"""What the office learns from complaints: improvement actions, second-level referrals, the public report page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ActionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class ImprovementActionQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Not done, and past the date it was due."""
        today = today or timezone.localdate()
        return self.exclude(state=ActionState.DONE).filter(due_date__lt=today)

    def for_site(self, site):
        # An action without a site is the whole organisation's: it belongs to every site's report.
        return self if site is None else self.filter(Q(site=site) | Q(site__isnull=True))


class ImprovementAction(models.Model):
    """A change the hospital makes because of one or more complaints, or of a category or service."""

    title = models.CharField(_("what will change"), max_length=255)
    details = models.TextField(_("details"), blank=True, help_text=_("For the office: how and why. Never published."))
    owner = models.CharField(_("owner"), max_length=255, help_text=_("Who is responsible, e.g. the head of a service."))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=20, choices=ActionState.choices, default=ActionState.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Leave empty for an action of the whole organisation."),
    )
    complaints = models.ManyToManyField(
        "wagtail_complaints.Complaint", verbose_name=_("complaints"), blank=True, related_name="improvement_actions"
    )
    category = models.ForeignKey(
        "wagtail_complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    service = models.ForeignKey(
        "wagtail_complaints.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    is_public = models.BooleanField(
        _("show in the public report"),
        default=False,
        help_text=_("Once done, the public wording appears under “You said, we did”."),
    )
    public_text = models.TextField(
        _("public wording"),
        blank=True,
        help_text=_("Plain words for patients, with no names and no health details."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    objects = ImprovementActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "done_on"]), models.Index(fields=["due_date"])]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.state == ActionState.DONE and not self.done_on:
            errors["done_on"] = _("Give the date the action was done.")
        if self.state != ActionState.DONE and self.done_on:
            errors["done_on"] = _("Only a done action has a date it was done: set the state to “Done” or clear the date.")
        if self.is_public and not self.public_text.strip():
            errors["public_text"] = _("Write the wording patients will read, or untick “show in the public report”.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_overdue(self):
        return self.state != ActionState.DONE and self.due_date < timezone.localdate()

    @property
    def done_on_time(self):
        return self.state == ActionState.DONE and self.done_on is not None and self.done_on <= self.due_date


class BodyKind(models.TextChoices):
    CONCILIATION = "conciliation", _("Joint conciliation committee")
    OMBUDSMAN = "ombudsman", _("Ombudsman")
    COURT = "court", _("Court")
    OTHER = "other", _("Other")


class SecondLevelBody(models.Model):
    """Where an unsatisfied complainant can take a closed complaint: the office's own list, per site."""

    name = models.CharField(_("name"), max_length=255, help_text=_("E.g. Difensore civico della Regione Lazio."))
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Leave empty to offer it for every site."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive bodies are no longer offered; past referrals keep them.")
    )

    class Meta:
        verbose_name = _("second-level body")
        verbose_name_plural = _("second-level bodies")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class Referral(models.Model):
    """A closed complaint taken to a second-level body, and what that body decided."""

    complaint = models.ForeignKey(
        "wagtail_complaints.Complaint", verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="referrals"
    )
    body = models.ForeignKey(SecondLevelBody, verbose_name=_("body"), on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField(_("date referred"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_on = models.DateField(_("date of the decision"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("second-level referral")
        verbose_name_plural = _("second-level referrals")
        ordering = ["referred_on", "pk"]
        indexes = [models.Index(fields=["referred_on"])]

    def __str__(self):
        return f"{self.complaint} → {self.body}"


class ComplaintsReportPage(Page):
    """The yearly public report (NHS 2009 regulations, Italian "Regolamento di pubblica tutela"):
    figures only, small groups merged, and the improvements made."""

    intro = RichTextField(_("introduction"), blank=True)
    report_site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("complaints of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty for the complaints of the site this page is on."),
    )
    all_sites = models.BooleanField(
        _("all sites together"), default=False, help_text=_("One report for every site of the installation.")
    )
    first_year = models.PositiveIntegerField(
        _("earliest year offered"), null=True, blank=True, help_text=_("Leave empty for the year of the first complaint.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("report_site"), FieldPanel("all_sites")]), FieldPanel("first_year")],
            heading=_("Which complaints"),
        ),
    ]

    template = "wagtail_complaints_learning/report_page.html"

    class Meta:
        verbose_name = _("complaints report page")
        verbose_name_plural = _("complaints report pages")

    def get_context(self, request, *args, **kwargs):
        from .report import report_context  # the figures live with the statistics helpers

        context = super().get_context(request, *args, **kwargs)
        context.update(report_context(self, request))
        return context


from .history import ImprovementActionLogEntry  # noqa: E402, F401  (a model of this app)
