"""The complaint form page editors place anywhere in the page tree."""


from django.db import IntegrityError, models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.contrib.forms.models import AbstractFormField, FormMixin
from wagtail.fields import RichTextField
from wagtail.models import Page, Site

from .. import intake_cache, ratelimits
from ..deadlines import set_deadlines
from ..http import private_response
from ..forms import ComplaintFormBuilder
from ..lost_link import SAME_ANSWER as LOST_LINK_ANSWER
from ..lost_link import LostLinkForm, send_link_again
from .complaint import Complaint
from .settings import ComplaintSettings

LOST_LINK_SESSION_KEY = "wagtail_complaints_lost_link_sent"


class ComplaintFormField(AbstractFormField):
    """An extra question an editor adds to the form; answers are stored with the complaint."""

    page = ParentalKey("ComplaintFormPage", on_delete=models.CASCADE, related_name="form_fields")

    objects = intake_cache.InvalidatingQuerySet.as_manager()


class ComplaintFormPage(FormMixin, Page):
    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(
        _("thank-you text"),
        blank=True,
        help_text=_("Shown with the reference number once the complaint is filed."),
    )
    privacy_notice = RichTextField(_("privacy notice"), blank=True)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("privacy notice page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A page with the full notice, linked from the form."),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"),
        max_length=100,
        default="1",
        help_text=_("Change it whenever the notice changes: each complaint records the version accepted."),
    )
    categories = ParentalManyToManyField(
        "wagtail_complaints.Category",
        verbose_name=_("categories offered"),
        blank=True,
        help_text=_("Leave empty to offer every active category."),
    )
    services = ParentalManyToManyField(
        "wagtail_complaints.Service",
        verbose_name=_("services offered"),
        blank=True,
        help_text=_("Leave empty to offer every active service."),
    )

    form_builder = ComplaintFormBuilder
    # Wagtail's own form-page form: it refuses two extra questions with the same name.
    base_form_class = WagtailAdminFormPageForm

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("categories"), FieldPanel("services")],
            heading=_("What patients can choose"),
        ),
        InlinePanel("form_fields", label=_("Extra questions")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldPanel("privacy_notice"),
                FieldRowPanel([PageChooserPanel("privacy_page"), FieldPanel("privacy_notice_version")]),
            ],
            heading=_("Privacy"),
        ),
    ]

    template = "wagtail_complaints/complaint_form_page.html"
    landing_page_template = "wagtail_complaints/complaint_form_page_landing.html"

    class Meta:
        verbose_name = _("complaint form page")
        verbose_name_plural = _("complaint form pages")

    # -- the steps of a submission; a site changes one by overriding one method --------------

    def get_form_parameters(self):
        return {"page": self}

    def get_form(self, *args, **kwargs):
        form_params = {**self.get_form_parameters(), **kwargs}
        return self.get_remembered_form_class(kwargs.get("request"))(*args, **form_params)

    def get_remembered_form_class(self, request):
        """The form class of the live page, built once per process and page revision."""
        if request is None or getattr(request, "is_preview", False):
            return self.get_form_class()  # a preview shows the editor's unsaved questions
        key = ("form_class", self.pk, self.live_revision_id)
        return intake_cache.remembered(key, self.get_form_class, request)

    def serve(self, request, *args, **kwargs):
        with intake_cache.for_request(request):
            return self.serve_form(request, *args, **kwargs)

    def serve_form(self, request, *args, **kwargs):
        if request.method != "POST":
            return self.render_form(request, self.get_form(user=request.user, request=request))
        if request.POST.get("form") == LostLinkForm.prefix:
            return self.serve_lost_link(request)

        form = self.get_form(request.POST, request.FILES, user=request.user, request=request)
        limit = ratelimits.submission_limit(request)
        if limit:
            form.add_error(None, ratelimits.too_many_message(limit))
            response = self.render_form(request, form, status=429)
            response["Retry-After"] = str(limit.seconds_left)
            return response
        if not form.is_valid():
            if form.has_error("website"):
                ratelimits.count_submission(request)  # a bot: counted like a submission
            return self.render_form(request, form)

        complaint = self.process_form_submission(form)
        if not getattr(complaint, "replayed", False):
            ratelimits.count_submission(request)
        return self.render_landing_page(request, complaint)

    def render_form(self, request, form, status=200, lost_link_form=None):
        context = self.get_context(request)
        context["form"] = form
        context["lost_link_form"] = lost_link_form or LostLinkForm()
        if request.session.pop(LOST_LINK_SESSION_KEY, False):
            context["lost_link_answer"] = LOST_LINK_ANSWER
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def serve_lost_link(self, request):
        """"Send me my link again": the same answer whether or not reference and e-mail match."""
        form = LostLinkForm(request.POST)
        blank_complaint_form = self.get_form(user=request.user, request=request)
        if not form.is_valid():
            return self.render_form(request, blank_complaint_form, status=400, lost_link_form=form)
        limit = ratelimits.lost_link_limit(request, form.cleaned_data["reference"])
        if limit:
            form.add_error(None, ratelimits.lost_link_too_many_message(limit))
            response = self.render_form(request, blank_complaint_form, status=429, lost_link_form=form)
            response["Retry-After"] = str(limit.seconds_left)
            return response
        send_link_again(form.cleaned_data["reference"], form.cleaned_data["email"])
        # Shown once, inline, on the next view: not Django's messages, which a host's base may render too.
        request.session[LOST_LINK_SESSION_KEY] = True
        return redirect(self.get_url(request) + "#lost-link")

    def process_form_submission(self, form):
        """Save the complaint in one transaction; a replayed form gets the complaint it made.

        A replay (double click, back and resend, a shared kiosk) is marked `replayed`, so the
        page tells only that it arrived, never today's private link or the address.
        """
        key = form.cleaned_data["submission_key"]
        try:
            with transaction.atomic():
                complaint = self.build_complaint(form)
                complaint.save()
                form.save_attachments(complaint)
                self.assign_automatically(complaint, form)
                self.notify(complaint)
        except IntegrityError:
            # The same form sent twice: the first one saved it.
            existing = Complaint.objects.filter(submission_key=key).first()
            if existing is None:
                raise
            existing.replayed = True
            return existing
        return complaint

    def build_complaint(self, form):
        if form.request is not None:
            site = Site.find_for_request(form.request)
            office = form.office()
        else:
            site = self.get_site()
            office = ComplaintSettings.for_site(site) if site else ComplaintSettings()
        data = form.cleaned_data
        now = timezone.now()
        complaint = Complaint(
            site=site,
            page=self,
            submission_key=data["submission_key"],
            received_at=now,
            language=(get_language() or "it").split("-")[0],
            privacy_notice_version=self.privacy_notice_version,
            privacy_accepted_at=now,
            extra_answers=form.extra_answers(),
            **{name: data[name] for name in form.complaint_fields},
        )
        set_deadlines(complaint, office)
        complaint.assign_reference(prefix=office.reference_prefix)
        return complaint

    def assign_automatically(self, complaint, form):
        """Assign the new complaint to the one handler who covers it, if the office wants that."""
        from .. import actions

        actions.auto_assign(complaint, form.office())

    def notify(self, complaint):
        from ..notifications import notify

        notify("received", complaint)

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        context = self.get_context(request)
        context["complaint"] = form_submission
        context["form_submission"] = form_submission
        context["replayed"] = getattr(form_submission, "replayed", False)
        response = TemplateResponse(request, self.get_landing_page_template(request), context)
        # The page shows the private link: never stored, indexed, or named to another site.
        private_response(response)
        return response

    # -- the Forms admin lists our pages; point it at the complaints instead ------------------

    def get_submissions(self):
        return Complaint.objects.filter(page=self)

    def serve_submissions_list_view(self, request, *args, **kwargs):
        return redirect(reverse("wagtail_complaints:index") + f"?form_page={self.pk}")
