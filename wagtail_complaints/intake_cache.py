"""What every submission of the public form reads, kept in memory until someone changes it.

A form page's questions, categories and services and the office settings change a few times a
year but are read on every submission. Each process keeps them keyed on a generation number held
in Django's cache; saving or deleting any of them bumps it. With a shared cache (Redis, see the
README's "Deploy") every app server sees a change on its next request; with a per-process cache
(LocMemCache) only the process that made the change does.
"""

import copy
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "wagtail_complaints:intake-generation"

_memo = {"generation": None, "values": {}}


def generation():
    # A fresh clock value if the key was evicted, so a lost number is never reused.
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def bump(**kwargs):
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def remembered(key, compute, request=None):
    """`compute()`, computed once per process and generation (read once per request)."""
    global _memo
    current = getattr(request, "_wagtail_complaints_generation", None)
    if current is None:
        current = generation()
        if request is not None:
            request._wagtail_complaints_generation = current
    memo = _memo
    if memo["generation"] != current:
        memo = _memo = {"generation": current, "values": {}}
    try:
        return memo["values"][key]
    except KeyError:
        value = memo["values"][key] = compute()
        return value


class OfferedChoices:
    """The ids a page offers for drawing the form, and the instances a submission may pick."""

    def __init__(self, chosen_categories, chosen_services, categories, services):
        self.chosen_categories = chosen_categories
        self.chosen_services = chosen_services
        # Bare rows: validating a choice needs no labels, and a copy is handed to each form.
        self._categories = {c.pk: c for c in categories.select_related(None).prefetch_related(None)}
        self._services = {s.pk: s for s in services.select_related(None).prefetch_related(None)}

    def category(self, pk):
        return copy.copy(self._categories[pk])

    def service(self, pk):
        return copy.copy(self._services[pk])


def office_settings(site, request=None):
    from .models import ComplaintSettings

    if site is None:
        return ComplaintSettings()
    return remembered(("settings", site.pk), lambda: ComplaintSettings.for_site(site), request)


def _bump_now_and_on_commit(**kwargs):
    # Now, for this process; again on commit, in case another request cached the old rows meanwhile.
    bump()
    transaction.on_commit(bump)


def register_signal_handlers():
    from .models import Category, ComplaintFormField, ComplaintFormPage, ComplaintSettings, Service

    for model in (Category, Service, ComplaintFormPage, ComplaintFormField, ComplaintSettings):
        post_save.connect(_bump_now_and_on_commit, sender=model, dispatch_uid=f"intake-cache-save-{model.__name__}")
        post_delete.connect(_bump_now_and_on_commit, sender=model, dispatch_uid=f"intake-cache-delete-{model.__name__}")
    for field in ("categories", "services"):
        through = getattr(ComplaintFormPage, field).through
        m2m_changed.connect(_bump_now_and_on_commit, sender=through, dispatch_uid=f"intake-cache-{field}")
