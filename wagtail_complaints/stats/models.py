"""Summary tables behind the statistics: a daily roll-up of the complaints, kept up to date by the
transactions that change them (see rollups.py) and rebuilt by `rebuild_complaint_statistics`.

Keys are plain integers, not foreign keys: a roll-up row outlives nothing and protects nothing,
and 0 stands for "no site" / "no service" so that one unique index (and ON CONFLICT) covers every
row. These tables hold no personal data: only counts, days and durations.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RollupKey(models.Model):
    """What every roll-up row is counted by: the day, and what the screen filters on."""

    day = models.DateField(_("day"))
    site_id = models.IntegerField(_("site"), default=0)
    category_id = models.IntegerField(_("category"))
    service_id = models.IntegerField(_("service"), default=0)
    channel = models.CharField(_("channel"), max_length=20)

    class Meta:
        abstract = True


class DailyFigures(RollupKey):
    """How many complaints had each event on a day, and what the complaints received that day became.

    Event counts (`received`, `taken_in_charge`, `answered`, `closed`) are counted on the event's
    own day (site time zone); the others describe the complaints received on `day`, as they are now.
    """

    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    # Events on this day.
    received = models.IntegerField(default=0)
    taken_in_charge = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    # The complaints received on this day, as they stand now.
    closed_once = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    were_answered = models.IntegerField(default=0)
    answered_on_time = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_total = models.IntegerField(default=0)
    status_pending = models.IntegerField(default=0)
    status_taken_in_charge = models.IntegerField(default=0)
    status_awaiting_reply = models.IntegerField(default=0)
    status_closed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily complaint figures")
        verbose_name_plural = _("daily complaint figures")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "site_id", "category_id", "service_id", "channel", "outcome"],
                name="daily_figures_key",
            )
        ]


class DailyResponseTimes(RollupKey):
    """How many complaints received on `day` took exactly `duration` to reach a step.

    Durations are kept to the microsecond the transition times have: any coarser bucket could
    move a median shown to a tenth of a day across a rounding boundary, and at complaint volumes
    (a few a day for each site, category, service and channel) coarser buckets would save no rows.
    """

    step = models.CharField(_("step"), max_length=20)
    duration_us = models.BigIntegerField(_("duration (microseconds)"))
    complaints = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily response times")
        verbose_name_plural = _("daily response times")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "day", "site_id", "category_id", "service_id", "channel", "duration_us"],
                name="daily_response_times_key",
            )
        ]
