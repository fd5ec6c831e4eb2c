"""Improvement actions and second-level bodies in the Complaints menu (Wagtail ModelViewSets)."""

import django_filters
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Site

from ..models import Category, Service
from . import views
from .forms import ImprovementActionForm
from .models import ActionState, ImprovementAction, SecondLevelBody
from .policies import improvement_action_policy, second_level_body_policy

try:  # Wagtail 8 asks a registry; 7.x asks the viewset's `permission_policy`.
    from wagtail.permissions import register_permission_policy
except ImportError:  # pragma: no cover - Wagtail < 8
    register_permission_policy = None

action_policy = improvement_action_policy()
body_policy = second_level_body_policy()
if register_permission_policy is not None:
    register_permission_policy(ImprovementAction, action_policy)
    register_permission_policy(SecondLevelBody, body_policy)


class ImprovementActionFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=ActionState.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.select_related("parent").prefetch_related("labels", "parent__labels"),
        method="filter_category",
    )
    service = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=Service.objects.prefetch_related("labels"), method="filter_service"
    )
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.all(), method="filter_site")
    is_public = django_filters.BooleanFilter(label=_("In the public report"))

    class Meta:
        model = ImprovementAction
        fields = ["state", "overdue", "category", "service", "site", "is_public"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def _distinct(self, queryset, q):
        # Through the complaints, one action would come back once per matching complaint.
        return queryset.filter(pk__in=ImprovementAction.objects.filter(q).values("pk"))

    def filter_category(self, queryset, name, value):
        from django.db.models import Q

        if value is None:
            return queryset
        return self._distinct(
            queryset,
            Q(category=value) | Q(category__parent=value) | Q(complaints__category=value) | Q(complaints__category__parent=value),
        )

    def filter_service(self, queryset, name, value):
        from django.db.models import Q

        if value is None:
            return queryset
        return self._distinct(queryset, Q(service=value) | Q(complaints__service=value))

    def filter_site(self, queryset, name, value):
        return queryset if value is None else queryset.for_site(value)


class DayColumn(Column):
    """A calendar day as a date (Wagtail's DateColumn reads a time stamp: "just now")."""

    cell_template_name = "wagtail_complaints_learning/admin/day_cell.html"


class StateColumn(Column):
    cell_template_name = "wagtail_complaints_learning/admin/state_cell.html"


class ImprovementActionViewSet(ModelViewSet):
    model = ImprovementAction
    name = "improvement_actions"
    url_namespace = "wagtail_complaints_learning_actions"
    url_prefix = "complaints/improvement-actions"
    icon = "tick-inverse"
    menu_label = _("Improvement actions")
    menu_hook = "register_complaints_menu_item"
    menu_order = 500
    add_to_reference_index = False
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = ImprovementActionFilterSet
    search_fields = ["title", "owner", "public_text"]
    list_per_page = 50
    add_view_class = views.ImprovementActionCreateView
    edit_view_class = views.ImprovementActionEditView
    index_view_class = views.ImprovementActionIndexView
    inspect_view_class = views.ImprovementActionInspectView
    delete_view_class = views.OwnSitesDeleteView
    history_view_class = views.OwnSitesHistoryView
    usage_view_class = views.OwnSitesUsageView
    list_export = ["title", "owner", "due_date", "state", "done_on", "site", "category", "service", "is_public", "public_text"]
    export_filename = "improvement-actions"
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("details"),
            FieldRowPanel([FieldPanel("owner"), FieldPanel("due_date")]),
            FieldRowPanel([FieldPanel("state"), FieldPanel("done_on")]),
            MultiFieldPanel(
                [FieldPanel("complaint_references"), FieldRowPanel([FieldPanel("category"), FieldPanel("service")]), FieldPanel("site")],
                heading=_("What led to it"),
            ),
            MultiFieldPanel([FieldPanel("is_public"), FieldPanel("public_text")], heading=_("You said, we did")),
        ],
        base_form_class=ImprovementActionForm,
    )

    @property
    def list_display(self):
        return [
            "title",
            "owner",
            DayColumn("due_date", label=_("Due date"), sort_key="due_date"),
            StateColumn("state", label=_("State"), sort_key="state"),
            DayColumn("done_on", label=_("Done on"), sort_key="done_on"),
            Column("site", label=_("Site")),
        ]

    if register_permission_policy is None:  # pragma: no cover - Wagtail < 8

        @cached_property
        def permission_policy(self):
            return action_policy


class SecondLevelBodyViewSet(ModelViewSet):
    model = SecondLevelBody
    name = "second_level_bodies"
    url_namespace = "wagtail_complaints_learning_bodies"
    url_prefix = "complaints/second-level-bodies"
    icon = "group"
    menu_label = _("Second-level bodies")
    menu_hook = "register_complaints_menu_item"
    menu_order = 510
    add_to_reference_index = False
    copy_view_enabled = False
    list_display = ["name", "kind", "site", "is_active"]
    list_filter = ["kind", "site", "is_active"]
    form_fields = ["name", "kind", "site", "is_active"]
    delete_view_class = views.SecondLevelBodyDeleteView
    index_view_class = views.OwnSitesIndexView
    edit_view_class = views.OwnSitesEditView
    inspect_view_class = views.OwnSitesInspectView
    history_view_class = views.OwnSitesHistoryView
    usage_view_class = views.OwnSitesUsageView

    if register_permission_policy is None:  # pragma: no cover - Wagtail < 8

        @cached_property
        def permission_policy(self):
            return body_policy


improvement_action_viewset = ImprovementActionViewSet()
second_level_body_viewset = SecondLevelBodyViewSet()
