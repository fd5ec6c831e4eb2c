"""The operator registry ("anagrafica operatori"): who works on complaints, in which role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    HANDLER = "handler", _("Complaint handler")
    VIEWER = "viewer", _("Health-authority viewer")


class OperatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)

    def notified_of_new(self, complaint):
        """Operators to e-mail about a new complaint: flagged, and covering it if they cover a subset."""
        flagged = self.active().filter(notify_on_new=True).exclude(user__email="")
        covers_category = models.Q(categories__isnull=True) | models.Q(categories=complaint.category_id)
        if complaint.category and complaint.category.parent_id:
            covers_category |= models.Q(categories=complaint.category.parent_id)
        covers_service = models.Q(services__isnull=True) | models.Q(services=complaint.service_id)
        return flagged.filter(covers_category).filter(covers_service).distinct()


class Operator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="complaints_operator",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.HANDLER)
    notify_on_new = models.BooleanField(
        _("e-mail me about every new complaint"),
        default=False,
        help_text=_("Receives an e-mail when a complaint is filed."),
    )
    categories = models.ManyToManyField(
        "wagtail_complaints.Category",
        verbose_name=_("covers categories"),
        blank=True,
        help_text=_("Leave empty to cover all. When set, new-complaint e-mails only concern these."),
    )
    services = models.ManyToManyField(
        "wagtail_complaints.Service",
        verbose_name=_("covers services"),
        blank=True,
        help_text=_("Leave empty to cover all. When set, new-complaint e-mails only concern these."),
    )

    objects = OperatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["user__last_name", "user__first_name", "user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()
