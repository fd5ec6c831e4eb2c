"""The inbox filters: what a complaints office sorts its work by."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.models import Site

from .models import Category, Channel, Complaint, ComplaintFormPage, Operator, Service
from .permissions import sites_of, within_sites_of
from .workflow import OPEN_STATES, Status


class ComplaintFilterSet(WagtailFilterSet):
    # No DISTINCT: the filter joins nothing, and DISTINCT over every column is slow on big tables.
    status = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.select_related("parent").prefetch_related("labels", "parent__labels"),
        method="filter_category",
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.prefetch_related("labels")
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    assigned = django_filters.ChoiceFilter(
        label=_("Assigned"),
        choices=[("me", _("To me")), ("nobody", _("To nobody"))],
        method="filter_assigned",
        empty_label=_("Anyone"),
    )
    covered = django_filters.BooleanFilter(
        label=_("My categories and services"), method="filter_covered", widget=BooleanRadioSelect
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"), method="filter_overdue", widget=BooleanRadioSelect
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"), method="filter_due_within", min_value=0, max_value=365
    )
    received = django_filters.DateFromToRangeFilter(
        label=_("Received"), field_name="received_at", widget=DateRangePickerWidget
    )
    form_page = django_filters.ModelChoiceFilter(
        label=_("Form page"), field_name="page", queryset=ComplaintFormPage.objects.all()
    )

    safety_flagged = django_filters.BooleanFilter(
        label=_("Possible patient-safety incident"), field_name="safety_flagged_at", lookup_expr="isnull",
        exclude=True, widget=BooleanRadioSelect,
    )
    duplicate = django_filters.BooleanFilter(
        label=_("Duplicate"), field_name="duplicate_of", lookup_expr="isnull", exclude=True, widget=BooleanRadioSelect
    )

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        sites = list(within_sites_of(user, Site.objects.order_by("site_name", "hostname"), "pk"))
        if len(sites) > 1:
            # A reader of several hospitals narrows the inbox to one; only theirs are offered.
            self.filters["site"] = django_filters.ModelChoiceFilter(
                label=_("Hospital"), field_name="site", queryset=Site.objects.filter(pk__in=[s.pk for s in sites])
            )
        if sites_of(user) is not None:
            # Another hospital's form pages are not even named.
            under_own_sites = Q(pk__in=[])
            for site in sites:
                under_own_sites |= Q(path__startswith=site.root_page.path)
            self.filters["form_page"].queryset = ComplaintFormPage.objects.filter(under_own_sites)

    def filter_category(self, queryset, name, value):
        # A macro-category includes the complaints filed under its sub-categories.
        return queryset.filter(Q(category=value) | Q(category__parent=value))

    def filter_assigned(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset

    def filter_covered(self, queryset, name, value):
        # What the operator's registry entry says they cover; no entry, or no choice made, covers all.
        if value is None:
            return queryset
        covered = Operator.objects.coverage_of(self.request.user)
        return queryset.filter(covered) if value else queryset.exclude(covered)

    def filter_due_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.open().filter(
            answer_by__gte=today, answer_by__lte=today + datetime.timedelta(days=int(value))
        )

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value is True:
            return queryset.overdue(today)
        if value is False:
            return queryset.exclude(status__in=OPEN_STATES, answer_by__lt=today, duplicate_of__isnull=True)
        return queryset
