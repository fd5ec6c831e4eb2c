"""Keeping the summary tables (models.py) equal to what the complaints say.

Each complaint contributes a few counts to a few roll-up rows (its receipt, its events, its
response times). When a complaint is saved, its old contribution is taken away and its new one
added, in the same transaction as the save, whatever changed it (actions, registration,
corrections, anonymisation, e-mail intake): one INSERT … ON CONFLICT per table and save.
`rebuild()` recomputes everything from the complaints (after a bulk load, or to check).
"""

import datetime
import math
from collections import Counter

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from ..models import Complaint, Outcome
from .models import DailyFigures, DailyResponseTimes, Grain, MonthlyResponseTimes

# The complaint's columns the roll-ups depend on: saves touching none of them cost nothing.
TRACKED_FIELDS = (
    "site_id", "category_id", "service_id", "channel", "outcome", "status", "received_at", "taken_in_charge_at",
    "first_answered_at", "closed_at", "reopen_count", "answer_by", "original_answer_by", "rating", "duplicate_of_id",
    "acknowledge_by", "safety_flagged_at",
)
EVENTS = {"received": "received_at", "taken_in_charge": "taken_in_charge_at", "answered": "first_answered_at",
          "closed": "closed_at"}
STEPS = {"take_in_charge": "taken_in_charge_at", "first_answer": "first_answered_at", "close": "closed_at"}
# Each table by its model name: (model, the columns of its unique key, in order).
TABLES = {
    "DailyFigures": (
        DailyFigures, ("grain", "day", "site_id", "category_id", "service_id", "channel", "outcome"),
    ),
    "DailyResponseTimes": (
        DailyResponseTimes, ("step", "day", "site_id", "category_id", "service_id", "channel", "bucket", "duration_us"),
    ),
    "MonthlyResponseTimes": (MonthlyResponseTimes, ("step", "month", "site_id", "bucket")),
}
# What each grain keeps of (category, service, channel, outcome); the rest reads "all".
GRAINS = {
    Grain.SITE: (False, False, False, True),
    Grain.CATEGORY: (True, False, False, False),
    Grain.SERVICE: (False, True, False, False),
    Grain.CHANNEL: (False, False, True, False),
    Grain.DETAIL: (True, True, True, True),
}
ALL = (0, 0, "", "")
MICROSECOND = datetime.timedelta(microseconds=1)
# About 2% wide: ~750 buckets from a minute to a hundred days, each a sliver of the complaints.
BUCKETS_PER_DOUBLING = 32


def duration_bucket(duration_us):
    """A bucket number that never decreases as the duration grows (negative durations: -1)."""
    if duration_us < 0:
        return -1
    return int(math.log2(1 + duration_us / 1_000_000) * BUCKETS_PER_DOUBLING)


def local_day(moment, zone=None):
    return moment.astimezone(zone or timezone.get_default_timezone()).date()


def empty_tables():
    return {name: {} for name in TABLES}


def contribution(values):
    """{table name: {key: {column: count}}} for one complaint's values (empty when there is none)."""
    tables = empty_tables()
    add_contribution(values, tables)
    return tables


def _add(table, key, counts):
    row = table.get(key)
    if row is None:
        table[key] = dict(counts)
        return
    for column, n in counts.items():
        row[column] = row.get(column, 0) + n


def add_contribution(values, tables, zone=None):
    """Add one complaint's counts to `tables` (the rebuild adds every complaint to the same ones)."""
    if not values or values.get("received_at") is None:
        return
    zone = zone or timezone.get_default_timezone()
    site = values["site_id"] or 0
    columns = (values["category_id"], values["service_id"] or 0, values["channel"], values["outcome"] or "")
    received_on = local_day(values["received_at"], zone)
    figures = tables["DailyFigures"]
    if values.get("duplicate_of_id"):
        # A duplicate is the same complaint once more: the statistics count only its original, and
        # count the duplicate only as one "left out".
        for grain, kept in GRAINS.items():
            dims = tuple(value if keep else everything for value, keep, everything in zip(columns, kept, ALL))
            _add(figures, (grain, received_on, site, *dims), {"duplicates": 1})
        return

    counts = {}  # {day: {column: count}}: this complaint's figures, before they go into each grain
    for event, field in EVENTS.items():
        if values[field] is not None:
            day = local_day(values[field], zone)
            counts.setdefault(day, Counter())[event] += 1
    cohort = counts[received_on]
    reopened = values["reopen_count"] > 0
    cohort["closed_once"] += values["closed_at"] is not None or reopened
    cohort["reopened"] += reopened
    if values["first_answered_at"] is not None:
        cohort["were_answered"] += 1
        # "On time" is against the date first given (see aggregation.py).
        promised_on = values["original_answer_by"] or values["answer_by"]
        cohort["answered_on_time"] += local_day(values["first_answered_at"], zone) <= promised_on
    cohort["extended"] += values["original_answer_by"] is not None
    if values["rating"] is not None:
        cohort["rated"] += 1
        cohort["rating_total"] += values["rating"]
    cohort[f"status_{values['status']}"] += 1
    if values["acknowledge_by"] is not None and values["taken_in_charge_at"] is not None:
        # Acknowledged means taken in charge; the unacknowledged past their deadline depend on today.
        cohort["acknowledged"] += 1
        cohort["acknowledged_on_time"] += local_day(values["taken_in_charge_at"], zone) <= values["acknowledge_by"]
    cohort["safety_flagged"] += values["safety_flagged_at"] is not None
    for grain, kept in GRAINS.items():
        dims = tuple(value if keep else everything for value, keep, everything in zip(columns, kept, ALL))
        for day, day_counts in counts.items():
            _add(figures, (grain, day, site, *dims), day_counts)

    month = received_on.replace(day=1)
    for step, field in STEPS.items():
        if values[field] is None or (step == "close" and values["outcome"] == Outcome.WITHDRAWN):
            continue
        duration = (values[field] - values["received_at"]) // MICROSECOND
        bucket = duration_bucket(duration)
        _add(tables["DailyResponseTimes"], (step, received_on, site, *columns[:3], bucket, duration), {"complaints": 1})
        _add(tables["MonthlyResponseTimes"], (step, month, site, bucket), {"complaints": 1})


def difference(old, new):
    """{table name: {key: {column: delta}}}: what turns the `old` contribution into the `new` one."""
    deltas = {}
    for name in TABLES:
        old_rows, new_rows = old[name], new[name]
        deltas[name] = {}
        for key in old_rows.keys() | new_rows.keys():
            delta = Counter(new_rows.get(key, {}))
            delta.subtract(old_rows.get(key, {}))
            delta = {column: n for column, n in delta.items() if n}
            if delta:
                deltas[name][key] = delta
    return deltas


def _upsert(model, key_columns, rows):
    """Add `rows` [(key tuple, {column: delta})] to `model`'s table: one INSERT … ON CONFLICT."""
    if not rows:
        return
    # Every count column, zeros included: the table's defaults live in Django, not in the database.
    measures = [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in key_columns]
    # Only the columns this model has (a migration's historical model may predate some counts).
    changed = {name for _key, delta in rows for name in delta} & set(measures)
    if not changed:
        return  # only zeros to add
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


def apply(deltas):
    for name, (model, key_columns) in TABLES.items():
        _upsert(model, key_columns, sorted(deltas[name].items()))


def tracked_values(complaint):
    return {field: getattr(complaint, field) for field in TRACKED_FIELDS}


# -- keeping up with every save ------------------------------------------------------------------


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    instance._rollup_update_fields = update_fields
    if update_fields is not None and not {f.removesuffix("_id") for f in TRACKED_FIELDS} & {
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
        apply(difference(contribution(old), contribution(new)))
    instance._rollup_old = None


def _after_delete(sender, instance, **kwargs):
    with transaction.atomic():
        apply(difference(contribution(tracked_values(instance)), contribution({})))


def register_signal_handlers():
    pre_save.connect(_before_save, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_before")
    post_save.connect(_after_save, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_after")
    post_delete.connect(_after_delete, sender=Complaint, dispatch_uid="wagtail_complaints_rollup_delete")


# -- rebuilding from the complaints ----------------------------------------------------------------


REBUILD_BATCH = 2000
# Complaints counted in memory before their counts are added to the tables, and rows per INSERT.
REBUILD_CHUNK = 50_000
UPSERT_ROWS = 500


def _models(apps=None):
    if apps is None:
        return {name: model for name, (model, _key) in TABLES.items()} | {"Complaint": Complaint}
    return {name: apps.get_model("wagtail_complaints", name) for name in (*TABLES, "Complaint")}


def compute(batch_size=REBUILD_BATCH, apps=None):
    """({table name: {key: {column: count}}}, complaints counted): what the tables should hold.

    Reads the complaints in primary-key order, a batch at a time, so memory stays bounded by the
    roll-ups, not by the complaints.
    """
    tables = empty_tables()
    zone = timezone.get_default_timezone()
    count = 0
    rows = _models(apps)["Complaint"].objects.order_by("pk").values_list("pk", *TRACKED_FIELDS)
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        for pk, *values in batch:
            add_contribution(dict(zip(TRACKED_FIELDS, values)), tables, zone)
            last_pk = pk
        count += len(batch)
    return {name: _without_zeros(rows) for name, rows in tables.items()}, count


def _without_zeros(rows):
    rows = {key: {column: n for column, n in counts.items() if n} for key, counts in rows.items()}
    return {key: counts for key, counts in rows.items() if counts}


def stored():
    """{table name: {key: {column: count}}} as the tables hold them now, zero counts left out."""
    tables = {}
    for name, (model, key_columns) in TABLES.items():
        measures = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in key_columns]
        rows = model.objects.values_list(*key_columns, *measures).iterator()
        tables[name] = _without_zeros(
            {tuple(row[: len(key_columns)]): dict(zip(measures, row[len(key_columns):])) for row in rows}
        )
    return tables


def rebuild(batch_size=REBUILD_BATCH, apps=None, chunk_size=REBUILD_CHUNK):
    """Recompute the tables from the complaints, in one transaction; returns how many complaints.

    Idempotent: running it twice gives the same rows. The tables are emptied, then every
    `chunk_size` complaints' counts are added to them, so memory stays bounded whatever the
    number of complaints. `apps`: a migration's historical models.
    """
    models = _models(apps)
    zone = timezone.get_default_timezone()
    count = 0
    with transaction.atomic():
        for name in TABLES:
            models[name].objects.all().delete()
        rows = models["Complaint"].objects.order_by("pk").values_list("pk", *TRACKED_FIELDS)
        last_pk = 0
        tables = empty_tables()
        while True:
            batch = list(rows.filter(pk__gt=last_pk)[:batch_size])
            for pk, *values in batch:
                add_contribution(dict(zip(TRACKED_FIELDS, values)), tables, zone)
                last_pk = pk
            count += len(batch)
            if not batch or count % chunk_size < batch_size:
                for name, (_model, key_columns) in TABLES.items():
                    chunk = sorted((key, counts) for key, counts in _without_zeros(tables[name]).items())
                    if connection.vendor == "postgresql":
                        _copy_to_staging(models[name], key_columns, chunk)
                    else:
                        for start in range(0, len(chunk), UPSERT_ROWS):
                            _upsert(models[name], key_columns, chunk[start : start + UPSERT_ROWS])
                tables = empty_tables()
            if not batch:
                break
        if connection.vendor == "postgresql":
            for name, (_model, key_columns) in TABLES.items():
                _insert_from_staging(models[name], key_columns)
    return count


def _staging_name(model):
    return connection.ops.quote_name(f"{model._meta.db_table}_rebuild")


def _measure_columns(model, key_columns):
    return [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in key_columns]


def _copy_to_staging(model, key_columns, rows):
    """PostgreSQL: COPY a chunk's rows into a temporary table (tens of times faster than INSERTs)."""
    measures = _measure_columns(model, key_columns)
    columns = ", ".join(connection.ops.quote_name(column) for column in (*key_columns, *measures))
    table, staging = connection.ops.quote_name(model._meta.db_table), _staging_name(model)
    with connection.cursor() as cursor:
        # Only quoted names from the model go into these statements; the rows travel by COPY.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # nosec B608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for key, counts in rows:
                copy.write_row((*key, *(counts.get(name, 0) for name in measures)))


def _insert_from_staging(model, key_columns):
    """PostgreSQL: the staged chunks, added up by key, into the (emptied) table."""
    measures = _measure_columns(model, key_columns)
    keys = ", ".join(connection.ops.quote_name(column) for column in key_columns)
    sums = ", ".join(f"SUM({connection.ops.quote_name(column)})" for column in measures)
    columns = ", ".join(connection.ops.quote_name(column) for column in (*key_columns, *measures))
    table, staging = connection.ops.quote_name(model._meta.db_table), _staging_name(model)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # nosec B608
                       f"SELECT {columns} FROM {table} WITH NO DATA")
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {keys}, {sums} FROM {staging} GROUP BY {keys}")  # nosec B608
        cursor.execute(f"DROP TABLE {staging}")
