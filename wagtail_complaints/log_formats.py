"""How the complaint audit trail reads in Wagtail's history views and in the complaint screen."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import LogFormatter

from .corrections import field_label
from .models import Complaint, Outcome
from .workflow import Status

# action: (label, message)
ACTIONS = {
    "take_in_charge": (_("Take in charge"), _("Taken in charge")),
    "answer": (_("Answer"), _("Answered")),
    "close": (_("Close"), _("Closed")),
    "reopen": (_("Reopen"), _("Reopened")),
    "withdraw": (_("Withdraw"), _("Withdrawn by the complainant")),
    "reply": (_("Complainant reply"), _("The complainant replied")),
    "note": (_("Internal note"), _("Internal note added")),
    "assign": (_("Assign"), _("Assigned")),
    "view": (_("View"), _("Viewed")),
    "register": (_("Register"), _("Registered by an operator")),
    "receive_email": (_("Received by e-mail"), _("Received by e-mail")),
    "reissue_link": (_("Re-issue private link"), _("Private link re-issued")),
    "rate": (_("Rating"), _("Rated by the complainant")),
    "send_link_again": (_("Link requested again"), _("Private link requested again from the complaint form")),
    "correct": (_("Correct data"), _("Data corrected")),
    "download": (_("Download attachment"), _("Attachment downloaded")),
    "extend": (_("Extend the answer-by date"), _("Answer-by date extended")),
    "escalate": (_("Escalate"), _("Reported to the head of the office as overdue")),
    "password_reset": (_("Password reset"), _("Password reset link e-mailed")),
    "flag_safety": (_("Flag for patient safety"), _("Flagged as a possible patient-safety incident")),
    "unflag_safety": (_("Remove the patient-safety flag"), _("Patient-safety flag removed")),
    "link_related": (_("Link a related complaint"), _("Linked as related to")),
    "unlink_related": (_("Unlink a related complaint"), _("No longer related to")),
    "mark_duplicate": (_("Mark as duplicate"), _("Marked as a duplicate of")),
    "unmark_duplicate": (_("No longer a duplicate"), _("No longer a duplicate of")),
    "close_as_duplicate": (_("Close as duplicate"), _("Closed as a duplicate of")),
}

# The links' entries on the original's side read the other way round.
ORIGINAL_SIDE_MESSAGES = {
    "mark_duplicate": _("Has a new duplicate:"),
    "unmark_duplicate": _("No longer a duplicate of this complaint:"),
}


def local_date(iso):
    try:
        return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")
    except (TypeError, ValueError):
        return iso


def outcome_label(value):
    try:
        return Outcome(value).label
    except ValueError:
        return value


def state_label(value):
    try:
        return Status(value).label
    except ValueError:
        return value


class ComplaintLogFormatter(LogFormatter):
    """Adds what changed (state, assignee, phone answer) to the plain message."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        action = log_entry.action.rpartition(".")[2]
        if data.get("role") == "original" and action in ORIGINAL_SIDE_MESSAGES:
            parts = [str(ORIGINAL_SIDE_MESSAGES[action])]
        else:
            parts = [str(self.message)]
        if data.get("other"):
            parts.append(data["other"])
        if data.get("from") and data.get("to") and data["from"] != data["to"]:
            parts.append(
                str(_("from “%(from)s” to “%(to)s”"))
                % {"from": state_label(data["from"]), "to": state_label(data["to"])}
            )
        if data.get("by_phone"):
            parts.append(str(_("by phone")))
        if log_entry.action.endswith(".assign"):
            parts.append(str(_("to %(user)s")) % {"user": data.get("assigned_to") or _("nobody")})
            if data.get("automatic"):
                parts.append(str(_("(automatically: the only handler covering it)")))
        if log_entry.action.endswith(".send_link_again"):
            parts.append(
                str(_("with the address on file: link e-mailed"))
                if data.get("matched")
                else str(_("with a different e-mail address: nothing sent"))
            )
        if data.get("actor") == "complainant" and log_entry.action.endswith(".reopen"):
            parts.append(str(_("by the complainant")))
        if data.get("changes"):
            # Field names only: the values, some personal, are shown on the complaint screen to who may see them.
            labels = [str(field_label(Complaint, change.get("field", ""))) for change in data["changes"]]
            parts.append("(%s)" % ", ".join(labels))
        if log_entry.action.endswith(".download"):
            parts.append(f"“{data.get('file_name', '')}”")
        if log_entry.action.endswith(".extend"):
            parts.append(
                str(_("from %(before)s to %(after)s: %(reason)s"))
                % {"before": local_date(data.get("before")), "after": local_date(data.get("after")), "reason": data.get("reason", "")}
            )
        if log_entry.action.endswith(".escalate"):
            days = data.get("days_overdue") or 0
            parts.append(
                ngettext("(%(name)s; overdue by %(days)s day)", "(%(name)s; overdue by %(days)s days)", days)
                % {"name": data.get("office_head", ""), "days": days}
            )
        if action == "unflag_safety":
            parts.append(str(_("because: %(reason)s")) % {"reason": data.get("reason", "")})
        if action == "unmark_duplicate" and data.get("reason") == "original_withdrawn":
            parts.append(str(_("(the original was withdrawn: this complaint is handled on its own)")))
        if action == "unmark_duplicate" and data.get("reason") == "reopened":
            parts.append(str(_("(reopened: this complaint is handled on its own)")))
        if action == "close_as_duplicate" and data.get("outcome"):
            parts.append(str(_("with its outcome: %(outcome)s")) % {"outcome": outcome_label(data["outcome"])})
        return " ".join(parts)


def register(registry):
    for action, (label, message) in ACTIONS.items():
        formatter = type(f"{action.title()}Formatter", (ComplaintLogFormatter,), {"label": label, "message": message})
        registry.register_action(f"wagtail_complaints.{action}")(formatter)
