"""The statistics read from the daily roll-ups (models.py) instead of scanning the complaints.

`RolledUpStatistics` keeps every public method of `aggregation.Statistics` and gives the same
figures (tests/test_stats_rollups.py checks it on random data); only where the numbers come from
changes. Three figures depend on today and stay on the complaints, through their indexes: the
complaints overdue now, those still waiting for a first answer past their answer-by date, and
those nobody has taken in charge past their acknowledgement deadline.
"""

import datetime
import math
from collections import defaultdict

from django.db.models import Case, Count, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.utils.functional import cached_property
from wagtail.models import Site

from ..models import Outcome
from ..workflow import OPEN_STATES, Status
from .aggregation import EVENT_FIELDS, PERCENTILES, STEPS, Statistics, Times, share, to_days
from .models import DailyFigures, DailyResponseTimes, Grain, MonthlyResponseTimes

COHORT_MEASURES = (
    "closed_once", "reopened", "were_answered", "answered_on_time", "extended", "rated", "rating_total",
    "acknowledged", "acknowledged_on_time", "safety_flagged", "duplicates",
)
SERIES = ("received", *EVENT_FIELDS)


class RolledUpStatistics(Statistics):
    # -- the roll-up rows the filters select ------------------------------------------------------

    @cached_property
    def _category_ids(self):
        # A macro-category stands for itself and all its sub-categories.
        category = self.filters.category
        return [c.pk for c in self.categories if category.pk in (c.pk, c.parent_id)]

    @property
    def _filters_columns(self):
        """Whether a filter needs the full grain (site alone does not: every grain has it)."""
        return self.filters.category is not None or self.filters.service is not None or bool(self.filters.channel)

    def _site_q(self):
        q = Q(site_id=self.filters.site.pk) if self.filters.site is not None else Q()
        if self.filters.sites is not None:
            sites = list(self.filters.sites)
            # Complaints with no site (0 in the roll-ups) are the default site's, as their settings are.
            if self._default_site_id in sites:
                sites.append(0)
            q &= Q(site_id__in=sites)
        return q

    @cached_property
    def _default_site_id(self):
        return Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()

    def _columns_q(self):
        q = Q()
        if self.filters.category is not None:
            q &= Q(category_id__in=self._category_ids)
        if self.filters.service is not None:
            q &= Q(service_id=self.filters.service.pk)
        if self.filters.channel:
            q &= Q(channel=self.filters.channel)
        return q

    def figures(self, grain=Grain.SITE):
        """The roll-up rows of `grain` for the filters: the full grain when a column is filtered on."""
        if self._filters_columns:
            grain = Grain.DETAIL
        return DailyFigures.objects.filter(self._site_q() & self._columns_q(), grain=grain).order_by()

    @staticmethod
    def _in(period):
        return Q(day__gte=period.start, day__lte=period.end)

    # -- the summary ------------------------------------------------------------------------------

    def _event_counts(self):
        sums = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            for name in EVENT_FIELDS:
                sums[f"{key}_{name}"] = Sum(name, filter=self._in(period))
            # Open at the end = received before the end − closed before the end (closing follows receipt).
            sums[f"{key}_received_before_end"] = Sum("received", filter=Q(day__lte=period.end))
            sums[f"{key}_closed_before_end"] = Sum("closed", filter=Q(day__lte=period.end))
        values = {name: value or 0 for name, value in self.figures().aggregate(**sums).items()}
        for key in ("current", "previous"):
            values[f"{key}_open_at_end"] = values.pop(f"{key}_received_before_end") - values.pop(
                f"{key}_closed_before_end"
            )
        overdue = self.complaints().filter(status__in=OPEN_STATES, answer_by__lt=self.today).count()
        return {**values, "overdue_now": overdue}

    @cached_property
    def _cohort_values(self):
        sums = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            in_period = self._in(period)
            sums[f"{key}_received"] = Sum("received", filter=in_period)
            sums[f"{key}_withdrawn"] = Sum("received", filter=in_period & Q(outcome=Outcome.WITHDRAWN))
            sums.update({f"{key}_{name}": Sum(name, filter=in_period) for name in COHORT_MEASURES})
        values = {name: value or 0 for name, value in self.figures().aggregate(**sums).items()}
        # Past their answer-by date without an answer: depends on today, so counted on the complaints.
        start, _ = self.previous.bounds()
        _, end = self.period.bounds()
        late = self.complaints().annotate(promised_on=Coalesce("original_answer_by", "answer_by")).filter(
            first_answered_at__isnull=True, received_at__gte=start, received_at__lt=end, promised_on__lt=self.today
        ).exclude(outcome=Outcome.WITHDRAWN)
        unanswered = late.aggregate(
            **{f"{key}_late": Count("pk", filter=self._cohort_q(period)) for key, period in (
                ("current", self.period), ("previous", self.previous))}
        )
        for key in ("current", "previous"):
            values[f"{key}_due"] = values[f"{key}_were_answered"] + unanswered[f"{key}_late"]
            values[f"{key}_on_time"] = values[f"{key}_answered_on_time"]
            values[f"{key}_ratings"] = values[f"{key}_rated"]
            rated = values[f"{key}_rated"]
            values[f"{key}_average_rating"] = values[f"{key}_rating_total"] / rated if rated else None
        return values

    # -- acknowledgement, safety flags and duplicates: the same roll-up sums as the cohort's ---------

    def acknowledgement(self):
        values = self._cohort_values
        # Not yet acknowledged and past the deadline: depends on today, so counted on the complaints,
        # through the index of those nobody has taken in charge (a few percent of the table).
        start, _ = self.previous.bounds()
        _, end = self.period.bounds()
        late = self.complaints().filter(
            taken_in_charge_at__isnull=True, acknowledge_by__lt=self.today, received_at__gte=start, received_at__lt=end
        ).exclude(outcome=Outcome.WITHDRAWN).aggregate(
            **{key: Count("pk", filter=self._cohort_q(period)) for key, period in (
                ("current", self.period), ("previous", self.previous))}
        )
        result = {}
        for key in ("current", "previous"):
            due = values[f"{key}_acknowledged"] + late[key]
            on_time = values[f"{key}_acknowledged_on_time"]
            result[key] = {"due": due, "on_time": on_time, "share": share(on_time, due)}
        return result

    @cached_property
    def _safety_and_duplicates(self):
        values = self._cohort_values
        return {f"{key}_{name}": values[f"{key}_{name}"] for key in ("current", "previous")
                for name in ("safety_flagged", "duplicates")}

    # -- response times: continuous percentiles from the exact durations ----------------------------

    def response_times(self):
        ranks = self._durations_at_ranks()
        result = {}
        for key in ("current", "previous"):
            result[key] = {}
            for step in STEPS:
                total, at_rank = ranks.get((key, step), (0, {}))
                values = {name: percentile_at(at_rank, total, f) for name, f in PERCENTILES.items()}
                result[key][step] = Times(total, to_days(values["median"]), to_days(values["p90"]))
        return result

    def _bucket_counts(self):
        """{(period, step): [(bucket, count)] in bucket order}: from the monthly table when it can."""
        period_of = Case(When(**{f"{self._time_column}__gte": self.period.start}, then=Value("current")),
                         default=Value("previous"))
        rows = (
            self._time_rows()
            .annotate(period=period_of)
            .values_list("period", "step", "bucket")
            .annotate(n=Sum("complaints"))
            .order_by()
        )
        counts = defaultdict(list)
        for period, step, bucket, n in rows:
            if n:
                counts[(period, step)].append((bucket, n))
        return {key: sorted(buckets) for key, buckets in counts.items()}

    @property
    def _monthly_times(self):
        # Whole months and no column filtered: a few hundred rows a month, whatever the number of complaints.
        return bool(self.period.whole_months and self.previous.whole_months) and not self._filters_columns

    @property
    def _time_column(self):
        return "month" if self._monthly_times else "day"

    def _time_rows(self):
        if self._monthly_times:
            return MonthlyResponseTimes.objects.filter(
                self._site_q(), month__gte=self.previous.start, month__lte=self.period.end
            )
        return self._daily_times(self.previous.start, self.period.end)

    def _daily_times(self, start, end):
        return DailyResponseTimes.objects.filter(self._site_q() & self._columns_q(), day__gte=start, day__lte=end)

    def _durations_at_ranks(self):
        """{(period, step): (count, {rank: duration})} for the two ranks around every percentile.

        The bucket counts say which bucket holds each rank; only those buckets' durations are read.
        """
        periods = {"current": self.period, "previous": self.previous}
        result = {}
        for (key, step), buckets in self._bucket_counts().items():
            total = sum(n for _bucket, n in buckets)
            wanted = set()
            for fraction in PERCENTILES.values():
                low = math.floor(fraction * (total - 1))
                wanted.update(rank for rank in (low, low + 1) if rank < total)
            at_rank = {}
            before = 0
            for bucket, n in buckets:
                inside = sorted(rank - before for rank in wanted if before <= rank < before + n)
                if inside:
                    period = periods[key]
                    durations = (
                        self._daily_times(period.start, period.end)
                        .filter(step=step, bucket=bucket)
                        .values_list("duration_us")
                        .annotate(n=Sum("complaints"))
                        .order_by("duration_us")
                    )
                    at_rank.update({before + offset: value for offset, value in ranked(durations, inside)})
                before += n
            result[(key, step)] = (total, at_rank)
        return result

    # -- breakdowns of the complaints received in the period ----------------------------------------

    @cached_property
    def _breakdowns(self):
        counts = {}
        grains = {"category_id": Grain.CATEGORY, "service_id": Grain.SERVICE, "channel": Grain.CHANNEL,
                  "outcome": Grain.SITE}
        for column, grain in grains.items():
            rows = (
                self.figures(grain).filter(self._in(self.period), received__gt=0)
                .values_list(column).annotate(n=Sum("received")).order_by()
            )
            counts[column] = {value: n for value, n in rows if n}
        counts["service_id"] = {(value or None): n for value, n in counts["service_id"].items()}
        statuses = self.figures().filter(self._in(self.period), received__gt=0).aggregate(
            **{f"in_{status}": Sum(f"status_{status}") for status in Status.values}
        )
        counts["status"] = {status: statuses[f"in_{status}"] for status in Status.values if statuses[f"in_{status}"]}
        return counts

    def macro_category_by_month(self):
        rows = (
            self.figures(Grain.CATEGORY)
            .filter(self._in(self.period), received__gt=0)
            .annotate(month=TruncMonth("day"))
            .values_list("category_id", "month")
            .annotate(n=Sum("received"))
            .order_by()
        )
        return self.by_macro_category(rows)

    @cached_property
    def _closed_by_outcome_and_month(self):
        rows = (
            self.figures()
            .filter(self._in(self.period), closed__gt=0)
            .annotate(month=TruncMonth("day"))
            .values_list("outcome", "month")
            .annotate(n=Sum("closed"))
            .order_by()
        )
        return {(outcome, month): n for outcome, month, n in rows if n}

    # -- time series ------------------------------------------------------------------------------

    def monthly(self):
        rows = (
            self.figures()
            .filter(self._in(self.period))
            .annotate(bucket=TruncMonth("day"))
            .values_list("bucket")
            .annotate(*(Sum(name) for name in SERIES))
            .order_by()
        )
        before = self.figures().filter(day__lt=self.period.start).aggregate(r=Sum("received"), c=Sum("closed"))
        open_at_start = (before["r"] or 0) - (before["c"] or 0)
        return self._with_open_at_end(self.period.months(), self._as_series(rows), open_at_start)

    def yearly(self):
        first = self.figures().filter(received__gt=0).aggregate(first=Min("day"))["first"]
        if first is None:
            return []
        last_year = max(self.period.end.year, self.today.year)
        years = [datetime.date(year, 1, 1) for year in range(first.year, last_year + 1)]
        rows = (
            self.figures()
            .annotate(bucket=TruncYear("day"))
            .values_list("bucket")
            .annotate(*(Sum(name) for name in SERIES))
            .order_by()
        )
        return self._with_open_at_end(years, self._as_series(rows), 0)

    @staticmethod
    def _as_series(rows):
        series = {name: {} for name in SERIES}
        for bucket, *values in rows:
            for name, value in zip(SERIES, values):
                series[name][bucket] = value or 0
        return series


def ranked(durations, offsets):
    """[(offset, timedelta)] for the wanted 0-based `offsets` (sorted) in [(duration_us, count)] rows."""
    found = []
    before = 0
    offsets = list(offsets)
    for duration, n in durations.iterator():
        while offsets and offsets[0] < before + n:
            found.append((offsets.pop(0), datetime.timedelta(microseconds=duration)))
        if not offsets:
            break
        before += n
    return found


def percentile_at(at_rank, count, fraction):
    """The continuous percentile (as PostgreSQL's PERCENTILE_CONT) from the durations at two ranks."""
    if not count:
        return None
    position = fraction * (count - 1)
    low = math.floor(position)
    lower = at_rank[low]
    upper = at_rank.get(low + 1, lower)
    return lower + (upper - lower) * (position - low)

