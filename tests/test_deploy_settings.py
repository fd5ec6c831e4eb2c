"""The production settings module (example_site/settings_production.py) passes Django's deployment
checks and refuses to start without what a production stack needs."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "reclami.ospedale-sanluca.example",
    "DATABASE_URL": "postgres://complaints@db.internal:5432/complaints",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "WAGTAILADMIN_BASE_URL": "https://reclami.ospedale-sanluca.example",
}


def manage(*args, **environment):
    env = {**os.environ, **ENVIRONMENT, **environment}
    return subprocess.run(
        [sys.executable, "example_site/manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_use_the_shared_stack():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.CACHES['default']['BACKEND'],"
        " s.TASKS['default']['BACKEND'], s.DATABASES['default']['CONN_MAX_AGE'], s.SESSION_COOKIE_SECURE)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False",
        "django.core.cache.backends.redis.RedisCache",
        "django_tasks_db.DatabaseBackend",
        "600",
        "True",
    ]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "REDIS_URL"])
def test_production_settings_refuse_to_start_without(missing):
    result = manage("check", **{missing: ""})
    assert result.returncode != 0
    assert f"Set {missing} in the environment" in result.stderr


def test_behind_a_load_balancer_the_limits_count_the_forwarded_client_address():
    result = manage(
        "shell", "-c", "from django.conf import settings as s; print(s.RATELIMIT_IP_META_KEY, s.SECURE_PROXY_SSL_HEADER[0])",
        BEHIND_TLS_PROXY="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "example_site.client_address.forwarded_client_address",
        "HTTP_X_FORWARDED_PROTO",
    ]
