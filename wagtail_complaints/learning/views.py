"""Back-office screens of the learning app: improvement actions, referring a closed complaint, a decision."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView

from ..models import Complaint
from ..permissions import sites_of, within_sites_of
from ..views.admin import DeactivateWhenUsedDeleteView, OwnSitesOnlyMixin
from . import actions
from .forms import DecisionForm, ReferralForm
from .models import Referral
from .policies import may_refer


def complaint_url(complaint):
    return reverse("wagtail_complaints:inspect", args=[quote(complaint.pk)])


# -- one hospital's actions and bodies, and those of the whole organisation ---------------------


def on_sites_of(user, queryset):
    """Rows of the user's hospitals, and those that belong to no site (the whole organisation)."""
    sites = sites_of(user)
    return queryset if sites is None else queryset.filter(Q(site__isnull=True) | Q(site__in=sites))


class OwnSitesIndexMixin:
    def get_base_queryset(self):
        return on_sites_of(self.request.user, super().get_base_queryset().select_related("site"))


class OwnSitesObjectMixin(OwnSitesOnlyMixin):
    """Another hospital's action or body does not exist for this one's operators (404 before any
    permission check); those of the whole organisation (no site) belong to every hospital."""

    def is_on_users_sites(self, found):
        sites = sites_of(self.request.user)
        return sites is None or found.site_id is None or found.site_id in sites


class OwnSitesEditView(OwnSitesObjectMixin, generic.EditView):
    pass


class OwnSitesInspectView(OwnSitesObjectMixin, generic.InspectView):
    pass


class OwnSitesDeleteView(OwnSitesObjectMixin, generic.DeleteView):
    pass


class OwnSitesHistoryView(OwnSitesObjectMixin, HistoryView):
    pass


class OwnSitesUsageView(OwnSitesObjectMixin, UsageView):
    pass


class OwnSitesIndexView(OwnSitesIndexMixin, generic.IndexView):
    pass


# -- improvement actions ------------------------------------------------------------------------


class ImprovementActionIndexView(OwnSitesIndexView):
    pass


class ImprovementActionCreateView(generic.CreateView):
    """Opened from a complaint (?complaint=<id>), the form starts with that complaint, its category,
    service and site filled in."""

    def get_initial(self):
        initial = super().get_initial()
        complaint = self.starting_complaint()
        if complaint is not None:
            initial.update(
                complaint_references=complaint.reference,
                category=complaint.category_id,
                service=complaint.service_id,
                site=complaint.site_id,
            )
        return initial

    def starting_complaint(self):
        pk = self.request.GET.get("complaint", "")
        if not pk.isdigit():
            return None
        return within_sites_of(self.request.user, Complaint.objects.all()).filter(pk=pk).first()

    def save_instance(self):
        self.form.instance.created_by = self.request.user
        instance = super().save_instance()
        actions.log_linked_complaints(instance, self.request.user, set(), set(instance.complaints.all()))
        return instance


class ImprovementActionEditView(OwnSitesEditView):
    def save_instance(self):
        before = set(Complaint.objects.filter(improvement_actions=self.object.pk))
        instance = super().save_instance()
        actions.log_linked_complaints(instance, self.request.user, before, set(instance.complaints.all()))
        return instance


class ImprovementActionInspectView(OwnSitesInspectView):
    template_name = "wagtail_complaints_learning/admin/action_inspect.html"
    fields = ["title", "details", "owner", "due_date", "state", "done_on", "site", "category", "service", "is_public", "public_text", "created_at", "created_by"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        complaints = within_sites_of(self.request.user, self.object.complaints.order_by("reference"))
        context["linked_complaints"] = [(complaint.reference, complaint_url(complaint)) for complaint in complaints]
        return context


# -- second-level bodies ------------------------------------------------------------------------


class SecondLevelBodyDeleteView(OwnSitesObjectMixin, DeactivateWhenUsedDeleteView):
    """A body that complaints were referred to is deactivated, never deleted: the referrals keep it."""

    def in_use(self):
        return self.object.referrals.exists()


# -- referring a closed complaint, and the body's decision -----------------------------------------


def _complaint_for(request, pk):
    complaint = get_object_or_404(within_sites_of(request.user, Complaint.objects.select_related("site")), pk=pk)
    if not may_refer(request.user):
        raise PermissionDenied
    return complaint


def refer(request, pk):
    """GET: the form; POST: the referral, in the complaint's history. Closed complaints only."""
    complaint = _complaint_for(request, pk)
    form = ReferralForm(request.POST or None, complaint=complaint)
    if request.method == "POST" and form.is_valid():
        try:
            actions.refer(complaint, request.user, form.cleaned_data["body"], form.cleaned_data["referred_on"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Referral recorded in the complaint's history."))
            return redirect(complaint_url(complaint))
    return TemplateResponse(
        request,
        "wagtail_complaints_learning/admin/refer.html",
        {
            "complaint": complaint,
            "form": form,
            "complaint_url": complaint_url(complaint),
            "is_closed": complaint.status == "closed",
            "bodies_url": reverse("wagtail_complaints_learning_bodies:index"),
            "page_title": _("Refer to a second-level body"),
            "page_subtitle": complaint.reference,
            "header_icon": "group",
        },
    )


def decide(request, pk):
    """GET: the form; POST: the body's decision (or a correction of it), in the complaint's history."""
    referral = get_object_or_404(Referral.objects.select_related("complaint", "body"), pk=pk)
    complaint = _complaint_for(request, referral.complaint_id)
    form = DecisionForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            actions.record_decision(referral, request.user, form.cleaned_data["decision"], form.cleaned_data["decided_on"])
        messages.success(request, _("Decision recorded in the complaint's history."))
        return redirect(complaint_url(complaint))
    return TemplateResponse(
        request,
        "wagtail_complaints_learning/admin/decide.html",
        {
            "complaint": complaint,
            "referral": referral,
            "form": form,
            "complaint_url": complaint_url(complaint),
            "page_title": _("Record the decision"),
            "page_subtitle": complaint.reference,
            "header_icon": "group",
        },
    )

