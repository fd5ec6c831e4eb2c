"""Forms of the complaint screen's patient-safety flag and links to other complaints."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import related


class UnflagSafetyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the flag is removed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("Kept in the history, e.g. “clinical risk reviewed it: no incident”."),
    )


class LinkKind:
    RELATED = "related"
    DUPLICATE = "duplicate"


class LinkComplaintForm(forms.Form):
    """Another complaint, chosen by its reference, and how it relates to this one."""

    reference = forms.CharField(
        label=_("Reference of the other complaint"), max_length=40, help_text=_("E.g. URP-2026-000123.")
    )
    kind = forms.ChoiceField(
        label=_("This complaint is"),
        choices=[
            (LinkKind.RELATED, _("related to it (both stay open and are handled on their own)")),
            (LinkKind.DUPLICATE, _("a duplicate of it (closed with its outcome; the complainant is told)")),
        ],
        widget=forms.RadioSelect,
        initial=LinkKind.RELATED,
    )

    def __init__(self, *args, complaint, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.user = user

    def clean_reference(self):
        # The operator's own sites only: another hospital's reference reads as unknown, with no hint.
        other = related.find_by_reference(self.user, self.cleaned_data["reference"])
        if other is None:
            raise forms.ValidationError(_("No complaint has this reference: check it and try again."))
        return other

    def clean(self):
        data = super().clean()
        other, kind = data.get("reference"), data.get("kind")
        if other is None or kind is None:
            return data
        check = related.check_can_be_duplicate if kind == LinkKind.DUPLICATE else related.check_can_relate
        try:
            check(self.complaint, other)
        except related.LinkRefused as refusal:
            self.add_error("reference", refusal.message)
        return data
