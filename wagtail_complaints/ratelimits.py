"""Limits on the public views, counted in the shared cache (django-ratelimit).

Each limit counts only what it must stop, so people sharing one address (a hospital's Wi-Fi, a
family's router) do not lock each other out: accepted submissions and bot hits, not a patient's
attempts to fix a form; requests to one private link from one address, not every patient's.
"""

import hashlib
import math

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from .conf import get_setting

SUBMIT_GROUP = "wagtail_complaints.submit"
FOLLOW_UP_GROUP = "wagtail_complaints.follow_up"
UNKNOWN_LINK_GROUP = "wagtail_complaints.unknown_link"
LOST_LINK_GROUP = "wagtail_complaints.lost_link"
LOST_LINK_REFERENCE_GROUP = "wagtail_complaints.lost_link_reference"


class Limit:
    """Whether a counter is full, and for how many seconds it stays so.

    A counted request is refused past the limit; a look without counting (`peek`) already when
    the next one would pass it.
    """

    def __init__(self, usage, peek=False):
        self.usage = usage
        self.peek = peek

    def __bool__(self):
        if not self.usage:
            return False
        if self.peek:
            return self.usage["count"] >= self.usage["limit"]
        return self.usage["should_limit"]

    @property
    def seconds_left(self):
        return max(int(self.usage["time_left"]), 1) if self.usage else 0

    @property
    def wait(self):
        return wait_text(self.seconds_left)


def wait_text(seconds):
    """'1 minute', '45 minutes', '2 hours': the longest the person must wait, rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes <= 90:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _usage(request, group, rate_setting, key="ip", increment=False):
    return get_usage(request, group=group, key=key, rate=get_setting(rate_setting), increment=increment)


def submission_limit(request):
    """The address's count of accepted (or bot) submissions; nothing is counted by looking."""
    return Limit(_usage(request, SUBMIT_GROUP, "SUBMIT_RATE"), peek=True)


def count_submission(request):
    _usage(request, SUBMIT_GROUP, "SUBMIT_RATE", increment=True)


def follow_up_limit(request, token):
    """Counts this request to this private link from this address."""
    # One counter per link (the group) and address (the key); django-ratelimit hashes both.
    link = hashlib.sha256(token.encode()).hexdigest()[:32]
    return Limit(_usage(request, f"{FOLLOW_UP_GROUP}.{link}", "FOLLOW_UP_RATE", increment=True))


def unknown_link_limit(request):
    """Whether this address has tried too many links that open nothing (guessing)."""
    return Limit(_usage(request, UNKNOWN_LINK_GROUP, "UNKNOWN_LINK_RATE"), peek=True)


def count_unknown_link(request):
    _usage(request, UNKNOWN_LINK_GROUP, "UNKNOWN_LINK_RATE", increment=True)


def too_many_message(limit):
    return _(
        "We have received many complaints from your connection in a short time. Nothing you typed "
        "is lost: please send again in %(wait)s, or call the office if it is urgent."
    ) % {"wait": limit.wait}



def lost_link_limit(request, reference):
    """Per IP, so references cannot be tried in bulk; per reference, so nobody floods a patient."""
    by_ip = Limit(_usage(request, LOST_LINK_GROUP, "LOST_LINK_RATE", increment=True))
    by_reference = Limit(
        _usage(
            request,
            LOST_LINK_REFERENCE_GROUP,
            "LOST_LINK_REFERENCE_RATE",
            key=lambda group, request: reference.upper(),
            increment=True,
        )
    )
    return by_ip if by_ip else by_reference


def lost_link_too_many_message(limit):
    return _(
        "We have received many requests for this link in a short time. Please try again in %(wait)s, "
        "or call the office."
    ) % {"wait": limit.wait}
