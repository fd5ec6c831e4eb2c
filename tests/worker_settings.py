"""Settings for a django-tasks-db worker a test starts in its own process: the test's database
(DATABASE_URL names it), the real task queue, and SMTP to the test's loopback sink."""

import os

from tests.settings import *  # noqa: F401,F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["WC_SMTP_PORT"])
EMAIL_TIMEOUT = 30
WAGTAIL_COMPLAINTS_EMAIL_RECOVERY_AFTER = float(os.environ.get("WC_EMAIL_RECOVERY_AFTER", "300"))
