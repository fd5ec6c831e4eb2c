"""Improvement actions keep their history in their own log table, as complaints do.

In Wagtail's generic `ModelLogEntry` table, *Reports → Site history* shows the entries by content-type
permission: all hospitals' action titles or none. Here it follows the actions' own policy and sites.
"""

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry

from ..models.history import SiteScopedLogEntryManager


class ImprovementActionLogEntryManager(SiteScopedLogEntryManager):
    """Those who may read improvement actions (the same policy as their list), for their sites."""

    object_field = "improvement_action"

    def may_read(self, user):
        from .policies import improvement_action_policy

        # The roles hold no model permission of their own on actions: Wagtail's content-type check
        # would hide them even from their own hospital's operators.
        return improvement_action_policy().user_has_permission(user, "view")

    def objects_of_sites(self, user):
        from .models import ImprovementAction
        from .views import on_sites_of

        return on_sites_of(user, ImprovementAction.objects.all())


class ImprovementActionLogEntry(BaseLogEntry):
    # No database constraint, no cascade: the history outlives a deleted action.
    improvement_action = models.ForeignKey(
        "wagtail_complaints_learning.ImprovementAction",
        verbose_name=_("improvement action"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = ImprovementActionLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("improvement action log entry")
        verbose_name_plural = _("improvement action log entries")

    def __str__(self):
        return "ImprovementActionLogEntry %d: '%s' on action %s" % (self.pk, self.action, self.improvement_action_id)

    @cached_property
    def object_id(self):
        # Wagtail's listings look instances up by (content type, str(object id)), as for ModelLogEntry.
        return str(self.improvement_action_id)
