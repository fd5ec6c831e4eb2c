"""The forms on the patient's private page: reply, reopen, rate, withdraw."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .attachments import AttachmentsFieldMixin
from .conf import get_setting

RATINGS = [
    (5, _("5 – Very good")),
    (4, _("4 – Good")),
    (3, _("3 – Acceptable")),
    (2, _("2 – Poor")),
    (1, _("1 – Very poor")),
]


class FollowUpForm(forms.Form):
    """Each form has its own prefix, so one page can show several and tell which was sent."""

    def __init__(self, *args, office=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.office = office


def long_text(label, help_text="", required=True):
    longest = get_setting("MAX_DESCRIPTION_LENGTH")
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=longest,
        validators=[MaxLengthValidator(longest)],
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReplyForm(AttachmentsFieldMixin, FollowUpForm):
    action = "reply"
    body = long_text(_("Your message"), _("Add information, answer our questions, or tell us what is still wrong."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_attachments_field(self.office)


class ReopenForm(FollowUpForm):
    action = "reopen"
    reason = long_text(_("Why are you not satisfied with our answer?"), _("We will look at your complaint again and answer you."))


class RateForm(FollowUpForm):
    action = "rate"
    rating = forms.TypedChoiceField(
        label=_("How did we handle your complaint?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a mark from 1 to 5.")},
    )
    comment = long_text(_("Anything you would like to tell us?"), required=False)


class WithdrawForm(FollowUpForm):
    action = "withdraw"
    reason = long_text(_("Why are you withdrawing it?"), required=False)
    confirm = forms.BooleanField(
        label=_("Yes, I want to withdraw my complaint: the office will stop handling it."),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw your complaint.")},
    )


FORMS = {form.action: form for form in (ReplyForm, ReopenForm, RateForm, WithdrawForm)}
