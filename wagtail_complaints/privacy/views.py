"""The administrators' screen for a complainant's requests: find their complaints, download
everything stored about them, erase it."""

from django.contrib.admin.utils import quote
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from ..permissions import PERSONAL_DATA_REQUESTS_ACTION, within_sites_of
from ..viewsets import complaint_permission_policy
from .erasure import StillOpen, erase_person
from .export import export_person
from .forms import ErasureForm, PersonLookupForm
from .lookup import complaints_of


class DataRequestPermissionMixin(PermissionCheckedMixin):
    permission_policy = complaint_permission_policy
    permission_required = PERSONAL_DATA_REQUESTS_ACTION


def complaints_of_person(user, form):
    """The person's complaints on the hospitals `user` works on: another hospital's stay unseen and untouched."""
    return within_sites_of(user, complaints_of(form.cleaned_data["email"], form.cleaned_data["phone"]))


def person_query(form):
    return urlencode({name: form.cleaned_data[name] for name in ("email", "phone") if form.cleaned_data[name]})


class PersonalDataRequestsView(DataRequestPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Look a person up; their complaints, and the forms to export or erase their data."""

    template_name = "wagtail_complaints/privacy/requests.html"
    page_title = gettext_lazy("Personal data requests")
    header_icon = "lock"

    def lookup_data(self):
        return self.request.GET or None

    def get_context_data(self, erasure_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PersonLookupForm(self.lookup_data())
        context["form"] = form
        if form.is_valid():
            complaints = list(complaints_of_person(self.request.user, form))
            context.update(
                complaints=[
                    {"complaint": c, "url": reverse("wagtail_complaints:inspect", args=[quote(c.pk)])}
                    for c in complaints
                ],
                still_open=[c.reference for c in complaints if c.is_open],
                erasable=any(c.keeps_personal_data for c in complaints),
                erasure_form=erasure_form or ErasureForm(initial=form.cleaned_data),
                person=form.cleaned_data,
            )
        return context


class ExportPersonalDataView(DataRequestPermissionMixin, View):
    """POST: the ZIP of everything stored about the person (logged in each complaint's history)."""

    http_method_names = ["post"]

    def post(self, request):
        form = PersonLookupForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the person's e-mail address, phone number, or both."))
            return redirect("wagtail_complaints_privacy:requests")
        complaints = complaints_of_person(self.request.user, form)
        if not complaints.exists():
            messages.warning(request, _("No complaint has this e-mail address or phone number."))
            return redirect(reverse("wagtail_complaints_privacy:requests") + "?" + person_query(form))
        archive = export_person(complaints, by=request.user)
        filename = f"personal-data-{timezone.localdate():%Y-%m-%d}.zip"
        response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
        response["Cache-Control"] = "private, no-store"
        return response


class ErasePersonalDataView(PersonalDataRequestsView):
    """POST: remove the person's personal data from all their complaints, with the reason."""

    http_method_names = ["post"]

    def lookup_data(self):
        return self.request.POST

    def post(self, request):
        form = ErasureForm(request.POST)
        if not form.is_valid():
            if not PersonLookupForm(request.POST).is_valid():
                messages.error(request, _("Give the person's e-mail address, phone number, or both."))
                return redirect("wagtail_complaints_privacy:requests")
            messages.error(request, _("Please correct the errors below."))
            return self.render_to_response(self.get_context_data(erasure_form=form))
        back = reverse("wagtail_complaints_privacy:requests") + "?" + person_query(form)
        complaints = complaints_of_person(self.request.user, form)
        try:
            done = erase_person(complaints, by=request.user, reason=form.cleaned_data["reason"])
        except StillOpen as refused:
            messages.error(
                request,
                _(
                    "Nothing was erased: %(references)s still open. Close them with their outcome "
                    "first (the complainant is told), then erase."
                )
                % {"references": ", ".join(refused.references)},
            )
            return redirect(back)
        if done:
            messages.success(request, _("Personal data erased from %(references)s.") % {"references": ", ".join(done)})
        else:
            messages.warning(request, _("There was nothing left to erase."))
        return redirect(back)
