"""Registers the privacy feature: its log actions, its admin URLs and its item in the Complaints menu."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from ..permissions import PERSONAL_DATA_REQUESTS_ACTION
from . import log_formats


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    log_formats.register(actions)


@hooks.register("register_admin_urls")
def register_privacy_urls():
    from . import urls

    return [path("complaint-data-requests/", include(urls, namespace="wagtail_complaints_privacy"))]


class DataRequestsMenuItem(MenuItem):
    def is_shown(self, request):
        from ..viewsets import complaint_permission_policy

        return complaint_permission_policy.user_has_permission(request.user, PERSONAL_DATA_REQUESTS_ACTION)


@hooks.register("register_complaints_menu_item")
def register_data_requests_menu_item():
    return DataRequestsMenuItem(
        _("Personal data requests"),
        reverse("wagtail_complaints_privacy:requests"),
        name="complaint-data-requests",
        icon_name="lock",
        order=900,
    )
