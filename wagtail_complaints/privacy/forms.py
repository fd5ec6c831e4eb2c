"""The administrator's forms for a complainant's access and erasure requests."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .lookup import MIN_PHONE_DIGITS, phone_digits


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Spaces, dashes and the international prefix do not matter."),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and len(phone_digits(phone)) < MIN_PHONE_DIGITS:
            raise ValidationError(
                _("Give at least %(count)d digits of the phone number."), params={"count": MIN_PHONE_DIGITS}
            )
        return phone

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Give the person's e-mail address, phone number, or both."))
        return data


class ErasureForm(PersonLookupForm):
    reason = forms.CharField(
        label=_("Reason for the erasure"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E.g. “Request received by e-mail on 3 March, identity checked”. It stays in each "
            "complaint's history: do not write the person's name or contacts here."
        ),
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
    )
