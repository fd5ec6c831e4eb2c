"""Admin pieces of the follow-up: attachment downloads and re-issuing a patient's private link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import actions
from ..attachments import attachment_response
from ..models import Attachment, Complaint
from ..permissions import can_see_personal_data_of, within_sites_of

VIEW_PERMISSION = "wagtail_complaints.view_complaint"
HANDLE_PERMISSION = "wagtail_complaints.change_complaint"


@require_safe
def attachment(request, pk):
    """An attachment, for operators who may see the complaint's personal data; never from a public URL. Logged."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    # Another hospital's file is not found, whoever asks.
    attachments = within_sites_of(request.user, Attachment.objects.select_related("complaint__site"), "complaint__site")
    attachment = get_object_or_404(attachments, pk=pk)
    if not can_see_personal_data_of(request.user, attachment.complaint):
        # Files are personal data: to a viewer they do not exist (not even their names).
        raise Http404
    response = attachment_response(attachment)
    actions.log_download(attachment, request.user)
    return response


@require_POST
def reissue_link(request, pk):
    """Revoke the patient's private link and e-mail them a new one (e.g. a forwarded link)."""
    # Another hospital's complaint is not found (404 before any 403: no hint that it exists).
    # An anonymised complaint has nobody to give a link to.
    complaint = get_object_or_404(within_sites_of(request.user, Complaint.objects.all()), pk=pk, personal_data_removed_at__isnull=True)
    if not request.user.has_perm(HANDLE_PERMISSION):
        raise PermissionDenied
    actions.reissue_link(complaint, request.user)
    if complaint.email:
        messages.success(request, _("The old private link no longer works. We have e-mailed the new one to the complainant."))
    else:
        messages.warning(
            request,
            _("The old private link no longer works. The complainant has no e-mail address: give them the new link another way."),
        )
    return redirect("wagtail_complaints:inspect", complaint.pk)
