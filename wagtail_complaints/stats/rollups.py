"""Keeping the summary tables (models.py) equal to what the complaints say.

Each complaint contributes a few counts to a few roll-up rows (its receipt, its events, its
response times). When a complaint is saved, its old contribution is taken away and its new one
added, in the same transaction as the save, whatever changed it (actions, registration,
corrections, anonymisation, e-mail intake): one INSERT … ON CONFLICT per table and save.
`rebuild()` recomputes everything from the complaints (after a bulk load, or to check).
"""

import datetime
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from ..models import Complaint, Outcome
from .models import DailyFigures, DailyResponseTimes

# The complaint's columns the roll-ups depend on: saves touching none of them cost nothing.
TRACKED_FIELDS = (
    "site_id", "category_id", "service_id", "channel", "outcome", "status", "received_at", "taken_in_charge_at",
    "first_answered_at", "closed_at", "reopen_count", "answer_by", "original_answer_by", "rating",
)
EVENTS = {"received": "received_at", "taken_in_charge": "taken_in_charge_at", "answered": "first_answered_at",
          "closed": "closed_at"}
STEPS = {"take_in_charge": "taken_in_charge_at", "first_answer": "first_answered_at", "close": "closed_at"}
FIGURE_KEY = ("day", "site_id", "category_id", "service_id", "channel", "outcome")
TIMES_KEY = ("step", "day", "site_id", "category_id", "service_id", "channel", "duration_us")
MICROSECOND = datetime.timedelta(microseconds=1)


def local_day(moment):
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def contribution(values):
    """({DailyFigures key: Counter}, Counter of DailyResponseTimes keys) for one complaint's values."""
    figures, times = defaultdict(Counter), Counter()
    if not values or values.get("received_at") is None:
        return figures, times
    dims = (values["site_id"] or 0, values["category_id"], values["service_id"] or 0, values["channel"])
    outcome = values["outcome"] or ""
    received_on = local_day(values["received_at"])
    for event, field in EVENTS.items():
        if values[field] is not None:
            figures[(local_day(values[field]), *dims, outcome)][event] += 1

    cohort = figures[(received_on, *dims, outcome)]
    reopened = values["reopen_count"] > 0
    cohort["closed_once"] += values["closed_at"] is not None or reopened
    cohort["reopened"] += reopened
    if values["first_answered_at"] is not None:
        cohort["were_answered"] += 1
        # "On time" is against the date first given (see aggregation.py).
        promised_on = values["original_answer_by"] or values["answer_by"]
        cohort["answered_on_time"] += local_day(values["first_answered_at"]) <= promised_on
    cohort["extended"] += values["original_answer_by"] is not None
    if values["rating"] is not None:
        cohort["rated"] += 1
        cohort["rating_total"] += values["rating"]
    cohort[f"status_{values['status']}"] += 1

    for step, field in STEPS.items():
        if values[field] is None or (step == "close" and outcome == Outcome.WITHDRAWN):
            continue
        duration = (values[field] - values["received_at"]) // MICROSECOND
        times[(step, received_on, *dims, duration)] += 1
    return figures, times


def difference(old, new):
    """The (figures, times) deltas that turn the `old` contribution into the `new` one."""
    (old_figures, old_times), (new_figures, new_times) = old, new
    figures = {}
    for key in old_figures.keys() | new_figures.keys():
        delta = Counter(new_figures.get(key, {}))
        delta.subtract(old_figures.get(key, {}))
        delta = {name: n for name, n in delta.items() if n}
        if delta:
            figures[key] = delta
    times = Counter(new_times)
    times.subtract(old_times)
    return figures, {key: n for key, n in times.items() if n}


def _upsert(model, key_columns, rows):
    """Add `rows` [(key tuple, {column: delta})] to `model`'s table: one INSERT … ON CONFLICT."""
    if not rows:
        return
    # Every count column, zeros included: the table's defaults live in Django, not in the database.
    measures = [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in key_columns]
    changed = {name for _key, delta in rows for name in delta}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [*key_columns, *measures]
    quoted = [connection.ops.quote_name(column) for column in columns]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    updates = ", ".join(
        f"{q} = {table}.{q} + excluded.{q}" for name, q in zip(columns, quoted) if name in changed
    )
    params = [value for key, delta in rows for value in (*key, *(delta.get(name, 0) for name in measures))]
    # Only quoted column names from the model go into the statement; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {placeholders} "  # nosec B608
        f"ON CONFLICT ({', '.join(quoted[:len(key_columns)])}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def apply(figures, times):
    _upsert(DailyFigures, FIGURE_KEY, sorted(figures.items()))
    _upsert(DailyResponseTimes, TIMES_KEY, sorted((key, {"complaints": n}) for key, n in times.items()))


def tracked_values(complaint):
    return {field: getattr(complaint, field) for field in TRACKED_FIELDS}


# -- keeping up with every save ------------------------------------------------------------------


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    instance._rollup_update_fields = update_fields
    if update_fields is not None and not {f.replace("_id", "") for f in TRACKED_FIELDS} & {
        f.removesuffix("_id") for f in update_fields
    }:
        instance._rollup_old = None  # nothing the figures depend on changes
        return
    if instance._state.adding or instance.pk is None:
        instance._rollup_old = {}
        return
    # The stored row, not the instance's memory of it: another request may have changed it since.
    rows = Complaint.objects.filter(pk=instance.pk)
    if connection.in_atomic_block:
        rows = rows.select_for_update()
    instance._rollup_old = rows.values(*TRACKED_FIELDS).first() or {}


def _after_save(sender, instance, raw=False, **kwargs):
    old = getattr(instance, "_rollup_old", None)
    if raw or old is None:
        return
    new = tracked_values(instance)
    update_fields = instance._rollup_update_fields
    if update_fields is not None and old:
        # Only those columns were written: the row keeps its stored values for the others.
        saved = {f.removesuffix("_id") for f in update_fields}
        new = {field: new[field] if field.removesuffix("_id") in saved else old[field] for field in TRACKED_FIELDS}
    with transaction.atomic():
        apply(*difference(contribution(old), contribution(new)))
    instance._rollup_old = None


def _after_delete(sender, instance, **kwargs):
    with transaction.atomic():
        apply(*difference(contribution(tracked_values(instance)), contribution({})))


def register_signal_handlers():
    pre_save.connect(_before_save, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_before")
    post_save.connect(_after_save, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_after")
    post_delete.connect(_after_delete, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_delete")


# -- rebuilding from the complaints ----------------------------------------------------------------


REBUILD_BATCH = 2000


def _models(apps=None):
    models = {model.__name__: model for model in (Complaint, DailyFigures, DailyResponseTimes)}
    if apps is not None:
        models = {name: apps.get_model("wagtail_complaints", name) for name in models}
    return models


def compute(batch_size=REBUILD_BATCH, apps=None):
    """(figures, times, complaints counted): what the tables should hold, from the complaints.

    Reads the complaints in primary-key order, a batch at a time, so memory stays bounded by the
    roll-up, not by the complaints.
    """
    figures, times = defaultdict(Counter), Counter()
    count = 0
    rows = _models(apps)["Complaint"].objects.order_by("pk").values_list("pk", *TRACKED_FIELDS)
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        for pk, *values in batch:
            complaint_figures, complaint_times = contribution(dict(zip(TRACKED_FIELDS, values)))
            for key, counts in complaint_figures.items():
                figures[key].update(counts)
            times.update(complaint_times)
            last_pk = pk
        count += len(batch)
    figures = {key: {name: n for name, n in counts.items() if n} for key, counts in figures.items()}
    return {key: counts for key, counts in figures.items() if counts}, +times, count


def stored():
    """(figures, times) as the tables hold them now, zero counts left out."""
    measures = [f.name for f in DailyFigures._meta.concrete_fields if f.name not in ("id", *FIGURE_KEY)]
    figures = {}
    for row in DailyFigures.objects.values_list(*FIGURE_KEY, *measures).iterator():
        counts = {name: n for name, n in zip(measures, row[len(FIGURE_KEY):]) if n}
        if counts:
            figures[tuple(row[: len(FIGURE_KEY)])] = counts
    times = Counter(
        {tuple(key): n for *key, n in DailyResponseTimes.objects.values_list(*TIMES_KEY, "complaints").iterator() if n}
    )
    return figures, times


def rebuild(batch_size=REBUILD_BATCH, apps=None):
    """Recompute both tables from the complaints, in one transaction; returns how many complaints.

    Idempotent: running it twice gives the same rows. `apps`: a migration's historical models.
    """
    models = _models(apps)
    figures_model, times_model = models["DailyFigures"], models["DailyResponseTimes"]
    with transaction.atomic():
        figures, times, count = compute(batch_size, apps)
        figures_model.objects.all().delete()
        times_model.objects.all().delete()
        figures_model.objects.bulk_create(
            (figures_model(**dict(zip(FIGURE_KEY, key)), **counts) for key, counts in figures.items()),
            batch_size=batch_size,
        )
        times_model.objects.bulk_create(
            (times_model(**dict(zip(TIMES_KEY, key)), complaints=n) for key, n in times.items()),
            batch_size=batch_size,
        )
    return count
