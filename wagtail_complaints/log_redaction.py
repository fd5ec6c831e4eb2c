"""A logging filter that keeps patients' private links out of the logs.

Django's request and server loggers write the path of every 4xx/5xx ("Too Many Requests:
/complaints/<token>/") and the development server every request line: with the token in it,
whoever reads the logs could open the complaint. Turn it on for every handler:

    LOGGING["filters"] = {"redact_private_links": {"()": "wagtail_complaints.log_redaction.RedactPrivateLinks"}}
    LOGGING["handlers"]["console"]["filters"] = ["redact_private_links"]
"""

import logging
import re

# A private-link token: 64 hex digits (see Complaint.access_token).
TOKEN_RE = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
REDACTED = "[private-link]"


def redact(text):
    return TOKEN_RE.sub(REDACTED, text)


class RedactPrivateLinks(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        # AdminEmailHandler and others print the request too: its path would carry the token.
        request = getattr(record, "request", None)
        if request is not None and TOKEN_RE.search(getattr(request, "path", "") or ""):
            record.request = RedactedRequest(request)
        return True


class RedactedRequest:
    """What handlers read from a request, with the token taken out of its paths."""

    def __init__(self, request):
        self._request = request
        self.path = redact(request.path)
        self.path_info = redact(request.path_info)
        self.META = {key: redact(value) if isinstance(value, str) else value for key, value in request.META.items()}

    def get_full_path(self, *args, **kwargs):
        return redact(self._request.get_full_path(*args, **kwargs))

    def build_absolute_uri(self, *args, **kwargs):
        return redact(self._request.build_absolute_uri(*args, **kwargs))

    def __getattr__(self, name):
        return getattr(self._request, name)

    def __repr__(self):
        return f"<{type(self._request).__name__}: {self._request.method} {self.get_full_path()!r}>"
