"""Absolute links that e-mails carry: the patient's private page and the operator's admin screen."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site


def site_root(complaint):
    site = complaint.site or Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_url
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def follow_up_url(complaint):
    """The private link, in the complainant's language; the token is the only key in it."""
    with translation.override(complaint.language):
        path = reverse("wagtail_complaints_public:follow_up", args=[complaint.access_token])
    return site_root(complaint) + path


def admin_url(complaint):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or site_root(complaint)
    return base.rstrip("/") + reverse("wagtail_complaints:inspect", args=[complaint.pk])
