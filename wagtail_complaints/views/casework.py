"""The complaint screen's patient-safety flag and links to other complaints (POST only, handlers)."""

from django.http import Http404
from django.utils.translation import gettext as _
from wagtail.admin import messages

from .. import actions, related, workflow
from ..casework_forms import LinkComplaintForm, LinkKind, UnflagSafetyForm
from ..models import Complaint
from ..notifications import clinical_risk_contact
from ..permissions import within_sites_of
from .admin import ComplaintActionView


class SafetyFlagView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        change = kwargs["change"]
        if change == "flag":
            return self.flag()
        if change == "unflag":
            return self.unflag()
        raise Http404

    def flag(self):
        try:
            complaint = actions.flag_patient_safety(self.object, self.request.user)
        except workflow.TransitionNotAllowed:
            messages.warning(self.request, _("This complaint is already flagged as a possible patient-safety incident."))
            return self.back()
        if clinical_risk_contact(complaint):
            messages.success(self.request, _("Flagged as a possible patient-safety incident; the clinical-risk contact has been e-mailed."))
        else:
            messages.warning(
                self.request,
                _(
                    "Flagged as a possible patient-safety incident. No clinical-risk contact is set in the "
                    "complaints office settings: nobody was e-mailed, so tell clinical risk another way."
                ),
            )
        return self.back()

    def unflag(self):
        form = UnflagSafetyForm(self.request.POST)
        if not form.is_valid():
            return self.invalid(unflag_form=form)
        try:
            actions.unflag_patient_safety(self.object, self.request.user, form.cleaned_data["reason"])
        except workflow.TransitionNotAllowed:
            messages.warning(self.request, _("This complaint is not flagged for patient safety."))
            return self.back()
        messages.success(self.request, _("Patient-safety flag removed; the reason is in the history."))
        return self.back()


class ComplaintLinksView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        change = kwargs["change"]
        if change == "add":
            return self.add()
        if change == "remove_related":
            return self.remove_related()
        if change == "remove_duplicate":
            return self.remove_duplicate()
        raise Http404

    def add(self):
        form = LinkComplaintForm(self.request.POST, complaint=self.object, user=self.request.user)
        if not form.is_valid():
            return self.invalid(link_form=form)
        other, kind = form.cleaned_data["reference"], form.cleaned_data["kind"]
        try:
            if kind == LinkKind.DUPLICATE:
                complaint = actions.mark_duplicate(self.object, self.request.user, other)
            else:
                actions.link_related(self.object, self.request.user, other)
        except related.LinkRefused as refusal:
            # Someone linked them meanwhile: the rule is checked again under lock.
            form.add_error("reference", refusal.message)
            return self.invalid(link_form=form)
        except (workflow.TransitionNotAllowed, workflow.StaleComplaint):
            messages.error(self.request, _("This cannot be done to the complaint in its current state."))
            return self.back()
        if kind == LinkKind.RELATED:
            messages.success(self.request, _("Linked as related to %(reference)s.") % {"reference": other.reference})
        elif complaint.is_open:
            messages.success(
                self.request,
                _("Marked as a duplicate of %(reference)s: it will close with that complaint's outcome.")
                % {"reference": other.reference},
            )
        else:
            messages.success(
                self.request,
                _("Marked as a duplicate of %(reference)s and closed with its outcome.") % {"reference": other.reference},
            )
        return self.back()

    def other(self):
        try:
            pk = int(self.request.POST.get("other", ""))
        except ValueError:
            raise Http404 from None
        other = within_sites_of(self.request.user, Complaint.objects.all()).filter(pk=pk).first()
        if other is None:
            raise Http404
        return other

    def remove_related(self):
        other = self.other()
        try:
            actions.unlink_related(self.object, self.request.user, other)
        except related.LinkRefused as refusal:
            messages.warning(self.request, refusal.message)
            return self.back()
        messages.success(self.request, _("%(reference)s is no longer linked as related.") % {"reference": other.reference})
        return self.back()

    def remove_duplicate(self):
        try:
            actions.unmark_duplicate(self.object, self.request.user)
        except workflow.TransitionNotAllowed:
            messages.error(
                self.request,
                _("Only a duplicate still waiting for its original can be unmarked."),
            )
            return self.back()
        messages.success(self.request, _("No longer a duplicate: this complaint is handled on its own."))
        return self.back()
