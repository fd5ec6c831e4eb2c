"""How the complaint audit trail reads in Wagtail's history views and in the complaint screen."""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

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
}


def state_label(value):
    try:
        return Status(value).label
    except ValueError:
        return value


class ComplaintLogFormatter(LogFormatter):
    """Adds what changed (state, assignee, phone answer) to the plain message."""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        parts = [str(self.message)]
        if data.get("from") and data.get("to") and data["from"] != data["to"]:
            parts.append(
                str(_("from “%(from)s” to “%(to)s”"))
                % {"from": state_label(data["from"]), "to": state_label(data["to"])}
            )
        if data.get("by_phone"):
            parts.append(str(_("by phone")))
        if log_entry.action.endswith(".assign"):
            parts.append(str(_("to %(user)s")) % {"user": data.get("assigned_to") or _("nobody")})
        if data.get("actor") == "complainant" and log_entry.action.endswith(".reopen"):
            parts.append(str(_("by the complainant")))
        return " ".join(parts)


def register(registry):
    for action, (label, message) in ACTIONS.items():
        formatter = type(f"{action.title()}Formatter", (ComplaintLogFormatter,), {"label": label, "message": message})
        registry.register_action(f"wagtail_complaints.{action}")(formatter)
