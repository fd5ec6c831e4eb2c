"""The patient's private pages, reached only through the token in their link."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .. import ratelimits
from ..models import Complaint, ComplaintSettings


def get_complaint_or_404(request, token):
    """The complaint behind a token; any bad token gets the same plain 404."""
    complaint = Complaint.objects.for_access_token(token).select_related("category__parent", "service").first()
    if complaint is None:
        raise Http404
    return complaint


@never_cache
def follow_up(request, token):
    if ratelimits.follow_up_limited(request):
        return render(request, "wagtail_complaints/too_many_requests.html", status=429)
    complaint = get_complaint_or_404(request, token)
    context = {
        "complaint": complaint,
        "office": ComplaintSettings.for_request(request),
        "messages_thread": complaint.messages.public().select_related("author"),
    }
    return render(request, "wagtail_complaints/follow_up.html", context)
