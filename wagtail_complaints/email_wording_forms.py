"""The admin form of an e-mail text: the placeholders each e-mail offers, listed beside the text."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .email_wording import EDITABLE_EMAILS
from .models import EmailWording


def placeholder_help():
    """Which placeholders each e-mail offers, as help text under the text field."""
    rows = format_html_join(
        "",
        "<li><strong>{}</strong>: {}</li>",
        (
            (label, ", ".join("{%s}" % name for name in placeholders))
            for label, placeholders in EDITABLE_EMAILS.values()
        ),
    )
    meanings = {}
    for _label, placeholders in EDITABLE_EMAILS.values():
        meanings.update(placeholders)
    legend = format_html_join("", "<li><code>{{{}}}</code> – {}</li>", meanings.items())
    return format_html(
        "{}<ul>{}</ul>{}<ul>{}</ul>{}",
        _("Placeholders each e-mail offers:"),
        rows,
        _("What they stand for:"),
        legend,
        _(
            "The office's name, contacts and signature are added at the foot, as in the shipped e-mails. "
            "Write the greeting yourself, e.g. 'Dear {first_name},'."
        ),
    )


class EmailWordingForm(WagtailAdminModelForm):
    class Meta:
        model = EmailWording
        fields = ["template", "language", "subject", "body", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()
