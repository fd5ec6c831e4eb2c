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

    def to_notify_of_new(self, complaint):
        """(e-mail, preferred language) of the flagged operators who cover `complaint`.

        An operator who covers no category (or no service) in particular covers them all. One flat
        query; the few rows are checked here, which is cheaper than asking the database to.
        """
        rows = (
            self.active()
            .filter(notify_on_new=True)
            .exclude(user__email="")
            .values_list("pk", "user__email", "user__wagtail_userprofile__preferred_language", "categories", "services")
        )
        operators = {}
        for pk, email, language, category, service in rows:
            _, _, categories, services = operators.setdefault(pk, (email, language, set(), set()))
            categories.add(category)
            services.add(service)
        wanted = {complaint.category_id, complaint.category.parent_id} if complaint.category_id else set()
        return [
            (email, language)
            for email, language, categories, services in operators.values()
            if (categories == {None} or categories & wanted) and (services == {None} or complaint.service_id in services)
        ]


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
