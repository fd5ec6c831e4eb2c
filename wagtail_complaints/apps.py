from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailComplaintsAppConfig(AppConfig):
    name = "wagtail_complaints"
    label = "wagtail_complaints"
    verbose_name = _("Complaints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
        from . import intake_cache
        from .permissions import register_signal_handlers
        from .stats import rollups

        register_signal_handlers()
        intake_cache.register_signal_handlers()
        rollups.register_signal_handlers()  # the statistics' roll-ups follow every saved complaint
