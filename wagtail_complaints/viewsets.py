"""Admin screens, built on Wagtail's own viewsets, grouped under the "Complaints" menu.

Other parts of the app add items to that menu with the `register_complaints_menu_item` hook.
"""

from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import inbox_search
from .admin_forms import (
    AnswerTemplateForm,
    CategoryForm,
    ComplaintDataForm,
    LabelledForm,
    OperatorForm,
    RegisterComplaintForm,
)
from .email_wording_forms import EmailWordingForm
from .filters import ComplaintFilterSet
from .models import AnswerTemplate, Category, Complaint, EmailWording, Operator, Service
from .permissions import ComplaintPermissionPolicy
from .views import admin as views
from .views import casework as casework_views
from .views import operators as operator_views

try:  # Wagtail 8 asks a registry; 7.x asks the viewset's `permission_policy`.
    from wagtail.permissions import register_permission_policy
except ImportError:  # pragma: no cover - Wagtail < 8
    register_permission_policy = None

class YesNoColumn(BooleanColumn):
    """A tick or a cross, read out as a translated "Yes" or "No" (Wagtail's says "True"/"False")."""

    cell_template_name = "wagtail_complaints/admin/includes/yes_no_cell.html"


complaint_permission_policy = ComplaintPermissionPolicy(Complaint)
if register_permission_policy is not None:
    register_permission_policy(Complaint, complaint_permission_policy)


class ComplaintViewSet(ModelViewSet):
    model = Complaint
    name = "complaints"
    url_namespace = "wagtail_complaints"
    url_prefix = "complaints"
    icon = "warning"
    menu_label = _("Inbox")
    menu_icon = "tasks"
    inspect_view_enabled = True
    copy_view_enabled = False
    # Category and service protection is checked directly; no reference index row per complaint.
    add_to_reference_index = False

    index_view_class = views.ComplaintIndexView
    inspect_view_class = views.ComplaintInspectView
    add_view_class = views.RegisterComplaintView
    edit_view_class = views.ComplaintEditView
    history_view_class = views.ComplaintHistoryView
    delete_view_class = views.ComplaintDeleteView
    usage_view_class = views.ComplaintUsageView

    filterset_class = ComplaintFilterSet
    list_per_page = 25
    search_fields = list(inbox_search.HANDLER_FIELDS)  # the order its full-text index was built in
    list_export = [
        "reference",
        "site",
        "received_at",
        "get_channel_display",
        "category",
        "service",
        "get_status_display",
        "assigned_to",
        "answer_by",
        "acknowledge_by",
        "taken_in_charge_at",
        "first_answered_at",
        "closed_at",
        "get_outcome_display",
        "reopen_count",
        "safety_flagged_at",
        "duplicate_of",
        "first_name",
        "last_name",
        "email",
        "phone",
    ]
    export_headings = {
        "get_channel_display": _("Channel"),
        "get_status_display": _("State"),
        "get_outcome_display": _("Outcome"),
        "category": _("Category"),
        "service": _("Service"),
        "safety_flagged_at": _("Flagged as a possible patient-safety incident"),
        "duplicate_of": _("Duplicate of"),
        "site": _("Hospital"),
    }
    export_filename = "complaints"

    if register_permission_policy is None:  # pragma: no cover - Wagtail < 8

        @cached_property
        def permission_policy(self):
            return complaint_permission_policy

    def get_form_class(self, for_update=False):
        return ComplaintDataForm if for_update else RegisterComplaintForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            transition_url_name=self.get_url_name("transition"),
            note_url_name=self.get_url_name("note"),
            assign_url_name=self.get_url_name("assign"),
            extend_url_name=self.get_url_name("extend"),
            safety_url_name=self.get_url_name("safety"),
            links_url_name=self.get_url_name("links"),
            **kwargs,
        )

    @property
    def transition_view(self):
        return self.construct_view(views.TransitionView, **self.get_inspect_view_kwargs())

    @property
    def note_view(self):
        return self.construct_view(views.NoteView, **self.get_inspect_view_kwargs())

    @property
    def assign_view(self):
        return self.construct_view(views.AssignView, **self.get_inspect_view_kwargs())

    @property
    def extend_view(self):
        return self.construct_view(views.ExtendAnswerByView, **self.get_inspect_view_kwargs())

    @property
    def safety_view(self):
        return self.construct_view(casework_views.SafetyFlagView, **self.get_inspect_view_kwargs())

    @property
    def links_view(self):
        return self.construct_view(casework_views.ComplaintLinksView, **self.get_inspect_view_kwargs())

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("inspect/<int:pk>/safety/<str:change>/", self.safety_view, name="safety"),
            path("inspect/<int:pk>/links/<str:change>/", self.links_view, name="links"),
            path("inspect/<int:pk>/transition/<str:transition>/", self.transition_view, name="transition"),
            path("inspect/<int:pk>/note/", self.note_view, name="note"),
            path("inspect/<int:pk>/assign/", self.assign_view, name="assign"),
            path("inspect/<int:pk>/extend/", self.extend_view, name="extend"),
        ]


class OfficeListViewSet(ModelViewSet):
    """The office's own lists, managed by administrators only (their model permissions)."""

    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False


class CategoryViewSet(OfficeListViewSet):
    model = Category
    name = "categories"
    url_namespace = "wagtail_complaints_categories"
    url_prefix = "complaints/categories"
    icon = "folder-open-1"
    delete_view_class = views.DeactivateWhenUsedDeleteView
    list_display = ["name", "parent", YesNoColumn("is_active", label=_("Active")), "sort_order"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]
    sort_order_field = None
    edit_handler = ObjectList(Category.panels, base_form_class=CategoryForm)


class ServiceViewSet(OfficeListViewSet):
    model = Service
    name = "services"
    url_namespace = "wagtail_complaints_services"
    url_prefix = "complaints/services"
    icon = "site"
    delete_view_class = views.DeactivateWhenUsedDeleteView
    list_display = ["name", "code", YesNoColumn("is_active", label=_("Active")), "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    ordering = ["sort_order", "name"]
    sort_order_field = None
    edit_handler = ObjectList(Service.panels, base_form_class=LabelledForm)


class AnswerTemplateViewSet(OfficeListViewSet):
    model = AnswerTemplate
    name = "answer_templates"
    url_namespace = "wagtail_complaints_answer_templates"
    url_prefix = "complaints/answer-templates"
    icon = "doc-full"
    list_display = ["title", "language", YesNoColumn("is_active", label=_("Active"))]
    list_filter = ["is_active", "language"]
    search_fields = ["title", "body"]

    def get_form_class(self, for_update=False):
        return AnswerTemplateForm


def operator_hospitals(operator):
    """The hospitals an operator works on, as the registry lists them; none chosen means all."""
    names = sorted(site.site_name or site.hostname for site in operator.sites.all())
    return ", ".join(names) or _("Every hospital")


class OperatorViewSet(OfficeListViewSet):
    model = Operator
    name = "operators"
    url_namespace = "wagtail_complaints_operators"
    url_prefix = "complaints/operators"
    icon = "group"
    menu_label = _("Operators")
    list_display = [
        "__str__",
        "role",
        YesNoColumn("notify_on_new", label=_("E-mailed about new complaints")),
        Column("sites", label=_("Hospitals"), accessor=lambda operator: operator_hospitals(operator)),
        Column("email", label=_("E-mail"), accessor="user.email"),
        YesNoColumn("is_active", label=_("Account active"), accessor="user.is_active"),
    ]
    list_filter = ["role", "notify_on_new"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]

    index_view_class = operator_views.OperatorIndexView
    edit_view_class = operator_views.OperatorEditView
    delete_view_class = operator_views.OperatorDeleteView
    history_view_class = operator_views.OperatorHistoryView
    usage_view_class = operator_views.OperatorUsageView

    def get_form_class(self, for_update=False):
        return OperatorForm

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(password_reset_url_name=self.get_url_name("password_reset"), **kwargs)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("edit/<int:pk>/password-reset/", operator_views.password_reset, name="password_reset"),
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Operator.objects.select_related("user").prefetch_related("sites"), **kwargs
        )


class EmailWordingViewSet(SnippetViewSet):
    """The patient e-mails worded by the office; a snippet viewset for Wagtail's live preview."""

    model = EmailWording
    icon = "mail"
    url_prefix = "complaints/email-texts"
    admin_url_namespace = "wagtail_complaints_email_texts"
    menu_label = _("E-mail texts")
    list_display = ["__str__", "subject", "is_active", "updated_at"]
    list_filter = ["template", "language", "is_active"]
    search_fields = ["subject", "body"]
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return EmailWordingForm


class ComplaintsViewSetGroup(ViewSetGroup):
    menu_label = _("Complaints")
    menu_icon = "warning"
    menu_order = 250
    submenu_hook = "register_complaints_menu_item"
    items = (
        ComplaintViewSet,
        OperatorViewSet,
        CategoryViewSet,
        ServiceViewSet,
        AnswerTemplateViewSet,
        EmailWordingViewSet,
    )

    def get_menu_item(self, order=None):
        # Wagtail 8 reads `submenu_hook` itself; 7.4 LTS does not, so the submenu is built here
        # the same way on both: our viewsets, then what features register (e-mail intake, privacy).
        return SubmenuMenuItem(
            label=self.menu_label,
            menu=Menu(register_hook_name=self.submenu_hook, items=self.get_submenu_items()),
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=order if order is not None else self.menu_order,
        )


complaints_viewset_group = ComplaintsViewSetGroup()
complaint_viewset = complaints_viewset_group.registerables[0]
