from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .viewsets import complaint_viewset


@hooks.register("register_admin_viewset")
def register_complaint_viewset():
    return complaint_viewset


@hooks.register("register_log_actions")
def register_complaint_log_actions(actions):
    for action, label, message in [
        ("take_in_charge", _("Take in charge"), _("Taken in charge")),
        ("answer", _("Answer"), _("Answered")),
        ("close", _("Close"), _("Closed")),
        ("reopen", _("Reopen"), _("Reopened")),
        ("withdraw", _("Withdraw"), _("Withdrawn by the complainant")),
        ("reply", _("Complainant reply"), _("The complainant replied")),
        ("note", _("Internal note"), _("Internal note added")),
        ("assign", _("Assign"), _("Assigned")),
        ("view", _("View"), _("Viewed")),
        ("register", _("Register"), _("Registered by an operator")),
        ("reissue_link", _("Re-issue private link"), _("Private link re-issued")),
        ("rate", _("Rating"), _("Rated by the complainant")),
    ]:
        actions.register_action(f"wagtail_complaints.{action}", label, message)


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
