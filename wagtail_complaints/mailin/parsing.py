"""What the office needs from a raw RFC 822 message, read with Python's email package."""

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.utils import getaddresses, parseaddr

from .text import html_to_text, tidy

MESSAGE_ID = re.compile(r"^<[^<>\s]{1,240}>$")

# Headers that carry the address a message was delivered to (plus-addressing keeps the tag there).
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")


@dataclass
class Attachment:
    name: str
    content: bytes
    content_type: str


@dataclass
class ParsedEmail:
    message_id: str
    sender_name: str
    sender_address: str
    subject: str
    text: str
    recipients: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    automatic_reason: str = ""

    @property
    def is_automatic(self):
        return bool(self.automatic_reason)

    def reply_tags(self):
        """The plus-address tags of the recipients: urp+<tag>@hospital.example."""
        tags = []
        for address in self.recipients:
            local = address.rpartition("@")[0]
            if "+" in local:
                tags.append(local.split("+", 1)[1])
        return tags


def parse(raw):
    message = message_from_bytes(raw, policy=policy.default)
    name, address = sender(message)
    return ParsedEmail(
        message_id=message_id(message, raw),
        sender_name=name,
        sender_address=address,
        subject=" ".join(header(message, "Subject").split())[:255],
        text=body_text(message),
        recipients=[addr.lower() for _, addr in getaddresses(header_values(message, RECIPIENT_HEADERS)) if "@" in addr],
        attachments=list(attachments(message)),
        automatic_reason=automatic_reason(message, address),
    )


def header(message, name):
    try:
        return str(message.get(name, "") or "")
    except Exception:  # noqa: BLE001 - a malformed header reads as absent, never fails the message
        return ""


def header_values(message, names):
    return [value for name in names for value in all_values(message, name)]


def all_values(message, name):
    try:
        return [str(value) for value in message.get_all(name, [])]
    except Exception:  # noqa: BLE001 - a malformed header reads as absent, like header()
        return []


def message_id(message, raw):
    """The sender's Message-ID; messages without a usable one are known by their content."""
    value = header(message, "Message-ID").strip()
    return value if MESSAGE_ID.match(value) else content_message_id(raw)


def content_message_id(raw):
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@wagtail-complaints>"


def sender(message):
    name, address = parseaddr(header(message, "From"))
    address = address.strip().lower() if "@" in address else ""
    return " ".join(name.split())[:300], address[:254]


def automatic_reason(message, address):
    """Why a message was sent by a machine (auto-reply, bounce, list), or '' for a person's e-mail."""
    auto_submitted = header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = header(message, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if header(message, "Return-Path").strip() == "<>":
        return "Return-Path: <>"
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if header(message, name):
            return name
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    if address.partition("@")[0] in ("mailer-daemon", "postmaster"):
        return "From: " + address
    return ""


def body_text(message):
    """The plain part when there is one; otherwise the HTML part turned into text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = decoded_text(part)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return tidy(content)


def decoded_text(part):
    try:
        return part.get_content()
    except (LookupError, UnicodeError):
        # An unknown or lying charset: keep what can be read.
        return (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")


def attachments(message):
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        if part.get_content_disposition() != "attachment" and part["Content-ID"]:
            continue  # an image shown inside the HTML (a signature logo), not a document
        yield Attachment(
            name=part.get_filename() or "attachment",
            content=part.get_payload(decode=True) or b"",
            content_type=part.get_content_type(),
        )
