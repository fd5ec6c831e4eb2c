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


class Grain(models.TextChoices):
    """Which columns a DailyFigures row is counted by; the others hold 0 or "" (meaning: all).

    At complaint volumes a row keyed by every column holds about one complaint, so the screen
    reads the narrow grains (a few rows a day whatever the number of complaints) and keeps the
    full one (DETAIL) for filtered figures.
    """

    SITE = "site", _("day, site and outcome")
    CATEGORY = "category", _("day, site and category")
    SERVICE = "service", _("day, site and service")
    CHANNEL = "channel", _("day, site and channel")
    DETAIL = "detail", _("day, site, category, service, channel and outcome")


class DailyFigures(RollupKey):
    """How many complaints had each event on a day, and what the complaints received that day became.

    Event counts (`received`, `taken_in_charge`, `answered`, `closed`) are counted on the event's
    own day (site time zone); the others describe the complaints received on `day`, as they are now.
    Every complaint is counted once in each grain; a duplicate only in `duplicates`.
    """

    grain = models.CharField(_("grain"), max_length=10, choices=Grain.choices)
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
    # Of those with an acknowledgement deadline (their site's): taken in charge, and by the deadline.
    acknowledged = models.IntegerField(default=0)
    acknowledged_on_time = models.IntegerField(default=0)
    safety_flagged = models.IntegerField(default=0)
    # Duplicates received on this day: in no other count (they are their original once more).
    duplicates = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily complaint figures")
        verbose_name_plural = _("daily complaint figures")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "site_id", "category_id", "service_id", "channel", "outcome"],
                name="daily_figures_key",
            )
        ]


class DailyResponseTimes(RollupKey):
    """How many complaints received on `day` took exactly `duration` to reach a step.

    Durations are kept to the microsecond the transition times have, so percentiles are exact:
    any coarser value could move a median shown to a tenth of a day across a rounding boundary.
    `bucket` (see rollups.duration_bucket) groups nearby durations: percentiles first find their
    bucket in MonthlyResponseTimes, then read only that bucket's rows here.
    """

    step = models.CharField(_("step"), max_length=20)
    bucket = models.IntegerField(_("bucket"))
    duration_us = models.BigIntegerField(_("duration (microseconds)"))
    complaints = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily response times")
        verbose_name_plural = _("daily response times")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "day", "site_id", "category_id", "service_id", "channel", "bucket", "duration_us"],
                name="daily_response_times_key",
            )
        ]
        indexes = [models.Index(fields=["step", "bucket", "day"], name="daily_response_times_bucket")]


class MonthlyResponseTimes(models.Model):
    """How many complaints received in a month, on a site, took a duration in `bucket` to reach a step.

    A few hundred rows a month and step whatever the number of complaints: where the percentiles of
    whole months start looking.
    """

    month = models.DateField(_("month"))
    site_id = models.IntegerField(_("site"), default=0)
    step = models.CharField(_("step"), max_length=20)
    bucket = models.IntegerField(_("bucket"))
    complaints = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("monthly response times")
        verbose_name_plural = _("monthly response times")
        constraints = [
            models.UniqueConstraint(fields=["step", "month", "site_id", "bucket"], name="monthly_response_times_key")
        ]
