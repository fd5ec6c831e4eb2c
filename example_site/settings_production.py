"""The example site on a production stack (`manage.py check --deploy` passes with no warning): PostgreSQL, gunicorn, a django-tasks-db worker, Redis.

Every host-specific value comes from the environment, so the same module runs on every machine
of a scaled-out installation (see the README's "Deploy"):

    SECRET_KEY        required, 50 or more random characters
    ALLOWED_HOSTS     comma-separated host names
    DATABASE_URL      postgres://user:password@host:5432/name (required)
    REDIS_URL         redis://host:6379/0, the cache every process shares (required)
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS=1   the mail server
    STATIC_ROOT, MEDIA_ROOT, WAGTAIL_COMPLAINTS_PRIVATE_ROOT   where files live (shared storage)
    WAGTAILADMIN_BASE_URL   the address operators open, used in e-mail links
    BEHIND_TLS_PROXY=1      when a load balancer terminates HTTPS and sets X-Forwarded-Proto and X-Forwarded-For
    TRUSTED_PROXY_HOPS      how many proxies of ours append to X-Forwarded-For (default 1)
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F401,F403


def required(name):
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"Set {name} in the environment (see example_site/settings_production.py).")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be 50 or more random characters.")
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]

# Persistent connections: a gunicorn worker reuses its connection instead of opening one a request.
DATABASES = {"default": dj_database_url.parse(required("DATABASE_URL"), conn_max_age=600, conn_health_checks=True)}

# One cache for every process and machine: rate limits, and the form's remembered settings
# and choices (wagtail_complaints/intake_cache.py), must be seen by all of them.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": required("REDIS_URL")}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mails: the outbox task is a row of the same database, written in the complaint's transaction;
# `manage.py db_worker` (as many as needed, on any machine) sends them.
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Files: static files collected once and served with hashed names; uploads on storage all app
# servers share (a network file system or an object store).
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))  # noqa: F405
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(MEDIA_ROOT))  # noqa: F405
WAGTAIL_COMPLAINTS_PRIVATE_ROOT = os.environ.get(
    "WAGTAIL_COMPLAINTS_PRIVATE_ROOT", str(WAGTAIL_COMPLAINTS_PRIVATE_ROOT)  # noqa: F405
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# HTTPS only, secure cookies.
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
if os.environ.get("BEHIND_TLS_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The submission limits count patients, not the load balancer every request comes through.
    RATELIMIT_IP_META_KEY = "example_site.client_address.forwarded_client_address"
