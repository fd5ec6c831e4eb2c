"""Admin pieces of the follow-up: attachment downloads and re-issuing a patient's private link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import actions
from ..attachments import attachment_response
from ..models import Attachment, Complaint

VIEW_PERMISSION = "wagtail_complaints.view_complaint"
HANDLE_PERMISSION = "wagtail_complaints.change_complaint"


def attachment(request, pk):
    """An attachment, for operators allowed to see complaints; never from a public URL. Logged."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    attachment = get_object_or_404(Attachment.objects.select_related("complaint"), pk=pk)
    response = attachment_response(attachment)
    actions.log_download(attachment, request.user)
    return response


@require_POST
def reissue_link(request, pk):
    """Revoke the patient's private link and e-mail them a new one (e.g. a forwarded link)."""
    if not request.user.has_perm(HANDLE_PERMISSION):
        raise PermissionDenied
    complaint = get_object_or_404(Complaint, pk=pk)
    actions.reissue_link(complaint, request.user)
    if complaint.email:
        messages.success(request, _("The old private link no longer works. We have e-mailed the new one to the complainant."))
    else:
        messages.warning(
            request,
            _("The old private link no longer works. The complainant has no e-mail address: give them the new link another way."),
        )
    return redirect("wagtail_complaints:inspect", complaint.pk)
