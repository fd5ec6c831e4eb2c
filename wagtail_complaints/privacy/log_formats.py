"""How privacy events read in a complaint's history."""

from django.utils.translation import gettext_lazy as _

from ..log_formats import ComplaintLogFormatter
from ..models import PersonalDataRemoval

REMOVED = "wagtail_complaints.remove_personal_data"
EXPORTED = "wagtail_complaints.export_personal_data"


class PersonalDataRemovedFormatter(ComplaintLogFormatter):
    label = _("Remove personal data")
    message = _("Personal data removed")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        try:
            because = PersonalDataRemoval(data.get("because")).label
        except ValueError:
            because = ""
        parts = [str(self.message), str(because)]
        if data.get("reason"):
            parts.append(str(_("(reason: %(reason)s)")) % {"reason": data["reason"]})
        return " ".join(part for part in parts if part)


class PersonalDataExportedFormatter(ComplaintLogFormatter):
    label = _("Export personal data")
    message = _("Personal data downloaded for an access request")


def register(registry):
    registry.register_action(REMOVED)(PersonalDataRemovedFormatter)
    registry.register_action(EXPORTED)(PersonalDataExportedFormatter)
