"""The statistics read from the daily roll-ups (models.py) instead of scanning the complaints.

`RolledUpStatistics` keeps every public method of `aggregation.Statistics` and gives the same
figures (tests/test_stats_rollups.py checks it on random data); only where the numbers come from
changes. Two figures depend on today and stay on the complaints, through their indexes: the
complaints overdue now, and those still waiting for a first answer past their answer-by date.
"""

import datetime
import math

from django.db import connection
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.utils.functional import cached_property

from ..models import Outcome
from ..workflow import OPEN_STATES, Status
from .aggregation import EVENT_FIELDS, PERCENTILES, STEPS, Statistics, Times, to_days
from .models import DailyFigures, DailyResponseTimes

COHORT_MEASURES = (
    "closed_once", "reopened", "were_answered", "answered_on_time", "extended", "rated", "rating_total",
)
SERIES = ("received", *EVENT_FIELDS)


class RolledUpStatistics(Statistics):
    # -- the roll-up rows the filters select ------------------------------------------------------

    def _rollup_q(self):
        q = Q()
        if self.filters.site is not None:
            q &= Q(site_id=self.filters.site.pk)
        if self.filters.category is not None:
            # A macro-category stands for itself and all its sub-categories.
            ids = [c.pk for c in self.categories if self.filters.category.pk in (c.pk, c.parent_id)]
            q &= Q(category_id__in=ids)
        if self.filters.service is not None:
            q &= Q(service_id=self.filters.service.pk)
        if self.filters.channel:
            q &= Q(channel=self.filters.channel)
        return q

    def figures(self):
        return DailyFigures.objects.filter(self._rollup_q()).order_by()

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
        late = self.complaints().annotate(promised_on=Coalesce("original_answer_by", "answer_by")).filter(
            first_answered_at__isnull=True, promised_on__lt=self.today
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

    # -- response times: continuous percentiles from the exact durations ----------------------------

    def response_times(self):
        ranks = self._ranked_durations()
        result = {}
        for key in ("current", "previous"):
            result[key] = {}
            for step in STEPS:
                total, at_rank = ranks.get((key, step), (0, {}))
                values = {name: percentile_at(at_rank, total, f) for name, f in PERCENTILES.items()}
                result[key][step] = Times(total, to_days(values["median"]), to_days(values["p90"]))
        return result

    def _ranked_durations(self):
        """{(period, step): (count, {rank: duration})} for the ranks around every percentile asked for.

        One query: the window sums number the durations in order; only the few rows whose ranks
        sit next to a percentile's position come back.
        """
        table = connection.ops.quote_name(DailyResponseTimes._meta.db_table)
        where, params = self._times_where()
        # CAST rounds on PostgreSQL and truncates on SQLite: a margin of one rank covers both.
        near = " OR ".join(
            ["(cumulative - n <= CAST(%s * (total - 1) AS INTEGER) + 2"
             " AND cumulative > CAST(%s * (total - 1) AS INTEGER) - 1)"] * len(PERCENTILES)
        )
        near_params = [f for f in PERCENTILES.values() for _ in range(2)]
        # Only quoted names from the model go into the statement; every value is a parameter.
        sql = f"""
            SELECT period, step, duration_us, cumulative, n, total FROM (
                SELECT period, step, duration_us, n,
                       SUM(n) OVER (PARTITION BY period, step ORDER BY duration_us) AS cumulative,
                       SUM(n) OVER (PARTITION BY period, step) AS total
                FROM (
                    SELECT CASE WHEN day >= %s THEN 'current' ELSE 'previous' END AS period,
                           step, duration_us, SUM(complaints) AS n
                    FROM {table} WHERE {where}
                    GROUP BY 1, 2, 3
                ) AS grouped
            ) AS ranked
            WHERE {near}
        """  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.period.start, *params, *near_params])
            rows = cursor.fetchall()
        ranks = {}
        for period, step, duration, cumulative, n, total in rows:
            total, at_rank = ranks.setdefault((period, step), (int(total), {}))
            first, last = int(cumulative) - int(n), int(cumulative)
            for fraction in PERCENTILES.values():
                low = math.floor(fraction * (total - 1))
                for rank in (low, low + 1):
                    if first <= rank < last:
                        at_rank[rank] = datetime.timedelta(microseconds=int(duration))
        return ranks

    def _times_where(self):
        clauses = ["day >= %s", "day <= %s"]
        params = [self.previous.start, self.period.end]
        if self.filters.site is not None:
            clauses.append("site_id = %s")
            params.append(self.filters.site.pk)
        if self.filters.category is not None:
            ids = [c.pk for c in self.categories if self.filters.category.pk in (c.pk, c.parent_id)]
            clauses.append("category_id IN (" + ", ".join(["%s"] * len(ids)) + ")")
            params.extend(ids)
        if self.filters.service is not None:
            clauses.append("service_id = %s")
            params.append(self.filters.service.pk)
        if self.filters.channel:
            clauses.append("channel = %s")
            params.append(self.filters.channel)
        return " AND ".join(clauses), params

    # -- breakdowns of the complaints received in the period ----------------------------------------

    @cached_property
    def _breakdowns(self):
        received = self.figures().filter(self._in(self.period), received__gt=0)
        counts = {}
        for column in ("category_id", "service_id", "channel", "outcome"):
            rows = received.values_list(column).annotate(n=Sum("received")).order_by()
            counts[column] = {value: n for value, n in rows if n}
        counts["service_id"] = {(value or None): n for value, n in counts["service_id"].items()}
        statuses = received.aggregate(**{f"in_{status}": Sum(f"status_{status}") for status in Status.values})
        counts["status"] = {status: statuses[f"in_{status}"] for status in Status.values if statuses[f"in_{status}"]}
        return counts

    def macro_category_by_month(self):
        rows = (
            self.figures()
            .filter(self._in(self.period), received__gt=0)
            .annotate(month=TruncMonth("day"))
            .values_list("category_id", "month")
            .annotate(n=Sum("received"))
            .order_by()
        )
        categories = self.categories
        macro_of = {c.pk: c.parent_id or c.pk for c in categories}
        table = {}
        for category_id, month, n in rows:
            cells = table.setdefault(macro_of[category_id], {})
            cells[month] = cells.get(month, 0) + n
        macros = [
            c for c in categories
            if c.parent_id is None and ((c.is_active and not c.needs_classification) or c.pk in table)
        ]
        return table, macros

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


def percentile_at(at_rank, count, fraction):
    """The continuous percentile (as PostgreSQL's PERCENTILE_CONT) from the durations at two ranks."""
    if not count:
        return None
    position = fraction * (count - 1)
    low = math.floor(position)
    lower = at_rank[low]
    upper = at_rank.get(low + 1, lower)
    return lower + (upper - lower) * (position - low)

