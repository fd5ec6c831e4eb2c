"""What every submission of the public form reads, kept in memory until someone changes it.

A form page's questions, categories and services, the office settings and the operators told of
new complaints change a few times a year but are read on every submission. Each process keeps
them keyed on a generation number held in Django's cache; saving or deleting any of them (through
a model, a queryset's `update()`/`bulk_create()`/`bulk_update()`, or the admin) bumps it.

With a shared cache (Redis, see the README's "Deploy") every process on every machine sees a change
on its next request. A per-process cache (LocMemCache) only tells the process that made the change:
check --deploy warns about it (wagtail_complaints.W006). Whatever bypasses the ORM (raw SQL, another
program writing the tables) is picked up at the latest after `INTAKE_CACHE_MAX_AGE` seconds.
"""

import contextlib
import contextvars
import copy
import time

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .conf import get_setting

GENERATION_KEY = "wagtail_complaints:intake-generation"

_memo = {"generation": None, "since": 0.0, "values": {}}
# The generation read once for the request being served (see `for_request`).
_request_generation = contextvars.ContextVar("wagtail_complaints_intake_generation", default=None)


def generation():
    # A fresh clock value if the key was evicted, so a lost number is never reused.
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def bump(**kwargs):
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


@contextlib.contextmanager
def for_request(request):
    """Read the generation once for everything a request remembers (form, choices, operators)."""
    token = _request_generation.set(_current_generation(request))
    try:
        yield
    finally:
        _request_generation.reset(token)


def _current_generation(request):
    current = getattr(request, "_wagtail_complaints_generation", None) or _request_generation.get()
    if current is None:
        current = generation()
        if request is not None:
            request._wagtail_complaints_generation = current
    return current


def remembered(key, compute, request=None):
    """`compute()`, computed once per process and generation (read once per request)."""
    global _memo
    current = _current_generation(request)
    memo = _memo
    now = time.monotonic()
    if memo["generation"] != current or now - memo["since"] > get_setting("INTAKE_CACHE_MAX_AGE"):
        memo = _memo = {"generation": current, "since": now, "values": {}}
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
        # Never evaluated here: a form field takes a fresh copy (`.all()`) to draw its choices.
        self.category_queryset = categories
        self.service_queryset = services
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


def operators_notified_of_new():
    """(e-mail, language, categories, services, sites) of every active operator flagged to hear of new complaints."""
    from .models import Operator

    return remembered(("operators-notified-of-new",), Operator.objects.notified_of_new_coverage)


class InvalidatingQuerySet(models.QuerySet):
    """Bulk writes bypass the model signals: they bump the generation themselves."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        _bump_now_and_on_commit()
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        _bump_now_and_on_commit()
        return created

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        _bump_now_and_on_commit()
        return rows


def _bump_now_and_on_commit(**kwargs):
    # Now, for this process; again on commit, in case another request cached the old rows meanwhile.
    bump()
    transaction.on_commit(bump)


def _bump_unless_only_login(update_fields=None, **kwargs):
    # Every admin login saves the user's last_login: that changes nothing a submission reads.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _bump_now_and_on_commit()


def register_signal_handlers():
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    from .models import (
        Category,
        CategoryLabel,
        ComplaintFormField,
        ComplaintFormPage,
        ComplaintSettings,
        Operator,
        Service,
        ServiceLabel,
    )

    models_read = (
        Category,
        CategoryLabel,
        Service,
        ServiceLabel,
        ComplaintFormPage,
        ComplaintFormField,
        ComplaintSettings,
        Operator,
        UserProfile,
    )
    for model in models_read:
        post_save.connect(_bump_now_and_on_commit, sender=model, dispatch_uid=f"intake-cache-save-{model.__name__}")
        post_delete.connect(_bump_now_and_on_commit, sender=model, dispatch_uid=f"intake-cache-delete-{model.__name__}")
    user_model = get_user_model()
    post_save.connect(_bump_unless_only_login, sender=user_model, dispatch_uid="intake-cache-save-user")
    post_delete.connect(_bump_now_and_on_commit, sender=user_model, dispatch_uid="intake-cache-delete-user")
    for model, field in [
        (ComplaintFormPage, "categories"),
        (ComplaintFormPage, "services"),
        (Operator, "categories"),
        (Operator, "services"),
        (Operator, "sites"),
    ]:
        through = getattr(model, field).through
        m2m_changed.connect(
            _bump_now_and_on_commit, sender=through, dispatch_uid=f"intake-cache-{model.__name__}-{field}"
        )
