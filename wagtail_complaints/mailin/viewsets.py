from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .models import IncomingEmail

try:  # Wagtail 8 asks a registry; 7.x asks the viewset's `permission_policy`.
    from wagtail.permissions import register_permission_policy
except ImportError:  # pragma: no cover - Wagtail < 8
    register_permission_policy = None

if register_permission_policy is not None:
    register_permission_policy(IncomingEmail, views.permission_policy)


class IncomingEmailViewSet(ModelViewSet):
    """The log of received e-mails, in the Complaints menu; failed and kept ones first in mind."""

    model = IncomingEmail
    name = "incoming_emails"
    url_namespace = "wagtail_complaints_mailin"
    url_prefix = "complaints/e-mails"
    icon = "mail"
    menu_label = _("Incoming e-mails")
    menu_hook = "register_complaints_menu_item"
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    index_view_class = views.IncomingEmailIndexView
    inspect_view_class = views.IncomingEmailInspectView
    list_display = ["subject", "sender", "received_at", "result", "complaint"]
    list_filter = ["result"]
    search_fields = ["subject", "sender", "message_id"]
    list_per_page = 50

    if register_permission_policy is None:  # pragma: no cover - Wagtail < 8

        @cached_property
        def permission_policy(self):
            return views.permission_policy

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit, delete, history or usage screens: links to them must not be drawn.
        return super().get_common_view_kwargs(
            **{name: None for name in ("add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name")},
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            original_url_name=self.get_url_name("original"), retry_url_name=self.get_url_name("retry"), **kwargs
        )

    def get_urlpatterns(self):
        # Read and retry only: a received message is a record, never edited or deleted here.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("original/<int:pk>/", views.original, name="original"),
            path("retry/<int:pk>/", views.retry, {"inspect_url_name": self.get_url_name("inspect")}, name="retry"),
        ]


incoming_email_viewset = IncomingEmailViewSet()
