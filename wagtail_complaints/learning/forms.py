"""Operator forms: an improvement action (its complaints named by reference), a referral, a decision."""

import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import Complaint
from ..permissions import sites_of, within_sites_of
from .models import Decision, SecondLevelBody


def split_references(text):
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


class ImprovementActionForm(WagtailAdminModelForm):
    """Complaints are named by their references (a list of a million would be no choice at all)."""

    complaint_references = forms.CharField(
        label=_("Complaints"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The references of the complaints that led to this action, separated by commas or spaces."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("complaints", None)
        sites = sites_of(self.for_user) if self.for_user is not None else None
        if sites is not None and "site" in self.fields:
            # A hospital's operators file actions for their own hospitals (or, left empty, for all).
            self.fields["site"].queryset = self.fields["site"].queryset.filter(pk__in=sites)
        if self.instance.pk:
            self.initial.setdefault(
                "complaint_references", ", ".join(self.instance.complaints.order_by("reference").values_list("reference", flat=True))
            )

    def clean_complaint_references(self):
        references = list(dict.fromkeys(split_references(self.cleaned_data["complaint_references"])))
        queryset = Complaint.objects.filter(reference__in=references)
        if self.for_user is not None:
            queryset = within_sites_of(self.for_user, queryset)
        found = {complaint.reference: complaint for complaint in queryset}
        unknown = [reference for reference in references if reference not in found]
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "No complaint has the reference %(references)s.",
                    "No complaints have the references %(references)s.",
                    len(unknown),
                )
                % {"references": ", ".join(unknown)}
            )
        return [found[reference] for reference in references]

    def clean(self):
        data = super().clean()
        if not (data.get("complaint_references") or data.get("category") or data.get("service")):
            if "complaint_references" not in self.errors:
                raise forms.ValidationError(
                    _("Link the action to at least one complaint, or to a category or a service.")
                )
        return data

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit:
            instance.complaints.set(self.cleaned_data["complaint_references"])
        return instance


class ReferralForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Second-level body"), queryset=SecondLevelBody.objects.none())
    referred_on = forms.DateField(label=_("Date referred"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.fields["body"].queryset = SecondLevelBody.objects.filter(
            Q(site=complaint.site_id) | Q(site__isnull=True), is_active=True
        )
        self.fields["referred_on"].initial = timezone.localdate()

    def clean_referred_on(self):
        day = self.cleaned_data["referred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date referred cannot be in the future."))
        if self.complaint.closed_at and day < timezone.localdate(self.complaint.closed_at):
            raise forms.ValidationError(_("A complaint is referred after it was closed: check the date."))
        return day


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    decided_on = forms.DateField(
        label=_("Date of the decision"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, referral, **kwargs):
        kwargs.setdefault("initial", {"decision": referral.decision, "decided_on": referral.decided_on})
        kwargs.setdefault("prefix", f"referral-{referral.pk}")
        super().__init__(*args, **kwargs)
        self.referral = referral

    def clean(self):
        data = super().clean()
        decision, day = data.get("decision"), data.get("decided_on")
        if decision and decision != Decision.PENDING and not day:
            self.add_error("decided_on", _("Give the date of the decision."))
        if decision == Decision.PENDING and day:
            self.add_error("decided_on", _("A pending referral has no decision date yet: clear it, or choose the decision."))
        if day and day < self.referral.referred_on:
            self.add_error("decided_on", _("The decision cannot come before the date referred."))
        if day and day > timezone.localdate():
            self.add_error("decided_on", _("The date of the decision cannot be in the future."))
        return data
