"""How the learning entries read in a complaint's history (and in Wagtail's own history views)."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import LogFormatter

from .models import Decision


def _date(iso):
    try:
        return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""


def _decision(value):
    try:
        return str(Decision(value).label)
    except ValueError:
        return value or ""


class ReferFormatter(LogFormatter):
    label = _("Referred to the second level")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return str(_("Referred to “%(body)s” on %(date)s")) % {"body": data.get("body", ""), "date": _date(data.get("referred_on"))}


class DecideFormatter(LogFormatter):
    label = _("Second-level decision")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = str(_("Decision of “%(body)s”: %(decision)s")) % {
            "body": data.get("body", ""),
            "decision": _decision(data.get("decision")),
        }
        if data.get("decided_on"):
            message += " " + str(_("(on %(date)s)")) % {"date": _date(data["decided_on"])}
        return message


class LinkActionFormatter(LogFormatter):
    label = _("Improvement action")

    def format_message(self, log_entry):
        return str(_("Linked to the improvement action “%(title)s”")) % {"title": (log_entry.data or {}).get("title", "")}


class UnlinkActionFormatter(LogFormatter):
    label = _("Improvement action")

    def format_message(self, log_entry):
        return str(_("No longer linked to the improvement action “%(title)s”")) % {
            "title": (log_entry.data or {}).get("title", "")
        }


FORMATTERS = {
    "refer": ReferFormatter,
    "decide": DecideFormatter,
    "link_action": LinkActionFormatter,
    "unlink_action": UnlinkActionFormatter,
}


def register(registry):
    for action, formatter in FORMATTERS.items():
        registry.register_action(f"wagtail_complaints_learning.{action}")(formatter)
