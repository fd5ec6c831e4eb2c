"""The back office's complaint screens, built on Wagtail's generic views.

The inbox and the complaint screen are read views; every change is a POST to a small view that
validates a form, calls `actions`, and sends the operator back to the complaint screen.
"""

import copy

from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView, LogEntryUserColumn
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import registry as log_registry
from wagtail.models import Site

from .. import actions, answer_templates, corrections, exports, inbox_search, workflow
from ..admin_forms import TRANSITION_FORMS, AssignForm, ExtendAnswerByForm, NoteForm
from ..models import ComplaintSettings
from ..casework_forms import LinkComplaintForm, UnflagSafetyForm
from ..permissions import can_see_personal_data, can_see_personal_data_of, within_sites_of, works_on_site
from ..spreadsheets import SafeCSVExportMixin

TRANSITION_LABELS = {
    "take_in_charge": gettext_lazy("Take in charge"),
    "answer": gettext_lazy("Send the answer"),
    "close": gettext_lazy("Close the complaint"),
    "reopen": gettext_lazy("Reopen"),
    "withdraw": gettext_lazy("Withdraw"),
}

PERSONAL_FIELDS = ["first_name", "last_name", "email", "phone"]
# Searching the texts would tell a viewer what a complaint says, or who wrote it.
PERSONAL_SEARCH_FIELDS = PERSONAL_FIELDS + ["description"]


def office_for(complaint_or_request):
    site = getattr(complaint_or_request, "site", None)
    if site is None and hasattr(complaint_or_request, "META"):
        site = Site.find_for_request(complaint_or_request)
    site = site or Site.objects.filter(is_default_site=True).first()
    return ComplaintSettings.for_site(site) if site else ComplaintSettings()


def complainant_label(entry):
    """Who did what in the history: the complainant is named as such, not as 'system'."""
    if (entry.data or {}).get("actor") == "complainant":
        return _("complainant")
    return entry.user_display_name


class OwnSitesOnlyMixin:
    """Another hospital's complaint does not exist for an operator of this one: 404, not 403.

    The object is looked up in `setup`, before any permission check, so the answer is the same
    whatever the user's role.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if getattr(self, "object", None) is None:
            self.object = self.get_object()

    def get_object(self, *args, **kwargs):
        found = super().get_object(*args, **kwargs)
        if not self.is_on_users_sites(found):
            raise Http404
        return found

    def is_on_users_sites(self, complaint):
        return works_on_site(self.request.user, complaint.site_id)


# -- the inbox --------------------------------------------------------------------------------


def assignee_name(complaint):
    user = complaint.assigned_to
    if user is None:
        return _("Nobody")
    return user.get_full_name() or user.get_username()


def days_context(complaint):
    days = complaint.days_left
    return {"days_left": days, "days_overdue": -days if days < 0 else 0}


class DaysLeftColumn(Column):
    cell_template_name = "wagtail_complaints/admin/includes/days_left_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        return {**super().get_cell_context_data(instance, parent_context), **days_context(instance)}


class FlagsColumn(Column):
    """Markers a handler must not miss in the list: a possible patient-safety incident, a duplicate."""

    cell_template_name = "wagtail_complaints/admin/includes/flags_cell.html"


class ComplaintIndexView(SafeCSVExportMixin, generic.IndexView):
    any_permission_required = ["view"]
    # Exports: local time without microseconds, operators by full name (issue 16b).
    custom_value_preprocess = exports.VALUE_PREPROCESS
    custom_field_preprocess = exports.FIELD_PREPROCESS

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.shows_personal_data = can_see_personal_data(request.user, office_for(request))
        if not self.shows_personal_data:
            self.search_fields = [f for f in self.search_fields if f not in PERSONAL_SEARCH_FIELDS]
            self.list_export = [f for f in self.list_export if f not in PERSONAL_FIELDS]

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        # A typed or pasted reference is found through its unique index, not by scanning every text.
        query = self.search_query.strip()
        by_reference = queryset.filter(reference__in={query, query.upper()})
        if query and by_reference.exists():
            return by_reference
        return inbox_search.search(queryset, self.search_fields, query)

    def get_base_queryset(self):
        return (
            within_sites_of(self.request.user, super().get_base_queryset())
            .select_related("category__parent", "service", "assigned_to", "site", "duplicate_of")
            .prefetch_related("category__labels", "category__parent__labels", "service__labels")
        )

    @cached_property
    def sees_several_sites(self):
        return within_sites_of(self.request.user, Site.objects.all(), "pk").count() > 1

    @cached_property
    def columns(self):
        hospital = [Column("site", label=gettext_lazy("Hospital"), accessor=lambda c: exports.hospital(c.site))]
        return [
            TitleColumn(
                "reference",
                label=gettext_lazy("Reference"),
                sort_key="reference",
                get_url=lambda complaint: reverse(self.inspect_url_name, args=[quote(complaint.pk)]),
            ),
            *(hospital if self.sees_several_sites else []),
            DateColumn("received_at", label=gettext_lazy("Received"), sort_key="received_at"),
            Column("category", label=gettext_lazy("Category"), accessor=lambda c: c.category.label()),
            Column("service", label=gettext_lazy("Service"), accessor=lambda c: c.service.label() if c.service else ""),
            StatusTagColumn(
                "status",
                label=gettext_lazy("State"),
                accessor="get_status_display",
                sort_key="status",
                primary=lambda c: c.is_open,
            ),
            # A plain name: avatars would cost a query per row for users without a profile.
            Column("assigned_to", label=gettext_lazy("Assigned to"), accessor=assignee_name),
            DaysLeftColumn("answer_by", label=gettext_lazy("Answer by"), sort_key="answer_by"),
            FlagsColumn("flags", label=gettext_lazy("Flags"), accessor="safety_flagged_at"),
        ]

    @cached_property
    def add_item_label(self):
        return _("Register a complaint")

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for field in ("category", "service"):
            if field in row:
                row[field] = row[field].label() if row[field] else ""
        return row


# -- registering and correcting a complaint ---------------------------------------------------


class RegisterComplaintView(generic.CreateView):
    """A complaint received by phone, letter, e-mail or in person, written down by an operator."""

    inspect_url_name = None
    page_title = gettext_lazy("Register a complaint")
    success_message = gettext_lazy("Complaint '%(object)s' registered.")
    submit_button_label = gettext_lazy("Register")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["site"] = Site.find_for_request(self.request) or Site.objects.filter(is_default_site=True).first()
        kwargs["sites"] = within_sites_of(self.request.user, Site.objects.order_by("site_name", "hostname"), "pk")
        return kwargs

    def save_instance(self):
        complaint = self.form.save(commit=False)
        return actions.register(complaint, by=self.request.user, office=office_for(complaint))

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])

    def get_success_buttons(self):
        return []


class ComplaintEditView(OwnSitesOnlyMixin, generic.EditView):
    """Correct a complaint's data; the form has no state field, so the workflow is untouched.

    A form drawn before someone else saved is refused: nothing is written, and the form comes
    back with the saved values in the fields they changed, each saying what it was and is now.
    """

    inspect_url_name = None

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.personal_data_removed_at:
            return self.refuse_anonymised()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except corrections.PersonalDataRemoved:
            return self.refuse_anonymised()

    def refuse_anonymised(self):
        messages.error(
            self.request, _("This complaint's personal data was removed: there is nothing left to correct.")
        )
        return redirect(reverse(self.inspect_url_name, args=[quote(self.object.pk)]))

    def save_instance(self):
        return actions.correct(
            self.object,
            by=self.request.user,
            values=self.form.corrected_values(),
            drawn_from=self.form.cleaned_data["drawn_from"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except corrections.StaleCorrection as conflict:
            self.produced_error_message = _("Nothing was saved: someone else corrected this complaint meanwhile.")
            return self.form_invalid(self.conflicted_form(form, conflict))

    def form_invalid(self, form):
        if "drawn_from" in form.errors:
            messages.error(self.request, form.errors["drawn_from"][0])
        return super().form_invalid(form)

    def conflicted_form(self, form, conflict):
        """The operator's form again, with the values saved meanwhile in the fields that changed."""
        saved = conflict.complaint
        data = form.data.copy()
        for name in conflict.changed:
            key, value = form.add_prefix(name), corrections.raw_value(saved, name)
            if value is True:
                data[key] = "on"
            elif value is False:
                data.pop(key, None)
            else:
                data[key] = "" if value is None else str(value)
        data[form.add_prefix("drawn_from")] = corrections.sign(corrections.snapshot(saved, form.Meta.fields))
        self.object = saved
        kwargs = {**self.get_form_kwargs(), "data": data, "instance": saved}
        refreshed = self.get_form_class()(**kwargs)
        refreshed.is_valid()
        for name in conflict.changed:
            ours = copy.copy(saved)
            setattr(ours, name, form.cleaned_data[name])
            refreshed.add_error(
                name,
                _("Changed by someone else while you were editing: now “%(now)s”, your form had “%(yours)s”.")
                % {"now": self.shorten(saved, name), "yours": self.shorten(ours, name)},
            )
        refreshed.add_error(
            None,
            _(
                "Someone else corrected this complaint while you were editing it. Nothing was saved. "
                "The fields they changed now show the saved value: check them and save again."
            ),
        )
        return refreshed

    @staticmethod
    def shorten(complaint, name):
        value = corrections.display_value(corrections.readable_value(complaint, name))
        return Truncator(str(value)).chars(80)

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[quote(self.object.pk)])

    def get_success_buttons(self):
        return []


class ComplaintHistoryView(OwnSitesOnlyMixin, HistoryView):
    any_permission_required = ["view"]
    inspect_url_name = None

    def get_edit_url(self, instance):
        # Breadcrumbs and buttons lead to the complaint screen, not to an edit form viewers cannot open.
        return reverse(self.inspect_url_name, args=[quote(instance.pk)])

    @cached_property
    def header_buttons(self):
        return [HeaderButton(label=_("Complaint"), url=self.get_edit_url(self.object), icon_name="warning")]

    @cached_property
    def columns(self):
        columns = list(super().columns)
        columns[1] = ComplaintLogUserColumn("user", label=gettext_lazy("User"), width="25%")
        return columns


class ComplaintLogUserColumn(LogEntryUserColumn):
    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        if (instance.data or {}).get("actor") == "complainant":
            context["display_name"] = _("complainant")
        return context


# -- the complaint screen ---------------------------------------------------------------------

# Sec-Fetch-Site of a navigation the operator made: from the admin itself, or typed, bookmarked,
# or opened from an e-mail ("none"). Browsers that send no header are treated as cross-site.
OWN_NAVIGATIONS = {"same-origin", "same-site", "none"}


def navigated_here(request):
    return request.headers.get("Sec-Fetch-Site") in OWN_NAVIGATIONS



class ComplaintInspectView(generic.InspectView):
    """Everything about one complaint, and the forms for what this user may do now."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Complaint")
    template_name = "wagtail_complaints/admin/inspect.html"
    inspect_url_name = None
    transition_url_name = None
    note_url_name = None
    assign_url_name = None
    extend_url_name = None
    safety_url_name = None
    links_url_name = None

    def get_object(self, queryset=None):
        queryset = self.model._default_manager.select_related(
            "category__parent", "service", "assigned_to", "registered_by", "page", "site", "safety_flagged_by",
            "duplicate_of",
        ).prefetch_related("category__labels", "category__parent__labels", "service__labels")
        try:
            return within_sites_of(self.request.user, queryset).get(pk=self.pk)
        except (self.model.DoesNotExist, ValueError):
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        # Opening the screen is logged; a handler opening a pending complaint takes it in charge,
        # but only when they navigated here themselves: a link on another site changes nothing.
        previous = self.object.status
        self.object = actions.open_for(self.object, request.user, take_in_charge_pending=navigated_here(request))
        if previous != self.object.status:
            self.object = self.get_object()
            messages.success(request, _("You have taken this complaint in charge; the complainant has been told."))
        return super().get(request, *args, **kwargs)

    @cached_property
    def can_handle(self):
        return workflow.is_handler(self.object, self.request.user)

    @cached_property
    def sees_several_sites(self):
        return within_sites_of(self.request.user, Site.objects.all(), "pk").count() > 1

    def get_page_subtitle(self):
        return self.object.reference

    def transition_forms(self, bound=None):
        forms = []
        for name in workflow.available_transitions(self.object, self.request.user):
            if bound and bound[0] == name:
                form = bound[1]
            else:
                form = TRANSITION_FORMS[name](
                    initial={"expected_status": self.object.status}, prefix=name, complaint=self.object
                )
            forms.append(
                {
                    "name": name,
                    "label": TRANSITION_LABELS.get(name, name),
                    "form": form,
                    "url": reverse(self.transition_url_name, args=[quote(self.object.pk), name]),
                }
            )
        return forms

    def get_context_data(
        self, bound=None, note_form=None, assign_form=None, extend_form=None, unflag_form=None, link_form=None, **kwargs
    ):
        context = super().get_context_data(**kwargs)
        complaint = self.object
        office = office_for(complaint)
        show_personal_data = can_see_personal_data_of(self.request.user, complaint)
        context.update(
            complaint=complaint,
            office=office,
            **days_context(complaint),
            show_personal_data=show_personal_data,
            # Internal notes are the office's own: the health authority reads the public thread.
            thread=(complaint.messages if self.can_handle else complaint.messages.public()).select_related("author"),
            history=self.history(show_personal_data),
            transitions=self.transition_forms(bound),
            can_handle=self.can_handle,
            **self.links_context(),
            panels=self.feature_panels(),
            # Named for who works on several hospitals; one hospital's office knows where it is.
            hospital=exports.hospital(complaint.site) if self.sees_several_sites else "",
        )
        if self.can_handle:
            context.update(self.casework_forms(unflag_form, link_form))
            context.update(
                note_form=note_form or NoteForm(),
                note_url=reverse(self.note_url_name, args=[quote(complaint.pk)]),
                assign_form=assign_form or AssignForm(complaint=complaint),
                assign_url=reverse(self.assign_url_name, args=[quote(complaint.pk)]),
                edit_url=reverse(self.edit_url_name, args=[quote(complaint.pk)]),
            )
            if complaint.is_open:
                context.update(
                    extend_form=extend_form or ExtendAnswerByForm(complaint=complaint),
                    extend_url=reverse(self.extend_url_name, args=[quote(complaint.pk)]),
                )
        return context

    def inspect_url(self, complaint):
        return reverse(self.inspect_url_name, args=[quote(complaint.pk)])

    def links_context(self):
        """The other complaints this one is linked to, both ways, among those the user works on."""
        complaint = self.object
        visible = within_sites_of(self.request.user, type(complaint).objects.all())
        related = visible.filter(pk__in=complaint.related.values("pk")).order_by("received_at")
        duplicates = visible.filter(duplicate_of=complaint).order_by("received_at")
        original = visible.filter(pk=complaint.duplicate_of_id).first() if complaint.duplicate_of_id else None
        return {
            "related_complaints": [(c, self.inspect_url(c)) for c in related],
            "duplicate_complaints": [(c, self.inspect_url(c)) for c in duplicates],
            "original_complaint": (original, self.inspect_url(original)) if original else None,
        }

    def casework_forms(self, unflag_form, link_form):
        complaint = self.object
        url = lambda name, change: reverse(name, args=[quote(complaint.pk), change])  # noqa: E731
        return {
            "unflag_form": unflag_form or UnflagSafetyForm(),
            "link_form": link_form or LinkComplaintForm(complaint=complaint, user=self.request.user),
            "flag_safety_url": url(self.safety_url_name, "flag"),
            "unflag_safety_url": url(self.safety_url_name, "unflag"),
            "link_url": url(self.links_url_name, "add"),
            "unlink_related_url": url(self.links_url_name, "remove_related"),
            "unmark_duplicate_url": url(self.links_url_name, "remove_duplicate"),
        }
    def feature_panels(self):
        """Panels that features add through the hook `insert_complaint_screen_panels`
        (a function of the request and the complaint returning a Wagtail component, or None)."""
        from wagtail import hooks

        panels = (hook(self.request, self.object) for hook in hooks.get_hooks("insert_complaint_screen_panels"))
        return [panel for panel in panels if panel is not None]

    def history(self, show_personal_data):
        entries = log_registry.get_logs_for_instance(self.object).select_related("user").order_by("timestamp", "pk")
        return [
            {
                "entry": entry,
                "actor": complainant_label(entry),
                # A correction's values before and after; personal ones only for who may see them.
                "changes": corrections.readable_changes(
                    self.model, (entry.data or {}).get("changes"), show_personal_data
                ),
            }
            for entry in entries
        ]

    @cached_property
    def header_more_buttons(self):
        # Complaints are never deleted, and editing has its own link on the screen.
        return []


class ComplaintActionView(ComplaintInspectView):
    """Base of the POST-only views: only handlers may change a complaint."""

    http_method_names = ["post"]
    any_permission_required = None
    permission_required = "change"

    def back(self):
        return redirect(reverse(self.inspect_url_name, args=[quote(self.object.pk)]))

    def refuse_stale(self):
        messages.warning(
            self.request,
            _("Someone changed this complaint while you were working on it. Nothing was saved: check it and try again."),
        )
        return self.back()

    def invalid(self, **context):
        messages.error(self.request, _("Please correct the errors below."))
        return self.render_to_response(self.get_context_data(**context))


class TransitionView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        name = kwargs["transition"]
        if name not in workflow.TRANSITIONS:
            raise Http404
        form = TRANSITION_FORMS[name](request.POST, prefix=name, complaint=self.object)
        if name == "answer" and "insert_template" in request.POST:
            return self.insert_template(form)
        if not form.is_valid():
            if "expected_status" in form.errors:
                return self.refuse_stale()
            return self.invalid(bound=(name, form))
        try:
            self.fire(name, form)
        except workflow.StaleComplaint:
            return self.refuse_stale()
        except workflow.TransitionNotAllowed:
            messages.error(request, _("This cannot be done to the complaint in its current state."))
            return self.back()
        messages.success(request, self.success_message_for(name))
        return self.back()

    def insert_template(self, form):
        """Draw the answer form again with the chosen template appended to the text typed so far."""
        try:
            template = form.fields["template"].clean(form["template"].value()) if "template" in form.fields else None
        except ValidationError:
            template = None
        body = form["body"].value() or ""
        initial = {name: form[name].value() for name in form.fields}
        if template is not None:
            initial["body"] = answer_templates.insert(body, template, self.object)
        else:
            messages.warning(self.request, _("Choose a template to insert."))
        redrawn = type(form)(initial=initial, prefix=form.prefix, complaint=self.object)
        return self.render_to_response(self.get_context_data(bound=("answer", redrawn)))

    def fire(self, name, form):
        action = getattr(actions, name)
        action(
            self.object,
            by=self.request.user,
            expected_status=form.cleaned_data["expected_status"],
            **form.action_kwargs(),
        )

    def success_message_for(self, name):
        if name == "answer" and not self.object.email:
            return _("Answer recorded. The complainant has no e-mail address: no e-mail was sent.")
        return {
            "take_in_charge": _("Complaint taken in charge."),
            "answer": _("Answer recorded and sent to the complainant."),
            "close": _("Complaint closed; the complainant has been told."),
            "reopen": _("Complaint reopened."),
        }.get(name, _("Done."))


class NoteView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        form = NoteForm(request.POST)
        if not form.is_valid():
            return self.invalid(note_form=form)
        actions.add_note(self.object, request.user, form.cleaned_data["body"])
        messages.success(request, _("Internal note added."))
        return self.back()


class AssignView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        form = AssignForm(request.POST, complaint=self.object)
        if not form.is_valid():
            return self.invalid(assign_form=form)
        try:
            actions.assign(
                self.object,
                request.user,
                form.cleaned_data["assigned_to"],
                expected_assignee_id=form.cleaned_data["drawn_assignee"],
            )
        except workflow.StaleComplaint:
            messages.warning(
                request,
                _("Someone reassigned this complaint while you were working on it. Nothing was saved: check it and try again."),
            )
            return self.back()
        messages.success(request, _("Assignment saved."))
        return self.back()


class ExtendAnswerByView(ComplaintActionView):
    def post(self, request, *args, **kwargs):
        form = ExtendAnswerByForm(request.POST, complaint=self.object)
        if not form.is_valid():
            if "drawn_answer_by" in form.errors or form.data.get("drawn_answer_by") != self.object.answer_by.isoformat():
                return self.refuse_stale()
            return self.invalid(extend_form=form)
        try:
            actions.extend_answer_by(
                self.object,
                request.user,
                form.cleaned_data["answer_by"],
                form.cleaned_data["reason"],
                expected_answer_by=form.cleaned_data["drawn_answer_by"],
            )
        except workflow.StaleComplaint:
            return self.refuse_stale()
        except workflow.TransitionNotAllowed:
            messages.error(request, _("This cannot be done to the complaint in its current state."))
            return self.back()
        if self.object.email:
            messages.success(request, _("Answer-by date extended; the complainant is e-mailed the new date."))
        else:
            messages.success(request, _("Answer-by date extended. The complainant has no e-mail address: tell them another way."))
        return self.back()



class ComplaintDeleteView(OwnSitesOnlyMixin, generic.DeleteView):
    """Never allowed (the permission policy refuses it); another site's complaint is not even found."""


class ComplaintUsageView(OwnSitesOnlyMixin, UsageView):
    pass


# -- lists managed by administrators ----------------------------------------------------------


class DeactivateWhenUsedDeleteView(generic.DeleteView):
    """Entries that complaints (or sub-categories) use are deactivated, never deleted."""

    template_name = "wagtail_complaints/admin/confirm_delete.html"

    def in_use(self):
        obj = self.object
        return obj.complaints.exists() or (hasattr(obj, "children") and obj.children.exists())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["in_use"] = self.in_use()
        return context

    def form_valid(self, form):
        if not self.in_use():
            try:
                return super().form_valid(form)
            except ProtectedError:
                pass
        return self.deactivate()

    def deactivate(self):
        obj = self.object
        if obj.is_active:
            obj.is_active = False
            obj.save(update_fields=["is_active"])
            from wagtail.log_actions import log

            log(obj, "wagtail.edit", user=self.request.user)
        messages.warning(
            self.request,
            _("'%(object)s' is used by complaints, so it has been deactivated instead of deleted.") % {"object": obj},
        )
        return redirect(self.get_success_url())
