"""`manage.py check` tells a site what it is missing; `check --deploy` what production needs."""

import os
from unittest import mock

import pytest
from django.apps import apps
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from tests import settings as test_settings

SHARED_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}}
QUEUE = {"default": {"BACKEND": "tests.task_backends.QueueBackend"}}


def our_messages(deploy=False):
    return {
        message.id: message
        for message in checks.run_checks(include_deployment_checks=deploy)
        if message.id and message.id.startswith("wagtail_complaints.")
    }


def without(app):
    """INSTALLED_APPS without `app`, as the app registry answers it (Wagtail's apps cannot be set up twice)."""
    is_installed = apps.is_installed
    return mock.patch.object(apps, "is_installed", lambda name: name != app and is_installed(name))


def test_the_test_site_passes_every_check():
    assert our_messages() == {}


@override_settings(CACHES=SHARED_CACHE, TASKS=QUEUE)
def test_a_production_set_up_passes_the_deploy_checks():
    assert our_messages(deploy=True) == {}


@pytest.mark.parametrize("app", ["wagtail.contrib.forms", "wagtail.contrib.settings", "django_tasks"])
def test_a_missing_app_is_an_error_that_names_it(app):
    with without(app):
        message = our_messages()["wagtail_complaints.E001"]
    assert message.level == checks.ERROR
    assert f"'{app}' is not in INSTALLED_APPS" in message.msg
    assert f"Add '{app}' to INSTALLED_APPS" in message.hint


def test_a_missing_app_stops_manage_py_check():
    with without("wagtail.contrib.settings"):
        with pytest.raises(SystemCheckError, match="wagtail_complaints.E001"):
            call_command("check")


def test_the_request_context_processor_is_required():
    templates = [dict(test_settings.TEMPLATES[0])]
    templates[0]["OPTIONS"] = {
        "context_processors": [
            name for name in templates[0]["OPTIONS"]["context_processors"] if not name.endswith(".request")
        ]
    }
    with override_settings(TEMPLATES=templates):
        message = our_messages()["wagtail_complaints.E002"]
    assert message.level == checks.ERROR
    assert "django.template.context_processors.request" in message.hint


@override_settings(WAGTAILADMIN_BASE_URL="")
def test_a_missing_admin_base_url_is_a_warning():
    message = our_messages()["wagtail_complaints.W003"]
    assert message.level == checks.WARNING
    assert "operators' e-mails" in message.msg
    assert "WAGTAILADMIN_BASE_URL =" in message.hint


def test_private_root_inside_media_root_is_an_error(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path), WAGTAIL_COMPLAINTS_PRIVATE_ROOT=tmp_path / "private"):
        message = our_messages()["wagtail_complaints.E005"]
    assert message.level == checks.ERROR
    assert "outside MEDIA_ROOT" in message.hint


def test_private_root_beside_media_root_is_fine(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path / "media"), WAGTAIL_COMPLAINTS_PRIVATE_ROOT=str(tmp_path / "media-private")):
        assert "wagtail_complaints.E005" not in our_messages()


def test_the_default_private_root_follows_a_string_base_dir(tmp_path):
    # `wagtail start` sites have BASE_DIR as a str: the default must not need a Path.
    from wagtail_complaints.models.complaint import private_storage

    with override_settings(BASE_DIR=str(tmp_path), WAGTAIL_COMPLAINTS_PRIVATE_ROOT=None, MEDIA_ROOT=str(tmp_path / "media")):
        assert our_messages() == {}
        assert private_storage().location == os.path.join(str(tmp_path), "private_media")


def test_no_private_root_and_no_base_dir_is_an_error():
    with override_settings(WAGTAIL_COMPLAINTS_PRIVATE_ROOT=None, BASE_DIR=None):
        message = our_messages()["wagtail_complaints.E004"]
    assert message.level == checks.ERROR
    assert "WAGTAIL_COMPLAINTS_PRIVATE_ROOT" in message.hint


@pytest.mark.parametrize(
    "backend", ["django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"]
)
@override_settings(TASKS=QUEUE)
def test_a_per_process_cache_is_a_deploy_warning(backend):
    with override_settings(CACHES={"default": {"BACKEND": backend}}):
        assert "wagtail_complaints.W006" not in our_messages()
        message = our_messages(deploy=True)["wagtail_complaints.W006"]
    assert message.level == checks.WARNING
    assert "rate limits" in message.msg
    assert "INTAKE_CACHE_MAX_AGE" in message.msg  # what the form remembers is per process too
    assert "pip install redis" in message.hint


@override_settings(CACHES=SHARED_CACHE)
def test_immediate_tasks_are_a_deploy_warning():
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        assert "wagtail_complaints.W008" not in our_messages()
        message = our_messages(deploy=True)["wagtail_complaints.W008"]
    assert "inside the patient's request" in message.msg
    assert "pip install django-tasks-db" in message.hint
    assert "db_worker" in message.hint


@override_settings(CACHES=SHARED_CACHE)
def test_no_tasks_setting_means_immediate_and_is_a_deploy_warning():
    with override_settings():
        from django.conf import settings

        del settings.TASKS
        assert "wagtail_complaints.W008" in our_messages(deploy=True)


@override_settings(CACHES=SHARED_CACHE, TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_dummy_tasks_are_a_deploy_warning_that_e_mails_never_leave():
    message = our_messages(deploy=True)["wagtail_complaints.W007"]
    assert "never sent" in message.msg
