from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailinAppConfig(AppConfig):
    """Complaints and replies that arrive by e-mail, on top of the complaints core."""

    name = "wagtail_complaints.mailin"
    label = "wagtail_complaints_mailin"
    verbose_name = _("Complaints by e-mail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401
