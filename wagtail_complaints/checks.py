"""System checks: what a site needs, said by `manage.py check` (and `check --deploy`), not by patients.

A first try works with Django's defaults; what production needs (a shared cache, a task worker)
is reported by the deploy checks only.
"""

import os

from django.apps import apps
from django.conf import settings
from django.core import checks

from .conf import get_setting, private_root

REQUIRED_APPS = {
    "wagtail.contrib.forms": "the complaint form page is a Wagtail form page",
    "wagtail.contrib.settings": "the complaints office settings are Wagtail site settings",
    "django_tasks": "e-mails are sent by django-tasks tasks",
}

REQUEST_CONTEXT_PROCESSOR = "django.template.context_processors.request"

# Caches each process keeps to itself: rate limits counted there are per process, not per site.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register()
def check_installed_apps(app_configs, **kwargs):
    return [
        checks.Error(
            f"'{name}' is not in INSTALLED_APPS: {why}.",
            hint=f"Add '{name}' to INSTALLED_APPS (once; a site made with `wagtail start` already has the Wagtail ones).",
            id="wagtail_complaints.E001",
        )
        for name, why in REQUIRED_APPS.items()
        if not apps.is_installed(name)
    ]


@checks.register(checks.Tags.templates)
def check_request_context_processor(app_configs, **kwargs):
    django_engines = [
        engine for engine in settings.TEMPLATES if engine["BACKEND"] == "django.template.backends.django.DjangoTemplates"
    ]
    if any(REQUEST_CONTEXT_PROCESSOR in engine.get("OPTIONS", {}).get("context_processors", []) for engine in django_engines):
        return []
    return [
        checks.Error(
            f"The template context processor '{REQUEST_CONTEXT_PROCESSOR}' is missing: the complaint pages "
            "need the request to draw page links, language links and the patient's private link.",
            hint=f"Add '{REQUEST_CONTEXT_PROCESSOR}' to TEMPLATES[0]['OPTIONS']['context_processors'].",
            id="wagtail_complaints.E002",
        )
    ]


@checks.register()
def check_admin_base_url(app_configs, **kwargs):
    if getattr(settings, "WAGTAILADMIN_BASE_URL", ""):
        return []
    return [
        checks.Warning(
            "WAGTAILADMIN_BASE_URL is not set: the links to the admin in operators' e-mails "
            "(new complaints, replies, reminders) cannot be built.",
            hint='Set WAGTAILADMIN_BASE_URL = "https://www.your-hospital.example" (the address of your admin).',
            id="wagtail_complaints.W003",
        )
    ]


@checks.register()
def check_private_root(app_configs, **kwargs):
    if not get_setting("PRIVATE_ROOT") and not getattr(settings, "BASE_DIR", None):
        return [
            checks.Error(
                "WAGTAIL_COMPLAINTS_PRIVATE_ROOT is not set and there is no BASE_DIR to put 'private_media' in: "
                "complaint attachments would land in whatever folder the server starts from.",
                hint="Set WAGTAIL_COMPLAINTS_PRIVATE_ROOT to an absolute folder outside MEDIA_ROOT.",
                id="wagtail_complaints.E004",
            )
        ]
    media_root = getattr(settings, "MEDIA_ROOT", "")
    if media_root and _is_inside(private_root(), media_root):
        return [
            checks.Error(
                "WAGTAIL_COMPLAINTS_PRIVATE_ROOT is inside MEDIA_ROOT: the web server would publish complaint "
                "attachments (often health data) to anyone who guesses their address.",
                hint="Move WAGTAIL_COMPLAINTS_PRIVATE_ROOT to a folder outside MEDIA_ROOT.",
                id="wagtail_complaints.E005",
            )
        ]
    return []


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            f"The default cache is {backend.rsplit('.', 1)[-1]}: each server process counts the rate limits on "
            "complaint submissions and private pages on its own, so they do not hold across processes, and a "
            "change to the complaint form's categories, services, settings or notified operators reaches the "
            "other processes only after WAGTAIL_COMPLAINTS_INTAKE_CACHE_MAX_AGE seconds.",
            hint="Use a cache all processes share, e.g. Redis (pip install redis; "
            "django.core.cache.backends.redis.RedisCache) or the database cache (DatabaseCache).",
            id="wagtail_complaints.W006",
        )
    ]


@checks.register(deploy=True)
def check_task_backend(app_configs, **kwargs):
    backend = getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND", "ImmediateBackend")
    if backend.endswith(".DummyBackend"):
        return [
            checks.Warning(
                "The default task backend is DummyBackend: e-mails to patients and operators are queued and never sent "
                "(only `manage.py send_complaint_emails` would send them).",
                hint="Use a real queue and run its worker, e.g. pip install django-tasks-db; "
                "add 'django_tasks_db' to INSTALLED_APPS; "
                'TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}; run `manage.py db_worker`.',
                id="wagtail_complaints.W007",
            )
        ]
    if backend.endswith("ImmediateBackend"):
        return [
            checks.Warning(
                "The default task backend is ImmediateBackend: e-mails are sent inside the patient's request, so a slow "
                "mail server slows down every complaint and failed e-mails are not retried later.",
                hint="Use a real queue and run its worker, e.g. pip install django-tasks-db; "
                "add 'django_tasks_db' to INSTALLED_APPS; "
                'TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}; run `manage.py db_worker`. '
                "TASKS also carries Wagtail's own background tasks.",
                id="wagtail_complaints.W008",
            )
        ]
    return []


def _is_inside(path, folder):
    path, folder = os.path.realpath(os.path.abspath(path)), os.path.realpath(os.path.abspath(folder))
    return os.path.commonpath([path, folder]) == folder
