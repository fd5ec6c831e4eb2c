from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import log_formats
from .viewsets import complaints_viewset_group


@hooks.register("register_admin_viewset")
def register_complaint_viewsets():
    # Inbox, operators, categories, services and answer templates under one "Complaints" menu.
    return complaints_viewset_group


@hooks.register("register_log_actions")
def register_complaint_log_actions(actions):
    from .models import Complaint, ComplaintLogEntry

    log_formats.register(actions)
    # Complaints keep their history in their own table, so Site history can keep to the user's sites.
    actions.register_model(Complaint, ComplaintLogEntry)


@hooks.register("filter_form_submissions_for_user")
def hide_complaint_pages_from_form_submissions(user, editable_forms):
    # A complaint page's "submissions" are complaints: the Forms listing shows it only to those
    # who may open them (the default Editors group can edit pages, not read complaints).
    from .models import ComplaintFormPage
    from .viewsets import complaint_permission_policy

    if not complaint_permission_policy.user_has_permission(user, "view"):
        return editable_forms.not_type(ComplaintFormPage)
    return editable_forms.not_type(ComplaintFormPage) | editable_forms.type(ComplaintFormPage).filter(
        pk__in=own_sites_pages(user)
    )


def own_sites_pages(user):
    """The pages under the sites `user` works on (every page for who works on all)."""
    from django.db.models import Q
    from wagtail.models import Page, Site

    from .permissions import within_sites_of

    under = Q(pk__in=[])
    for site in within_sites_of(user, Site.objects.select_related("root_page"), "pk"):
        under |= Q(path__startswith=site.root_page.path)
    return Page.objects.filter(under).values("pk")


@hooks.register("register_admin_urls")
def register_follow_up_admin_urls():
    # Attachment downloads and re-issuing a patient's private link (follow-up, issue 4).
    from django.urls import include, path

    from .views import files

    urls = [
        path("attachments/<int:pk>/", files.attachment, name="attachment"),
        path("<int:pk>/reissue-link/", files.reissue_link, name="reissue_link"),
    ]
    return [path("complaints-follow-up/", include((urls, "wagtail_complaints_followup")))]


# -- statistics (stats/views.py): everyone who may view complaints, nobody else ------------------


@hooks.register("register_admin_urls")
def register_statistics_urls():
    from django.urls import include, path

    from .stats import urls as stats_urls

    return [path("complaint-statistics/", include(stats_urls, namespace="wagtail_complaints_stats"))]


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    from django.urls import reverse

    from .stats.views import StatisticsMenuItem

    return StatisticsMenuItem(
        _("Complaint statistics"),
        reverse("wagtail_complaints_stats:index"),
        name="complaint-statistics",
        icon_name="table",
        order=251,
    )


# -- back office: home page panel ---------------------------------------------------------------


@hooks.register("construct_homepage_panels")
def add_complaints_panel(request, panels):
    from .dashboard import panel_for

    panel = panel_for(request)
    if panel is not None:
        panels.append(panel)


# -- features built on the core (they register their own hooks) ---------------------------------

from .privacy import wagtail_hooks as privacy_hooks  # noqa: E402,F401
