"""A complaint's history in its own log table, as pages have `PageLogEntry`.

Wagtail's *Reports → Site history* lists every log model's `viewable_by_user` entries: with the
complaints' entries among the generic `ModelLogEntry` rows, any operator would read every hospital's
references there. Here each entry points at its complaint, so the listing can keep to the user's sites.
"""

from django.db import models
from django.db.models import Subquery
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager


class ComplaintLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.update(complaint=instance)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(complaint_id=instance.pk)

    def viewable_by_user(self, user):
        """Wagtail's check (some permission on complaints), then only the complaints of the user's sites."""
        from ..permissions import sites_of, within_sites_of
        from .complaint import Complaint

        entries = super().viewable_by_user(user)
        if sites_of(user) is None:
            return entries
        # A subquery, not a list of ids: one query however many complaints a hospital has.
        own_complaints = within_sites_of(user, Complaint.objects.all()).values("pk")
        return entries.filter(complaint_id__in=Subquery(own_complaints))


class ComplaintLogEntry(BaseLogEntry):
    # No database constraint, no cascade: the history outlives a deleted complaint (as a page's does).
    complaint = models.ForeignKey(
        "wagtail_complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    objects = ComplaintLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("complaint log entry")
        verbose_name_plural = _("complaint log entries")

    def __str__(self):
        return "ComplaintLogEntry %d: '%s' on complaint %s" % (self.pk, self.action, self.complaint_id)

    @cached_property
    def object_id(self):
        # Wagtail's listings look instances up by (content type, str(object id)), as for ModelLogEntry.
        return str(self.complaint_id)
