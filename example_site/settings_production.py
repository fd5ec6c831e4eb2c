"""Production settings of the example site: `manage.py check --deploy` passes with no warning.

Everything secret or host-specific comes from the environment:
SECRET_KEY (required, 50+ characters), ALLOWED_HOSTS (comma-separated), DATABASE_URL,
WAGTAILADMIN_BASE_URL, and BEHIND_TLS_PROXY=1 when a proxy terminates HTTPS and sets
X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F401,F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment: 50 or more random characters.")

ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]

# HTTPS only: redirect, HSTS for a year (subdomains too, ready for the preload list), secure cookies.
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
if os.environ.get("BEHIND_TLS_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
