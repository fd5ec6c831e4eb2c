"""Forms of the back office: one per transition, notes, assignment, complaint data, operators.

None of them has a `status` field: the state only moves through `actions` and the fsm.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput
from wagtail.models import Site

from . import answer_templates, corrections
from .deadlines import SiteClock, office_of, set_deadlines
from .models import AnswerTemplate, Category, Channel, Complaint, ComplaintSettings, Operator, Outcome, Service
from .forms import LabelledChoiceField
from .models.operators import users_working_on_site_q
from .models.taxonomy import site_languages
from .permissions import ComplaintPermissionPolicy, sites_of, within_sites_of
from .validators import add_integrity_validators

OFFLINE_CHANNELS = [choice for choice in Channel.choices if choice[0] != Channel.WEB]


# -- transitions ------------------------------------------------------------------------------


class TransitionForm(forms.Form):
    """Every transition form carries the state it was drawn in, so a stale form is refused."""

    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def action_kwargs(self):
        return {}


class AnswerForm(TransitionForm):
    template = forms.ModelChoiceField(
        label=_("Answer template"),
        queryset=AnswerTemplate.objects.none(),
        required=False,
        help_text=_("“Insert the template” adds it after what you have written; nothing you typed is lost."),
    )
    body = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    by_phone = forms.BooleanField(label=_("I gave this answer by phone"), required=False)
    contacted_at = forms.DateTimeField(label=_("Phone call at"), required=False, widget=AdminDateTimeInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the templates in the complaint's language (and those for every language).
        if self.complaint is not None:
            self.fields["template"].queryset = answer_templates.offered_for(self.complaint)
        if not self.fields["template"].queryset.exists():
            del self.fields["template"]

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip():
            template = data.get("template")
            if template is None:
                self.add_error("body", _("Write the answer, or start from a template."))
            else:
                data["body"] = answer_templates.fill(template, self.complaint)
        if data.get("by_phone"):
            contacted_at = data.get("contacted_at")
            if contacted_at is None:
                self.add_error("contacted_at", _("Say when you phoned the complainant."))
            elif contacted_at > timezone.now() + datetime.timedelta(minutes=5):
                self.add_error("contacted_at", _("The phone call cannot be in the future."))
        return data

    def action_kwargs(self):
        data = self.cleaned_data
        return {
            "body": data["body"],
            "by_phone": data["by_phone"],
            "contacted_at": data["contacted_at"] if data["by_phone"] else None,
        }


class CloseForm(TransitionForm):
    # Only the complainant withdraws a complaint, from their private page.
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[choice for choice in Outcome.choices if choice[0] != Outcome.WITHDRAWN],
        error_messages={"invalid_choice": _("Choose one of the listed outcomes: only the complainant can withdraw a complaint.")},
    )
    note = forms.CharField(
        label=_("Closing note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("For the office: why it is closed this way. The complainant does not see it."),
    )

    def action_kwargs(self):
        return {"outcome": self.cleaned_data["outcome"], "note": self.cleaned_data["note"]}


class ReasonForm(TransitionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def action_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


TRANSITION_FORMS = {
    "take_in_charge": TransitionForm,
    "answer": AnswerForm,
    "close": CloseForm,
    "reopen": ReasonForm,
    "withdraw": ReasonForm,
}


# -- thread and assignment --------------------------------------------------------------------


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the office sees it; the complainant never does."),
    )


def handlers(complaint=None):
    """Users who may handle complaints: the people a complaint can be assigned to (those who work
    on its hospital)."""
    users = ComplaintPermissionPolicy(Complaint).users_with_permission("change").filter(is_active=True)
    if complaint is not None:
        users = users.filter(users_working_on_site_q(complaint.site_id))
    return users.order_by("last_name", "first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    assigned_to = UserChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none(), required=False, empty_label=_("Nobody")
    )
    # Who it was assigned to when the form was drawn: a stale form does not undo a colleague's choice.
    drawn_assignee = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, complaint=None, **kwargs):
        if complaint is not None:
            kwargs.setdefault(
                "initial", {"assigned_to": complaint.assigned_to_id, "drawn_assignee": complaint.assigned_to_id}
            )
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = handlers(complaint)


class ExtendAnswerByForm(forms.Form):
    """A later answer-by date and why; carries the date it was drawn with, so a stale form is refused."""

    answer_by = forms.DateField(label=_("New answer-by date"), widget=AdminDateInput)
    reason = forms.CharField(
        label=_("Why more time is needed"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        help_text=_("For the complaint's history. The complainant is e-mailed the new date."),
    )
    drawn_answer_by = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args, complaint=None, **kwargs):
        if complaint is not None:
            kwargs.setdefault("initial", {"drawn_answer_by": complaint.answer_by})
        super().__init__(*args, **kwargs)
        self.complaint = complaint

    def clean_answer_by(self):
        answer_by = self.cleaned_data["answer_by"]
        if self.complaint is not None and answer_by <= self.complaint.answer_by:
            raise forms.ValidationError(_("Choose a date after the current answer-by date."))
        if answer_by > timezone.localdate() + datetime.timedelta(days=365):
            raise forms.ValidationError(_("Choose a date within a year."))
        if self.complaint is not None:
            self.refuse_non_working_day(answer_by)
        return answer_by

    def refuse_non_working_day(self, answer_by):
        """Where the site counts working days, the office cannot promise an answer on a day it is closed."""
        clock = SiteClock(office_of(self.complaint.site))
        if clock.working_days and not clock.is_working_day(answer_by):
            raise forms.ValidationError(
                _("%(date)s is not a working day at this hospital. The next working day is %(next)s.")
                % {
                    "date": date_format(answer_by, "DATE_FORMAT"),
                    "next": date_format(clock.next_working_day(answer_by), "DATE_FORMAT"),
                }
            )


# -- complaint data ---------------------------------------------------------------------------

COMPLAINANT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "contact_preference",
    "on_behalf",
    "patient_name",
    "relationship",
    "language",
]


class ComplaintDataForm(WagtailAdminModelForm):
    """Corrects what a complaint is about and who filed it; never its state or its dates."""

    category = LabelledChoiceField(label=_("Nature of the complaint"), queryset=Category.objects.none())
    service = LabelledChoiceField(label=_("Service"), queryset=Service.objects.none(), required=False)

    # The values the form showed, signed: saving refuses a form drawn before someone else's save.
    drawn_from = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Complaint
        fields = ["category", "service", "description", "event_date", *COMPLAINANT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["drawn_from"].initial = corrections.sign(corrections.snapshot(self.instance, self.Meta.fields))
        else:
            del self.fields["drawn_from"]
        # Keep inactive entries selectable for the complaint that already uses them.
        instance = self.instance
        self.fields["category"].queryset = Category.objects.for_choices() | Category.objects.filter(pk=instance.category_id or 0)
        self.fields["service"].queryset = Service.objects.for_choices() | Service.objects.filter(pk=instance.service_id or 0)
        self.fields["email"].help_text = _("Leave empty when the complainant has no e-mail: no e-mails are sent.")
        add_integrity_validators(self)
        languages = [(code.split("-")[0], name) for code, name in settings.LANGUAGES]
        if instance.language and instance.language not in dict(languages):
            languages.append((instance.language, instance.language))
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            choices=languages,
            initial=(settings.LANGUAGE_CODE or "it").split("-")[0],
            help_text=_("E-mails to the complainant are written in this language."),
        )


    def clean_drawn_from(self):
        snapshot = corrections.unsign(self.cleaned_data["drawn_from"])
        if snapshot is None or set(snapshot) != set(self.Meta.fields):
            raise forms.ValidationError(_("This form is out of date: open it again from the complaint."))
        return snapshot

    def corrected_values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RegisterComplaintForm(ComplaintDataForm):
    """A complaint received by phone, letter, e-mail or in person, written down by an operator."""

    channel = forms.ChoiceField(label=_("Received by"), choices=OFFLINE_CHANNELS)
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=AdminDateTimeInput,
        help_text=_("The answer-by date counts from here."),
    )

    class Meta(ComplaintDataForm.Meta):
        fields = ["channel", "received_at", *ComplaintDataForm.Meta.fields]

    def __init__(self, *args, site=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.now
        # The hospitals this operator works on; the one the admin is opened at comes first.
        sites = list(sites) if sites is not None else ([site] if site else [])
        self.site = site if site in sites or not sites else sites[0]
        if len(sites) > 1:
            self.fields["site"] = forms.ModelChoiceField(
                label=_("Hospital"),
                queryset=Site.objects.filter(pk__in=[s.pk for s in sites]).order_by("site_name", "hostname"),
                initial=self.site,
                help_text=_("The hospital the complaint is about: its office handles it, and its rules set the answer-by date."),
            )
            self.order_fields(["site", *self.fields])

    def clean(self):
        data = super().clean()
        if data.get("site"):
            self.site = data["site"]
        return data

    def save(self, commit=True):
        complaint = super().save(commit=False)
        office = ComplaintSettings.for_site(self.site) if self.site else ComplaintSettings()
        complaint.site = self.site
        set_deadlines(complaint, office)
        complaint.assign_reference(prefix=office.reference_prefix)
        if commit:
            complaint.save()
        return complaint


# -- the operator registry --------------------------------------------------------------------


class OperatorForm(WagtailAdminModelForm):
    """An operator for an existing user, or for a new user created here."""

    user = UserChoiceField(
        label=_("Existing user"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Or leave empty and fill in the new user below."),
    )
    username = forms.CharField(label=_("Username"), max_length=150, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to let them set one with 'Forgotten password?'."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Covers categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to cover all. When set, new-complaint e-mails only concern these."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Covers services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to cover all. When set, new-complaint e-mails only concern these."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Works on sites"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The hospitals whose complaints this operator sees and is e-mailed about. "
            "Leave empty for all of them (the health authority's own staff)."
        ),
    )

    account_active = forms.BooleanField(
        label=_("Account active"),
        required=False,
        help_text=_("Off: they can no longer sign in. Their complaints and history stay as they are."),
    )

    NEW_USER_FIELDS = ["username", "first_name", "last_name", "email", "password"]
    field_order = ["user", *NEW_USER_FIELDS, "account_active", "role", "notify_on_new", "sites", "categories", "services"]

    class Meta:
        model = Operator
        fields = ["user", "role", "notify_on_new", "sites", "categories", "services"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        self.fields["categories"].queryset = Category.objects.for_choices()
        self.fields["categories"].label_from_instance = lambda obj: obj.label()
        self.fields["services"].queryset = Service.objects.for_choices()
        self.fields["services"].label_from_instance = lambda obj: obj.label()
        # An administrator of some hospitals hands out only those (and cannot grant "all").
        self.fields["sites"].queryset = within_sites_of(self.for_user, Site.objects.order_by("site_name", "hostname"), "pk")
        if len(self.fields["sites"].queryset) < 2 and sites_of(self.for_user) is None:
            del self.fields["sites"]  # one hospital: nothing to choose
        if self.instance.pk:
            # The user of an existing operator does not change; their account is edited under Users.
            self.fields["user"].queryset = User.objects.filter(pk=self.instance.user_id)
            self.fields["user"].disabled = True
            self.fields["user"].required = True
            self.fields["user"].help_text = ""
            # The administrator manages the account from here: its e-mail, and whether it may sign in.
            for name in self.NEW_USER_FIELDS:
                if name != "email":
                    del self.fields[name]
            self.fields["email"].initial = self.instance.user.email
            self.fields["account_active"].initial = self.instance.user.is_active
        else:
            self.fields["user"].queryset = User.objects.filter(complaints_operator__isnull=True, is_active=True)
            del self.fields["account_active"]

    @property
    def creates_user(self):
        return not self.instance.pk and not self.cleaned_data.get("user")

    def clean_username(self):
        username = self.cleaned_data.get("username", "").strip()
        if username and get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user with this username already exists: choose it above instead."))
        return username

    def clean_sites(self):
        chosen = set(self.cleaned_data.get("sites") or [])
        if self.instance.pk and sites_of(self.for_user) is not None:
            # The hospitals outside this administrator's own stay as they were: not theirs to take away.
            chosen |= set(self.instance.sites.exclude(pk__in=sites_of(self.for_user)))
        return list(chosen)

    def clean_password(self):
        password = self.cleaned_data.get("password", "")
        if password:
            password_validation.validate_password(password)
        return password

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            user = self.instance.user
        elif data.get("user"):
            user = data["user"]
        else:
            user = None
            if not data.get("username"):
                self.add_error("username", _("Choose an existing user, or give a username for a new one."))
        email = data.get("email") if self.instance.pk or not user else user.email
        if self.instance.pk and not data.get("account_active") and user == self.for_user:
            self.add_error("account_active", _("You cannot deactivate your own account."))
        if "sites" in self.fields and not data.get("sites") and sites_of(self.for_user) is not None:
            self.add_error("sites", _("Choose the hospitals this operator works on."))
        if data.get("notify_on_new") and not email:
            self.add_error("notify_on_new", _("This user has no e-mail address to be notified at."))
        return data

    def save(self, commit=True):
        operator = super().save(commit=False)
        if self.creates_user:
            data = self.cleaned_data
            user = get_user_model()(
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
            if data["password"]:
                user.set_password(data["password"])
            else:
                user.set_unusable_password()
            user.save()
            operator.user = user
        elif self.instance.pk:
            user = operator.user
            user.email, user.is_active = self.cleaned_data["email"], self.cleaned_data["account_active"]
            user.save(update_fields=["email", "is_active"])
        if commit:
            operator.save()
            self.save_m2m()
        return operator


# -- the office's lists -----------------------------------------------------------------------


class LabelledForm(WagtailAdminModelForm):
    """Categories and services: a translation row left empty is ignored, not four errors."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            prefix = "labels-"
            rows = {key[len(prefix) :].split("-", 1)[0] for key in data if key.startswith(prefix)}
            for row in rows:
                if row.isdigit() and not any(data.get(f"{prefix}{row}-{name}", "").strip() for name in ("language", "label")):
                    data[f"{prefix}{row}-DELETE"] = "1"
        super().__init__(data, *args, **kwargs)


class CategoryForm(LabelledForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only active macro-categories, in the order the office set; a retired parent stays shown if in use.
        instance = self.instance
        parents = Category.objects.filter(parent=None).exclude(pk=instance.pk or 0)
        current = instance.parent_id or 0
        self.fields["parent"].queryset = (
            parents.filter(Q(is_active=True) | Q(pk=current)).prefetch_related("labels").order_by("sort_order", "name")
        )
        self.fields["parent"].label_from_instance = lambda category: category.label()


class AnswerTemplateForm(WagtailAdminModelForm):
    class Meta:
        model = AnswerTemplate
        fields = ["title", "language", "body", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            choices=[("", _("Every language"))] + site_languages(),
            required=False,
            help_text=self.fields["language"].help_text,
        )
