"""Per-IP limits on the public views, counted in the shared cache (django-ratelimit)."""

from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from .conf import get_setting

TOO_MANY_MESSAGE = _(
    "We have received many requests from your connection in a short time. "
    "Nothing you typed is lost: please wait a few minutes and send again, "
    "or call the office if it is urgent."
)


def submission_limited(request):
    return is_ratelimited(
        request, group="wagtail_complaints.submit", key="ip", rate=get_setting("SUBMIT_RATE"), increment=True
    )


def follow_up_limited(request):
    return is_ratelimited(
        request, group="wagtail_complaints.follow_up", key="ip", rate=get_setting("FOLLOW_UP_RATE"), increment=True
    )


def lost_link_limited(request, reference):
    """Per IP, so references cannot be tried in bulk; per reference, so nobody floods a patient."""
    by_ip = is_ratelimited(
        request, group="wagtail_complaints.lost_link", key="ip", rate=get_setting("LOST_LINK_RATE"), increment=True
    )
    by_reference = is_ratelimited(
        request,
        group="wagtail_complaints.lost_link_reference",
        key=lambda group, request: reference.upper(),
        rate=get_setting("LOST_LINK_REFERENCE_RATE"),
        increment=True,
    )
    return by_ip or by_reference
