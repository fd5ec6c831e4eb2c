"""Project-wide settings of the app, read when used (so override_settings works in tests)."""

import os

from django.conf import settings

DEFAULTS = {
    # Where attachments live: outside MEDIA_ROOT, never served by the web server directly.
    "PRIVATE_ROOT": None,
    # Public form: accepted submissions (and bot hits) per IP address (django-ratelimit rate syntax).
    "SUBMIT_RATE": "10/h",
    # Follow-up pages: requests to one private link from one IP address.
    "FOLLOW_UP_RATE": "60/m",
    # Follow-up pages: links that open nothing, per IP address (someone guessing).
    "UNKNOWN_LINK_RATE": "30/m",
    # "Send me my link again": requests allowed per IP address, and per reference number.
    "LOST_LINK_RATE": "5/h",
    "LOST_LINK_REFERENCE_RATE": "3/h",
    # Longest description a patient may type, in characters.
    "MAX_DESCRIPTION_LENGTH": 10000,
    # How often a failed e-mail is retried, and the waits between attempts (seconds).
    "EMAIL_RETRY_DELAYS": [60, 300, 1800, 7200],
    # Longest a process trusts what the public form remembers (intake_cache.py) without a change
    # being signalled, in seconds: bounds what raw SQL or a per-process cache can leave stale.
    "INTAKE_CACHE_MAX_AGE": 300,
    # An e-mail still queued this long after it was written, or after a worker claimed it (seconds),
    # was left by a worker that died or a task the queue lost: the next send task sends it. Keep it
    # above EMAIL_TIMEOUT and above the queue's usual wait.
    "EMAIL_RECOVERY_AFTER": 300,
    # How many such e-mails one send task takes on, so that it stays short.
    "EMAIL_RECOVERY_BATCH": 20,
}


def get_setting(name):
    """WAGTAIL_COMPLAINTS_<NAME> from the Django settings, or our default."""
    return getattr(settings, f"WAGTAIL_COMPLAINTS_{name}", DEFAULTS[name])


def private_root():
    """The attachments' folder: the setting, else BASE_DIR/private_media (BASE_DIR a str or a Path)."""
    root = get_setting("PRIVATE_ROOT")
    if root:
        return os.fspath(root)
    # Without either, a relative folder; the system check wagtail_complaints.E004 asks for the setting.
    return os.path.join(os.fspath(getattr(settings, "BASE_DIR", "")), "private_media")
