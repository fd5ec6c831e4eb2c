"""The hospital's own lists: the complaint classification (two levels) and its services."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields import BLANK_CHOICE_DASH
from django.db.models.functions import Coalesce
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from ..intake_cache import InvalidatingQuerySet


class LabelledQuerySet(InvalidatingQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_labels(self):
        return self.prefetch_related("labels")

    def for_choices(self):
        """What a form offers: active entries, with the labels to draw them."""
        return self.active().with_labels()


class CategoryQuerySet(LabelledQuerySet):
    def to_be_classified(self):
        """The placeholder category of complaints that arrive unclassified (created by migration 0010)."""
        category = self.filter(needs_classification=True).first()
        if category is None:
            category = self.create(name="Da classificare", needs_classification=True, sort_order=9999)
        return category

    def for_choices(self):
        """Active categories under an active macro-category, each macro followed by its subs."""
        return (
            self.active()
            .filter(models.Q(parent=None) | models.Q(parent__is_active=True))
            .filter(needs_classification=False)
            .select_related("parent")
            .prefetch_related("labels", "parent__labels")
            .order_by(
                Coalesce("parent__sort_order", "sort_order"),
                Coalesce("parent__name", "name"),
                models.F("parent").asc(nulls_first=True),
                "sort_order",
                "name",
            )
        )


class Labelled(ClusterableModel):
    """A list entry with a name in the site's main language and optional translations."""

    name = models.CharField(_("name"), max_length=255)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive entries are hidden from forms; past complaints keep them."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = LabelledQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.label()

    def label(self, language=None):
        """The name in `language` (default: the active one), falling back to `name`."""
        language = (language or get_language() or "").split("-")[0]
        for translation in self.labels.all():  # prefetched: no query per entry
            if translation.language == language:
                return translation.label
        return self.name


def site_languages():
    """The site's languages (settings.LANGUAGES, read when used) as (code, name) choices."""
    return [(code.split("-")[0], name) for code, name in settings.LANGUAGES]


def language_choices():
    return BLANK_CHOICE_DASH + site_languages()


class Label(Orderable):
    language = models.CharField(_("language"), max_length=10)
    label = models.CharField(_("label"), max_length=255)

    # The public form draws its choices from memory: bulk updates must say they changed.
    objects = InvalidatingQuerySet.as_manager()

    # A choice of the site's languages; the blank first option keeps an untouched row empty.
    panels = [
        FieldPanel("language", widget=forms.Select(choices=CallableChoiceIterator(language_choices))),
        FieldPanel("label"),
    ]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self):
        if self.language and self.language not in dict(site_languages()):
            raise ValidationError({"language": _("Choose one of the site's languages.")})


class Category(Labelled):
    """The nature of a complaint ("natura del reclamo"): a macro-category or one of its children."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("macro-category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Leave empty for a macro-category."),
    )

    # The one category given to complaints nobody has classified yet (those arriving by e-mail):
    # never offered by forms, and the workflow lets nobody answer until a handler changes it.
    needs_classification = models.BooleanField(_("to be classified"), default=False, editable=False)

    objects = CategoryQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("parent"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
        InlinePanel("labels", heading=_("Translations"), label=_("Translation")),
    ]

    class Meta(Labelled.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def clean(self):
        if self.parent_id is not None:
            if self.parent.parent_id is not None:
                raise ValidationError({"parent": _("Only two levels are allowed.")})
            if self.pk and self.children.exists():
                raise ValidationError(
                    {"parent": _("A macro-category with sub-categories cannot be moved under another.")}
                )

    def label(self, language=None):
        own = super().label(language)
        if self.parent_id is None:
            return own
        return f"{self.parent.label(language)} › {own}"


class CategoryLabel(Label):
    category = ParentalKey(Category, on_delete=models.CASCADE, related_name="labels")

    class Meta(Label.Meta):
        unique_together = [("category", "language")]


class Service(Labelled):
    """A service or ward of the hospital ("lista servizi")."""

    code = models.CharField(_("code"), max_length=50, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("is_active"),
        FieldPanel("sort_order"),
        InlinePanel("labels", heading=_("Translations"), label=_("Translation")),
    ]

    class Meta(Labelled.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


class ServiceLabel(Label):
    service = ParentalKey(Service, on_delete=models.CASCADE, related_name="labels")

    class Meta(Label.Meta):
        unique_together = [("service", "language")]
