"""Feeding the .eml fixtures of tests/mail/ through the real intake, as a mail server would."""

import io
import sys
from pathlib import Path

from django.core.management import call_command

MAIL = Path(__file__).parent / "mail"


def eml(name, **replace):
    """A fixture's bytes; REPLY-TAG, REFERENCE and other placeholders replaced as given."""
    raw = (MAIL / name).read_bytes()
    for placeholder, value in replace.items():
        raw = raw.replace(placeholder.replace("_", "-").encode(), value.encode())
    return raw


def pipe(raw, *args):
    """`manage.py receive_complaint_email` with `raw` on standard input; returns what it printed."""
    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("receive_complaint_email", *args, stdout=out)
    finally:
        sys.stdin = stdin
    return out.getvalue()
