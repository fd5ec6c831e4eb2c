"""The public complaint form, built on Wagtail's form builder so editors can add questions."""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder
from wagtail.models import Site

from . import intake_cache
from .attachments import AttachmentsFieldMixin
from .conf import get_setting
from .models.complaint import ContactPreference
from .validators import add_integrity_validators

EXTRA_PREFIX = "extra_"


class LabelledChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label()

    # Set by the form from the in-memory choices (intake_cache): a lookup by id, no query.
    offered_instance = None

    def to_python(self, value):
        if self.offered_instance is not None and value not in self.empty_values:
            try:
                return self.offered_instance(self.queryset.model._meta.pk.to_python(value))
            except (KeyError, ValidationError):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                ) from None
        # Checking one id needs no labels: skip the joins and prefetches meant for drawing choices.
        queryset, self.queryset = self.queryset, self.queryset.select_related(None).prefetch_related(None)
        try:
            return super().to_python(value)
        finally:
            self.queryset = queryset


class ComplaintForm(AttachmentsFieldMixin, BaseForm):
    """The fixed part of every complaint form; editors' extra questions are added after it."""

    # Required or not depending on other answers (clean() says when): never labelled "optional".
    conditionally_required = {"email", "phone", "patient_name", "relationship"}

    # Fields copied as they are onto the Complaint.
    complaint_fields = [
        "category",
        "service",
        "description",
        "event_date",
        "first_name",
        "last_name",
        "email",
        "phone",
        "contact_preference",
        "on_behalf",
        "patient_name",
        "relationship",
    ]

    category = LabelledChoiceField(
        label=_("What is your complaint about?"),
        queryset=None,
        empty_label=_("Choose one"),
        error_messages={"invalid_choice": _("Choose one of the listed topics.")},
    )
    service = LabelledChoiceField(
        label=_("Which service or ward?"),
        queryset=None,
        empty_label=_("Choose one"),
        error_messages={"invalid_choice": _("Choose one of the listed services.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_("Tell us in your own words. Please do not include medical records you do not need to share."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    event_date = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        help_text=_("If you remember. For example 21/11/2026."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Needed if you want our answer by e-mail. We send the reference number and every answer here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        help_text=_("Needed if you want us to call you."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    contact_preference = forms.ChoiceField(
        label=_("How would you like us to answer?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
    )
    on_behalf = forms.BooleanField(label=_("I am writing on behalf of a patient (a relative, for example)"), required=False)
    patient_name = forms.CharField(label=_("Patient's name"), required=False, max_length=300)
    relationship = forms.CharField(
        label=_("Your relationship to the patient"), required=False, max_length=150, help_text=_("For example: daughter, carer.")
    )
    privacy_accepted = forms.BooleanField(
        label=_("I have read the privacy notice"),
        error_messages={"required": _("Please confirm you have read the privacy notice so we can handle your complaint.")},
    )
    # A field people never see: bots fill it in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, request=None, **kwargs):
        # The request lets the page find its site and settings from Wagtail's per-request cache.
        self.request = request
        super().__init__(*args, **kwargs)
        from .models import Category, Service

        if self.page is None:
            self.fields["category"].queryset = Category.objects.for_choices()
            self.fields["service"].queryset = Service.objects.for_choices()
        elif getattr(self.request, "is_preview", False):
            # A preview shows the editor's unsaved choices: never remembered.
            self.use_choices(self.offered_choices())
        else:
            self.use_choices(intake_cache.remembered(("choices", self.page.pk), self.offered_choices, self.request))
            self.draw_remembered_choices()
        if not self.offers_services():
            # A hospital that lists no services yet (a fresh install) is not asked about them.
            del self.fields["service"]
        longest = get_setting("MAX_DESCRIPTION_LENGTH")
        self.fields["description"].max_length = longest
        self.fields["description"].validators.append(MaxLengthValidator(longest))
        add_integrity_validators(self)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if not self.is_bound:
            self.initial.setdefault("submission_key", secrets.token_urlsafe(24))
        self.add_attachments_field(self.office())

    def offered_choices(self):
        """What the editor chose, or everything when they chose nothing. Reading the few chosen
        ids first keeps the choice queries simple, which is cheaper than one clever query."""
        from .models import Category, Service

        chosen_categories = list(self.page.categories.values_list("pk", flat=True))
        chosen_services = list(self.page.services.values_list("pk", flat=True))
        return intake_cache.OfferedChoices(
            chosen_categories,
            chosen_services,
            self.category_queryset(Category.objects.for_choices(), chosen_categories),
            self.service_queryset(Service.objects.for_choices(), chosen_services),
        )

    @staticmethod
    def category_queryset(categories, chosen):
        return categories.filter(Q(pk__in=chosen) | Q(parent__in=chosen)) if chosen else categories

    @staticmethod
    def service_queryset(services, chosen):
        return services.filter(pk__in=chosen) if chosen else services

    def use_choices(self, offered):
        category, service = self.fields["category"], self.fields["service"]
        category.queryset, service.queryset = offered.category_queryset, offered.service_queryset
        category.offered_instance, service.offered_instance = offered.category, offered.service

    def draw_remembered_choices(self):
        """The options as drawn in the active language, remembered like the rest: showing the form
        reads no category or service (they are most of a GET's queries and of its rendering)."""
        language = get_language()
        for name in ("category", "service"):
            field = self.fields[name]
            key = ("drawn-choices", self.page.pk, name, language)
            field.widget.choices = intake_cache.remembered(key, lambda field=field: list(field.choices), self.request)

    def office(self):
        """The complaints office settings of the page's site (attachment limits live there)."""
        from .models import ComplaintSettings

        if self.request is not None:
            return intake_cache.office_settings(Site.find_for_request(self.request), self.request)
        site = self.page.get_site() if self.page is not None else None
        return ComplaintSettings.for_site(site) if site else ComplaintSettings()

    def offers_services(self):
        if self.is_bound and self.data.get(self.add_prefix("service")):
            return True  # validating the chosen one is enough
        # Otherwise the drawn choices say it (remembered, or the query Django then reuses to draw them).
        return any(value != "" for value, _label in self.fields["service"].widget.choices)

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("This field must stay empty. If you are a person, please clear it and send again."))
        return ""

    def clean(self):
        data = super().clean()
        data.setdefault("service", None)  # when no service is offered
        if data.get("contact_preference") == ContactPreference.PHONE and not data.get("phone"):
            self.add_error("phone", _("Give us a phone number so we can call you back."))
        if data.get("contact_preference") == ContactPreference.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give us an e-mail address so we can answer you."))
        if data.get("on_behalf") and not data.get("patient_name"):
            self.add_error("patient_name", _("Tell us the name of the patient you are writing for."))
        if not data.get("on_behalf"):
            data["patient_name"] = data["relationship"] = ""
        return data

    @property
    def personal_fields(self):
        return [self[name] for name in ("first_name", "last_name", "email", "phone", "contact_preference")]

    @property
    def behalf_fields(self):
        return [self[name] for name in ("on_behalf", "patient_name", "relationship")]

    @property
    def extra_fields(self):
        return [field for field in self if field.name.startswith(EXTRA_PREFIX)]

    def extra_answers(self):
        """Answers to the editor's extra questions, keyed by question label, as JSON-safe text.

        Two questions with the same label keep both answers: the second is stored as "Label (2)".
        """
        answers = {}
        for field in self.extra_fields:
            value = self.cleaned_data.get(field.name)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            label = key = str(field.label)
            copies = 1
            while key in answers:
                copies += 1
                key = f"{label} ({copies})"
            answers[key] = "" if value is None else str(value)
        return answers


class ComplaintFormBuilder(FormBuilder):
    """Builds the editor's extra questions on top of ComplaintForm, prefixed so names never clash."""

    form_class = ComplaintForm

    @property
    def formfields(self):
        return {f"{EXTRA_PREFIX}{name}": field for name, field in super().formfields.items()}

    def get_form_class(self):
        return type("ComplaintPageForm", (self.form_class,), self.formfields)
