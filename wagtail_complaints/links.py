"""Absolute links that e-mails carry: the patient's private page and the operator's admin screen."""

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
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


# -- e-mail threading: replies find their complaint by a tag only the office can compute --------


def reply_tag(complaint):
    """An unguessable code for the complaint's reply address: its number and an HMAC of it."""
    digest = salted_hmac("wagtail_complaints.reply_to", str(complaint.pk), algorithm="sha256").hexdigest()
    return f"{complaint.pk}-{digest[:24]}"


def complaint_pk_for_reply_tag(tag):
    """The complaint number a tag was made for, or None for a tag the office never made."""
    number, _, digest = (tag or "").lower().partition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    expected = salted_hmac("wagtail_complaints.reply_to", number, algorithm="sha256").hexdigest()[:24]
    return int(number) if constant_time_compare(digest, expected) else None


def reply_to_address(complaint, reply_address):
    """urp@hospital.example → urp+<tag>@hospital.example (plus addressing)."""
    local, _, domain = reply_address.rpartition("@")
    return f"{local}+{reply_tag(complaint)}@{domain}"


def thread_id(complaint, domain):
    """The Message-ID every e-mail about the complaint refers to, so mail clients keep one thread."""
    return f"<complaint.{complaint.pk}@{domain}>"


def email_message_id(email, domain):
    """One Message-ID per outbox e-mail, the same on every retry and from any worker: a copy sent
    again after a crash between the mail server's acceptance and our COMMIT is a recognisable
    duplicate. The creation time keeps it unique if a restored database reuses ids."""
    created = email.created_at.strftime("%Y%m%d%H%M%S") if email.created_at else "unsaved"
    return f"<complaint-email.{email.pk}.{created}@{domain}>"
