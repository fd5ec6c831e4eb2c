"""Response headers of the pages that show a patient's private link or complaint."""

from django.utils.cache import add_never_cache_headers


def private_response(response):
    """Never stored, never indexed, never framed, and the link never sent to another site.

    `same-origin` rather than `no-referrer`: with no referrer at all Chromium posts the page's
    own forms with `Origin: null`, which Django's CSRF check refuses; other sites still get nothing.
    """
    add_never_cache_headers(response)  # includes no-store
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["X-Frame-Options"] = "DENY"
    response["X-Content-Type-Options"] = "nosniff"
    return response
