"""Database aggregations behind the statistics screen, its exports and the report command.

Every figure is computed by the database (conditional counts, GROUP BY, percentiles); nothing
here loops over complaints, so the number of queries depends on the period, never on how many
complaints there are. Months and years are those of the site's time zone (settings.TIME_ZONE).

Definitions (the README repeats them for the people who read the figures):
- received / taken in charge / answered / closed in a period: the complaints whose
  `received_at` / `taken_in_charge_at` / `first_answered_at` / `closed_at` falls in it
  (a complaint closed again after a reopening counts when it was last closed);
- open at the end of a period: received before its end and not closed before its end;
- breakdowns, response times, reopenings and ratings: the complaints received in the period;
- response times run from receipt to the real transition times; withdrawn complaints are left
  out of the time to close, and out of the deadline share unless they had been answered;
- a complaint marked as a duplicate of another is the same complaint again: it is left out of
  every figure (counted once, as its original), and only `safety_and_duplicates` counts it.
"""

import datetime
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Avg, Case, Count, DurationField, ExpressionWrapper, F, Min, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.functional import cached_property

from ..models import Category, Complaint, Outcome, Service
from ..workflow import OPEN_STATES

# The longest range the screen accepts: keeps month-by-month tables readable and bounded.
MAX_PERIOD_DAYS = 10 * 366
# Up to this many months, one conditional count per month beats grouping by truncated dates.
MAX_COUNTED_BUCKETS = 36

# Figures counted on the event's own time stamp.
EVENT_FIELDS = {
    "taken_in_charge": "taken_in_charge_at",
    "answered": "first_answered_at",
    "closed": "closed_at",
}

# Response times: from receipt to each of these.
STEPS = {
    "take_in_charge": "taken_in_charge_at",
    "first_answer": "first_answered_at",
    "close": "closed_at",
}
PERCENTILES = {"median": 0.5, "p90": 0.9}


def add_months(day, months):
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def site_timezone():
    return timezone.get_default_timezone()


def local_midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), site_timezone())


def as_local_date(value):
    """A month or year bucket as a date, whatever type the database driver returned."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, site_timezone())
        return value.date()
    return value


@dataclass(frozen=True)
class Period:
    """A range of whole days, both ends included."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts.")

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def month(cls, year, month):
        first = datetime.date(year, month, 1)
        return cls(first, add_months(first, 1) - datetime.timedelta(days=1))

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def whole_months(self):
        """How many calendar months the period covers exactly, or 0 when it does not."""
        if self.start.day != 1 or (self.end + datetime.timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def is_year(self):
        return self.whole_months == 12 and self.start.month == 1

    @property
    def is_month(self):
        return self.whole_months == 1

    def bounds(self):
        """The period as [start, end) aware datetimes at the site's midnights."""
        return local_midnight(self.start), local_midnight(self.end + datetime.timedelta(days=1))

    def months(self):
        """The first day of every month the period touches."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    def previous(self):
        """The period of the same length just before: the previous month(s), or the same days."""
        months = self.whole_months
        if months:
            start = add_months(self.start, -months)
            return Period(start, self.start - datetime.timedelta(days=1))
        return Period(self.start - datetime.timedelta(days=self.days), self.start - datetime.timedelta(days=1))

    def slug(self):
        if self.is_month:
            return f"{self.start:%Y-%m}"
        if self.is_year:
            return f"{self.start:%Y}"
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Filters:
    site: object = None
    category: object = None
    service: object = None
    channel: str = ""
    # The ids of the sites the reader works on (None: every site); see permissions.sites_of.
    sites: tuple | None = None

    def apply(self, complaints):
        if self.sites is not None:
            from ..permissions import site_filter

            complaints = complaints.filter(site_filter(self.sites))
        if self.site is not None:
            complaints = complaints.filter(site=self.site)
        if self.category is not None:
            # A macro-category stands for itself and all its sub-categories.
            complaints = complaints.filter(Q(category=self.category) | Q(category__parent=self.category))
        if self.service is not None:
            complaints = complaints.filter(service=self.service)
        if self.channel:
            complaints = complaints.filter(channel=self.channel)
        return complaints


@dataclass(frozen=True)
class Times:
    """How many complaints reached a step, and the median and 90th percentile days it took."""

    count: int
    median: float | None
    p90: float | None


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentiles of a duration, e.g. PercentileCont(expression, [0.5, 0.9]).

    One sort gives every fraction asked for; the result is a list of timedeltas.
    """

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions, **extra):
        from django.contrib.postgres.fields import ArrayField  # needs psycopg: PostgreSQL only

        fractions = [float(fraction) for fraction in fractions]
        if not fractions or not all(0 <= fraction <= 1 for fraction in fractions):
            raise ValueError("Percentiles are fractions between 0 and 1.")
        extra.setdefault("output_field", ArrayField(DurationField()))
        super().__init__(expression, fractions=", ".join(map(repr, fractions)), **extra)


def to_days(value):
    if value is None:
        return None
    return round(value.total_seconds() / 86400, 1)


def duration_since_receipt(field):
    return ExpressionWrapper(F(field) - F("received_at"), output_field=DurationField())


def step_filter(step):
    field = STEPS[step]
    measured = Q(**{f"{field}__isnull": False})
    if step == "close":
        measured &= ~Q(outcome=Outcome.WITHDRAWN)  # the complainant's choice, not the office's speed
    return measured


class Statistics:
    """The figures for one period, with optional filters, and its comparison period."""

    def __init__(self, period, filters=None, today=None):
        self.period = period
        self.previous = period.previous()
        self.filters = filters or Filters()
        self.today = today or timezone.localdate()

    @cached_property
    def categories(self):
        """All categories, inactive ones too (past complaints use them), with their labels."""
        return list(Category.objects.select_related("parent").prefetch_related("labels", "parent__labels"))

    # -- querysets ----------------------------------------------------------------------------

    def complaints(self):
        return self.filters.apply(Complaint.objects.counted().order_by())

    @cached_property
    def _safety_and_duplicates(self):
        start, _ = self.previous.bounds()
        _, end = self.period.bounds()
        received = self.filters.apply(Complaint.objects.order_by()).filter(received_at__gte=start, received_at__lt=end)
        aggregates = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            cohort = self._cohort_q(period)
            aggregates[f"{key}_safety_flagged"] = Count(
                "pk", filter=cohort & Q(safety_flagged_at__isnull=False, duplicate_of__isnull=True)
            )
            aggregates[f"{key}_duplicates"] = Count("pk", filter=cohort & Q(duplicate_of__isnull=False))
        return received.aggregate(**aggregates)

    def safety_and_duplicates(self, key="current"):
        """{'safety_flagged': n, 'duplicates': n} among the complaints received in the period
        (`key` "previous": in the comparison period); one query for both.

        Flagged: possible patient-safety incidents (a duplicate's flag counts with its original);
        duplicates: those left out of every other figure."""
        values = self._safety_and_duplicates
        return {name: values[f"{key}_{name}"] for name in ("safety_flagged", "duplicates")}

    def received_in(self, period):
        start, end = period.bounds()
        return self.complaints().filter(received_at__gte=start, received_at__lt=end)

    # -- the summary figures ------------------------------------------------------------------

    def summary(self):
        """{'current': {...}, 'previous': {...}, 'overdue_now': n}: two queries on PostgreSQL."""
        events = self._event_counts()
        cohorts = self._cohort_counts()
        times = self.response_times()
        figures = {}
        for key in ("current", "previous"):
            figures[key] = {name: events[f"{key}_{name}"] for name in (*EVENT_FIELDS, "open_at_end")}
            figures[key].update(cohorts[key])
            figures[key]["times"] = times[key]
        figures["overdue_now"] = events["overdue_now"]
        return figures

    def _event_counts(self):
        counts = {"overdue_now": Count("pk", filter=Q(status__in=OPEN_STATES, answer_by__lt=self.today))}
        for key, period in (("current", self.period), ("previous", self.previous)):
            start, end = period.bounds()
            for name, field in EVENT_FIELDS.items():
                counts[f"{key}_{name}"] = Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
            counts[f"{key}_open_at_end"] = Count(
                "pk", filter=Q(received_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
            )
        return self.complaints().aggregate(**counts)

    @cached_property
    def _cohort_values(self):
        """One pass over the complaints received in both periods: counts, and on PostgreSQL the percentiles."""
        start, _ = self.previous.bounds()
        _, end = self.period.bounds()
        complaints = self.complaints().filter(received_at__gte=start, received_at__lt=end)
        complaints = complaints.annotate(
            first_answered_on=TruncDate("first_answered_at", tzinfo=site_timezone()),
            promised_on=Coalesce("original_answer_by", "answer_by"),
        )
        aggregates = self._cohort_aggregates()
        if connection.vendor == "postgresql":
            aggregates.update(self._percentile_aggregates())
        return complaints.aggregate(**aggregates)

    def _cohort_aggregates(self):
        # Due: answered, or past the answer-by date (withdrawn before any answer: left out). "On time"
        # is against the date first given: extending it does not turn a late answer into a punctual one.
        due = Q(first_answered_at__isnull=False) | (Q(promised_on__lt=self.today) & ~Q(outcome=Outcome.WITHDRAWN))
        aggregates = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            period_start, period_end = period.bounds()
            cohort = Q(received_at__gte=period_start, received_at__lt=period_end)
            aggregates.update(
                {
                    f"{key}_received": Count("pk", filter=cohort),
                    f"{key}_closed_once": Count(
                        "pk", filter=cohort & (Q(closed_at__isnull=False) | Q(reopen_count__gt=0))
                    ),
                    f"{key}_reopened": Count("pk", filter=cohort & Q(reopen_count__gt=0)),
                    f"{key}_withdrawn": Count("pk", filter=cohort & Q(outcome=Outcome.WITHDRAWN)),
                    f"{key}_due": Count("pk", filter=cohort & due),
                    f"{key}_on_time": Count("pk", filter=cohort & Q(first_answered_on__lte=F("promised_on"))),
                    f"{key}_extended": Count("pk", filter=cohort & Q(original_answer_by__isnull=False)),
                    f"{key}_ratings": Count("rating", filter=cohort),
                    f"{key}_average_rating": Avg("rating", filter=cohort),
                }
            )
        return aggregates

    def received_count(self, key="current"):
        """How many complaints were received in the period (`key` "previous": the comparison one);
        read from the cohort's figures, which the summary computes anyway."""
        return self._cohort_values[f"{key}_received"]

    def _cohort_counts(self):
        values = self._cohort_values
        result = {}
        for key in ("current", "previous"):
            figures = {name: values[f"{key}_{name}"] for name in (
                "received", "closed_once", "reopened", "withdrawn", "due", "on_time", "extended", "ratings",
                "average_rating",
            )}
            figures["reopen_rate"] = share(figures["reopened"], figures["closed_once"])
            figures["on_time_share"] = share(figures["on_time"], figures["due"])
            if figures["average_rating"] is not None:
                figures["average_rating"] = round(float(figures["average_rating"]), 2)
            result[key] = figures
        return result

    # -- acknowledgement ----------------------------------------------------------------------

    def acknowledgement(self):
        """{'current' | 'previous': {'due', 'on_time', 'share'}} for the complaints received in the
        period whose site sets an acknowledgement deadline; one query.

        Acknowledged means taken in charge. Due: acknowledged, or past the deadline (withdrawn
        before anyone took it in charge: left out).
        """
        complaints = self.complaints().filter(acknowledge_by__isnull=False).annotate(
            acknowledged_day=TruncDate("taken_in_charge_at", tzinfo=site_timezone())
        )
        due = Q(taken_in_charge_at__isnull=False) | (Q(acknowledge_by__lt=self.today) & ~Q(outcome=Outcome.WITHDRAWN))
        aggregates = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            cohort = self._cohort_q(period)
            aggregates[f"{key}_due"] = Count("pk", filter=cohort & due)
            aggregates[f"{key}_on_time"] = Count("pk", filter=cohort & Q(acknowledged_day__lte=F("acknowledge_by")))
        values = complaints.aggregate(**aggregates)
        return {
            key: {
                "due": values[f"{key}_due"],
                "on_time": values[f"{key}_on_time"],
                "share": share(values[f"{key}_on_time"], values[f"{key}_due"]),
            }
            for key in ("current", "previous")
        }

    # -- response times -----------------------------------------------------------------------

    def response_times(self):
        """{'current' | 'previous': {step: Times}}: one query on PostgreSQL, a few more elsewhere."""
        if connection.vendor == "postgresql":
            return self._percentiles_in_database()
        return self._percentiles_by_offset()

    def _cohort_q(self, period):
        start, end = period.bounds()
        return Q(received_at__gte=start, received_at__lt=end)

    def _percentile_aggregates(self):
        aggregates = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            for step in STEPS:
                where = self._cohort_q(period) & step_filter(step)
                duration = duration_since_receipt(STEPS[step])
                aggregates[f"{key}_{step}_count"] = Count("pk", filter=where)
                aggregates[f"{key}_{step}"] = PercentileCont(duration, PERCENTILES.values(), filter=where)
        return aggregates

    def _percentiles_in_database(self):
        values = self._cohort_values  # computed with the cohort's counts, in the same pass
        result = {}
        for key in ("current", "previous"):
            result[key] = {}
            for step in STEPS:
                median, p90 = values[f"{key}_{step}"] or (None, None)
                result[key][step] = Times(values[f"{key}_{step}_count"], to_days(median), to_days(p90))
        return result

    def _percentiles_by_offset(self):
        """Continuous percentiles from the one or two ordered values around each rank."""
        counts = self.complaints().aggregate(
            **{
                f"{key}_{step}": Count("pk", filter=self._cohort_q(period) & step_filter(step))
                for key, period in (("current", self.period), ("previous", self.previous))
                for step in STEPS
            }
        )
        result = {}
        for key, period in (("current", self.period), ("previous", self.previous)):
            result[key] = {}
            for step in STEPS:
                count = counts[f"{key}_{step}"]
                durations = (
                    self.received_in(period)
                    .filter(step_filter(step))
                    .annotate(duration=duration_since_receipt(STEPS[step]))
                    .order_by("duration")
                    .values_list("duration", flat=True)
                )
                values = {name: percentile_from_ordered(durations, count, f) for name, f in PERCENTILES.items()}
                result[key][step] = Times(count, to_days(values["median"]), to_days(values["p90"]))
        return result

    # -- breakdowns of the complaints received in the period ----------------------------------

    def count_by(self, field):
        """{value: complaints received in the period} for one column."""
        return self._breakdowns[field]

    @cached_property
    def _breakdowns(self):
        # Two GROUP BYs instead of five: columns grouped so that their combinations stay few.
        counts = {}
        for columns in (("category_id", "service_id"), ("channel", "outcome", "status")):
            rows = self.received_in(self.period).values_list(*columns).annotate(n=Count("pk")).order_by()
            for column in columns:
                counts[column] = {}
            for *values, n in rows:
                for column, value in zip(columns, values):
                    counts[column][value] = counts[column].get(value, 0) + n
        return counts

    def by_category(self):
        """[(category, level, count)] macro-categories each followed by their sub-categories.

        Inactive categories appear when complaints use them; active ones always do.
        """
        counts = self.count_by("category_id")
        categories = self.categories
        children = {}
        for category in categories:
            if category.parent_id:
                children.setdefault(category.parent_id, []).append(category)
        rows = []
        for macro in (c for c in categories if c.parent_id is None):
            subs = children.get(macro.pk, [])
            total = counts.get(macro.pk, 0) + sum(counts.get(sub.pk, 0) for sub in subs)
            if not (macro.is_active or total):
                continue
            rows.append((macro, 0, total))
            for sub in subs:
                if sub.is_active or counts.get(sub.pk):
                    rows.append((sub, 1, counts.get(sub.pk, 0)))
        return rows

    def by_service(self):
        """[(service or None, count)]: every active service, inactive ones in use, then 'none'."""
        counts = self.count_by("service_id")
        rows = [
            (service, counts.get(service.pk, 0))
            for service in Service.objects.prefetch_related("labels")
            if service.is_active or counts.get(service.pk)
        ]
        if counts.get(None):
            rows.append((None, counts[None]))
        return rows

    def by_choice(self, field, choices):
        """[(value, label, count)] for a choices column, in the choices' order."""
        counts = self.count_by(field)
        return [(value, label, counts.get(value, 0)) for value, label in choices]

    def macro_category_by_month(self):
        """({macro-category pk: {month: count}}, [macro-categories]) for the period's months."""
        counts = (
            self.received_in(self.period)
            .annotate(month=TruncMonth("received_at", tzinfo=site_timezone()))
            .values_list("category_id", "month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return self.by_macro_category((category_id, as_local_date(month), n) for category_id, month, n in counts)

    def by_macro_category(self, counts):
        """({macro-category pk: {month: count}}, [macro-categories]) from (category pk, month, count)."""
        categories = self.categories
        macro_of = {c.pk: c.parent_id or c.pk for c in categories}
        table = {}
        for category_id, month, n in counts:
            cells = table.setdefault(macro_of[category_id], {})
            cells[month] = cells.get(month, 0) + n
        # "To be classified" gets a row only while complaints still wait in it.
        macros = [
            c for c in categories
            if c.parent_id is None and ((c.is_active and not c.needs_classification) or c.pk in table)
        ]
        return table, macros

    # -- outcomes, counted by the month the complaint was closed (seed 003) ---------------------

    @cached_property
    def _closed_by_outcome_and_month(self):
        """{(outcome, first day of the month closed): count} for the complaints closed in the period."""
        start, end = self.period.bounds()
        rows = (
            self.complaints()
            .filter(closed_at__gte=start, closed_at__lt=end)
            .annotate(month=TruncMonth("closed_at", tzinfo=site_timezone()))
            .values_list("outcome", "month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {(outcome, as_local_date(month)): n for outcome, month, n in rows}

    def closed_by_outcome(self):
        """[(outcome, label, count)] of the complaints closed in the period, in the outcomes' order."""
        counts = {}
        for (outcome, _month), n in self._closed_by_outcome_and_month.items():
            counts[outcome] = counts.get(outcome, 0) + n
        return [(value, label, counts.get(value, 0)) for value, label in Outcome.choices]

    def outcomes_by_month_closed(self):
        """[(month, {outcome: count})] for every month of the period, by the month closed."""
        cells = {}
        for (outcome, month), n in self._closed_by_outcome_and_month.items():
            cells.setdefault(month, {})[outcome] = n
        return [(month, cells.get(month, {})) for month in self.period.months()]

    # -- time series --------------------------------------------------------------------------

    def monthly(self):
        """One dict per month of the period: received, taken in charge, answered, closed, open at end.

        One query over the complaints that can have an event in the period: received before its
        end and not closed before its start (events follow receipt and precede closing).
        """
        start, end = self.period.bounds()
        months = self.period.months()
        complaints = self.complaints().filter(
            Q(received_at__lt=end), Q(closed_at__isnull=True) | Q(closed_at__gte=start)
        )
        # Those received before the start are exactly the ones still open at the start.
        if len(months) <= MAX_COUNTED_BUCKETS:
            bounds = [
                (max(local_midnight(month), start), min(local_midnight(add_months(month, 1)), end)) for month in months
            ]
            series, flags = self._counted_series(complaints, months, bounds, open_at_start=Q(received_at__lt=start))
        else:

            def in_period(field):
                return Case(When(Q(**{f"{field}__gte": start, f"{field}__lt": end}), then=F(field)))

            open_at_start = Case(When(received_at__lt=start, then=Value(1)), default=Value(0))
            series, flags = self._series(complaints, TruncMonth, in_period, open_at_start=open_at_start)
        return self._with_open_at_end(months, series, flags["open_at_start"])

    def yearly(self):
        """One dict per year, from the first year with complaints to the period's (or this) year."""
        first = self.complaints().aggregate(first=Min("received_at"))["first"]
        if first is None:
            return []
        first_year = timezone.localtime(first, site_timezone()).year
        last_year = max(self.period.end.year, self.today.year)
        years = [datetime.date(year, 1, 1) for year in range(first_year, last_year + 1)]
        bounds = [(local_midnight(year), local_midnight(year.replace(year=year.year + 1))) for year in years]
        series, _flags = self._counted_series(self.complaints(), years, bounds)
        return self._with_open_at_end(years, series, 0)

    def _counted_series(self, complaints, buckets, bounds, **flags):
        """({event: {bucket: count}}, {flag: count}) in one pass, one conditional count per cell.

        Plain comparisons with precomputed bounds: much cheaper per row than truncating four time
        stamps in the site's time zone and grouping, as long as the buckets are few.
        """
        fields = {"received": "received_at", **EVENT_FIELDS}
        aggregates = {
            f"{name}_{i}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
            for name, field in fields.items()
            for i, (start, end) in enumerate(bounds)
        }
        aggregates.update({f"flag_{name}": Count("pk", filter=q) for name, q in flags.items()})
        values = complaints.aggregate(**aggregates)
        series = {name: {bucket: values[f"{name}_{i}"] for i, bucket in enumerate(buckets)} for name in fields}
        return series, {name: values[f"flag_{name}"] for name in flags}

    def _series(self, complaints, trunc, wrap, **flags):
        """({event: {bucket: count}}, {flag: count}) in one GROUP BY over the four event times: for long periods."""
        fields = {"received": "received_at", **EVENT_FIELDS}
        buckets = {f"bucket_{name}": trunc(wrap(field), tzinfo=site_timezone()) for name, field in fields.items()}
        flags = {f"flag_{name}": flag for name, flag in flags.items()}
        rows = complaints.annotate(**buckets, **flags).values_list(*buckets, *flags).annotate(n=Count("pk")).order_by()
        series = {name: {} for name in fields}
        totals = {name.removeprefix("flag_"): 0 for name in flags}
        # Rows are combinations of months (or years), a few hundred at most whatever the number of complaints.
        for *values, n in rows:
            for name, value in zip(fields, values):
                if value is not None:
                    day = as_local_date(value)
                    series[name][day] = series[name].get(day, 0) + n
            for name, value in zip(totals, values[len(fields) :]):
                totals[name] += n * value
        return series, totals

    @staticmethod
    def _with_open_at_end(buckets, series, open_at_start):
        # Closing follows receipt: open at the end of a bucket = open at the start + received − closed.
        still_open = open_at_start
        rows = []
        for bucket in buckets:
            row = {"bucket": bucket}
            for name, counts in series.items():
                row[name] = counts.get(bucket, 0)
            still_open += row["received"] - row["closed"]
            row["open_at_end"] = still_open
            rows.append(row)
        return rows


def share(part, whole):
    """part/whole as a percentage with one decimal, or None when there is nothing to divide."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def percentile_from_ordered(ordered_values, count, fraction):
    """PERCENTILE_CONT over an ordered queryset: fetches at most two rows (LIMIT/OFFSET)."""
    if not count:
        return None
    position = fraction * (count - 1)
    low = math.floor(position)
    values = list(ordered_values[low : low + 2])
    lower = values[0]
    upper = values[1] if len(values) > 1 else lower
    return lower + (upper - lower) * (position - low)

