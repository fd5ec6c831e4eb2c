""""Send me my link again": a patient who lost the private link asks for it with reference and e-mail.

The answer on screen never says whether the two matched, so nobody can probe references. When
they match, the same link is e-mailed to the address on file: it is derived from the complaint's
nonce, so it can be sent again without revoking it (re-issuing would let anyone who knows a
reference and an address break the patient's link; handlers still re-issue it when a link leaked).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models.complaint import Complaint

SAME_ANSWER = _(
    "If the reference number and the e-mail address match a complaint, we have just sent its private "
    "link to that address. If nothing arrives within a few minutes, look in your spam folder or call the office."
)


class LostLinkForm(forms.Form):
    """Reference number and e-mail address; posted to the complaint form page."""

    prefix = "lost_link"

    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("As written in the confirmation, for example 2026-000123."),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The address you gave when you filed the complaint."),
    )

    def clean_reference(self):
        return "".join(self.cleaned_data["reference"].split()).upper()


def send_link_again(reference, email):
    """E-mail the link when reference and address match; log every request made on a complaint."""
    from . import actions  # actions sits above the models, which the form page (and so this) is part of

    complaint = Complaint.objects.filter(reference__iexact=reference).first()
    if complaint is None:
        return None
    matched = bool(complaint.email) and complaint.email.casefold() == email.casefold()
    actions.send_link_again(complaint, matched=matched)
    return complaint
