from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningAppConfig(AppConfig):
    """Improvement actions, second-level referrals and the public annual report."""

    name = "wagtail_complaints.learning"
    label = "wagtail_complaints_learning"
    verbose_name = _("Learning from complaints")
    default_auto_field = "django.db.models.BigAutoField"
