"""The operator registry ("anagrafica operatori"): who works on complaints, in which role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..intake_cache import InvalidatingQuerySet


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    HANDLER = "handler", _("Complaint handler")
    VIEWER = "viewer", _("Health-authority viewer")


def working_on_site_q(site_id, operator_field="pk"):
    """A Q for the operators (through `operator_field`) who work on the site `site_id`: those of
    that site and those of every site (no site chosen). No site means the default site."""
    from wagtail.models import Site

    if site_id is None:
        site_id = Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
    through = Operator.sites.through.objects
    on_site = through.filter(site_id=site_id).values("operator_id")
    return models.Q(**{f"{operator_field}__in": on_site}) | ~models.Q(**{f"{operator_field}__in": through.values("operator_id")})


def users_working_on_site_q(site_id):
    """The same for users: a user who is no operator (e.g. a superuser) works on every site."""
    restricted = Operator.sites.through.objects.values("operator__user_id")
    return ~models.Q(pk__in=restricted) | models.Q(complaints_operator__in=Operator.objects.filter(working_on_site_q(site_id)))


class OperatorQuerySet(InvalidatingQuerySet):
    def active(self):
        return self.filter(user__is_active=True)

    def on_site(self, site_id):
        return self.filter(working_on_site_q(site_id))

    def coverage(self, *fields):
        """[(fields, categories, services, sites)] of the operators in this queryset; an empty set
        covers all (no sites chosen: every hospital).

        One flat query: an office has a few operators, so the rows are grouped here."""
        operators = {}
        rows = self.values_list("pk", *fields, "categories", "services", "sites")
        for pk, *values, category, service, site in rows:
            _, categories, services, sites = operators.setdefault(pk, (tuple(values), set(), set(), set()))
            categories.add(category)
            services.add(service)
            sites.add(site)
        return [
            (values, frozenset(categories - {None}), frozenset(services - {None}), frozenset(sites - {None}))
            for values, categories, services, sites in operators.values()
        ]

    def _covering(self, complaint, *fields):
        """`fields` of the operators in this queryset who cover `complaint`."""
        return covering(self.coverage(*fields), complaint)

    def notified_of_new_coverage(self):
        """Coverage of the flagged operators, with their (e-mail, preferred language)."""
        flagged = self.active().filter(notify_on_new=True).exclude(user__email="")
        return flagged.coverage("user__email", "user__wagtail_userprofile__preferred_language")

    def to_notify_of_new(self, complaint):
        """(e-mail, preferred language) of the flagged operators who cover `complaint`."""
        return covering(self.notified_of_new_coverage(), complaint)

    def handlers_covering(self, complaint):
        """Ids of the active complaint handlers who cover `complaint`."""
        handlers = self.active().on_site(complaint.site_id).filter(role=Role.HANDLER)
        return [user_id for (user_id,) in handlers._covering(complaint, "user_id")]

    def coverage_of(self, user):
        """A filter for the complaints `user` covers: their categories (with sub-categories) and services."""
        operator = self.filter(user=user).first()
        if operator is None:
            return models.Q()
        categories = list(operator.categories.values_list("pk", flat=True))
        services = list(operator.services.values_list("pk", flat=True))
        covered = models.Q()
        if categories:
            covered &= models.Q(category__in=categories) | models.Q(category__parent__in=categories)
        if services:
            covered &= models.Q(service__in=services)
        return covered


def covering(coverage, complaint):
    """The values of the operators in `coverage` (see `OperatorQuerySet.coverage`) who cover `complaint`.

    An operator who covers no category (or no service, or no hospital) in particular covers them all."""
    wanted = {complaint.category_id, complaint.category.parent_id} if complaint.category_id else set()
    site_id = complaint.site_id
    if site_id is None and any(sites for *_, sites in coverage):
        from wagtail.models import Site

        # A complaint with no site is the default site's (as its settings are).
        site_id = Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
    return [
        values
        for values, categories, services, sites in coverage
        if (not categories or categories & wanted)
        and (not services or complaint.service_id in services)
        and (not sites or site_id in sites)
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

    sites = models.ManyToManyField(
        "wagtailcore.Site",
        verbose_name=_("works on sites"),
        blank=True,
        related_name="complaint_operators",
        help_text=_(
            "The hospitals whose complaints this operator sees and is e-mailed about. "
            "Leave empty for all of them (the health authority's own staff)."
        ),
    )

    objects = OperatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["user__last_name", "user__first_name", "user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()
