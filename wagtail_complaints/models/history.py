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


class SiteScopedLogEntryManager(BaseLogEntryManager):
    """Log entries that point at their object through `object_field`, shown to a user only for the
    objects of the sites they work on. Subclasses say who may read them and which objects are theirs."""

    object_field = None

    def log_action(self, instance, action, **kwargs):
        kwargs[self.object_field] = instance
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(**{f"{self.object_field}_id": instance.pk})

    def may_read(self, user):
        raise NotImplementedError

    def objects_of_sites(self, user):
        """A queryset of the objects on `user`'s sites."""
        raise NotImplementedError

    def viewable_by_user(self, user):
        from ..permissions import sites_of

        if user.is_superuser:
            return self.all()
        # Asked here rather than through Wagtail's base method, which caches one set of content
        # types per user for all log models, from whichever model it was first asked for.
        if not self.may_read(user):
            return self.none()
        if sites_of(user) is None:
            return self.all()
        # A subquery, not a list of ids: one query however many objects a hospital has.
        own = self.objects_of_sites(user).values("pk")
        return self.filter(**{f"{self.object_field}_id__in": Subquery(own)})


class ComplaintLogEntryManager(SiteScopedLogEntryManager):
    """Those with a permission on complaints (as Wagtail asks), for the complaints of their sites."""

    object_field = "complaint"

    def may_read(self, user):
        return may_read_complaint_history(user)

    def objects_of_sites(self, user):
        from ..permissions import within_sites_of
        from .complaint import Complaint

        return within_sites_of(user, Complaint.objects.all())


def may_read_complaint_history(user):
    """Whether `user` holds any permission on complaints; asked once per user object (once a request)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from .complaint import Complaint

    if not hasattr(user, "_may_read_complaint_history"):
        content_type = ContentType.objects.get_for_model(Complaint)
        codenames = Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
        user._may_read_complaint_history = any(user.has_perm(f"wagtail_complaints.{name}") for name in codenames)
    return user._may_read_complaint_history


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
