"""The statistics as named tables of plain rows: what the screen shows and every export writes.

Rows hold only aggregates and the hospital's own labels, never anything about a complainant, so
any table can go to the health authority as it is.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import Channel, Outcome
from ..models.taxonomy import Labelled
from ..workflow import Status
from .aggregation import share


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # What the screen shows instead of `key` (e.g. a month's name where exports write 2026-01).
    screen_key: str = ""

    @property
    def shown(self):
        return self.screen_key or self.key


@dataclass
class Table:
    name: str
    title: str
    columns: list
    rows: list = field(default_factory=list)
    description: str = ""


STEP_LABELS = {
    "take_in_charge": _("Days to take in charge"),
    "first_answer": _("Days to the first answer"),
    "close": _("Days to close"),
}


def _change(current, previous):
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


def summary_table(stats):
    figures = stats.summary()
    now, before = figures["current"], figures["previous"]
    rows = [
        ("received", _("Received")),
        ("taken_in_charge", _("Taken in charge")),
        ("answered", _("Answered (first answer)")),
        ("closed", _("Closed")),
        ("open_at_end", _("Open at the end of the period")),
        ("on_time_share", _("Answered within the answer-by date first given (%)")),
        ("extended", _("Answer-by date extended (received in the period)")),
        ("reopened", _("Reopened (received in the period)")),
        ("reopen_rate", _("Reopen rate (% of those closed)")),
        ("withdrawn", _("Withdrawn (received in the period)")),
        ("ratings", _("Ratings")),
        ("average_rating", _("Average rating")),
    ]
    table_rows = [
        {"figure": label, "current": now[key], "previous": before[key], "change": _change(now[key], before[key])}
        for key, label in rows
    ]
    acknowledgement = stats.acknowledgement()
    if acknowledgement["current"]["due"] or acknowledgement["previous"]["due"]:
        # Only where a site sets an acknowledgement deadline (England: 3 working days).
        current, previous = acknowledgement["current"]["share"], acknowledgement["previous"]["share"]
        on_time_row = next(i for i, row in enumerate(rows) if row[0] == "on_time_share")
        table_rows.insert(
            on_time_row + 1,
            {
                "figure": _("Acknowledged (taken in charge) within the acknowledgement deadline (%)"),
                "current": current,
                "previous": previous,
                "change": _change(current, previous),
            },
        )
    for step, label in STEP_LABELS.items():
        for measure, suffix in (("median", _("median")), ("p90", _("90th percentile"))):
            current = getattr(now["times"][step], measure)
            previous = getattr(before["times"][step], measure)
            table_rows.append(
                {
                    "figure": f"{label} ({suffix})",
                    "current": current,
                    "previous": previous,
                    "change": _change(current, previous),
                }
            )
    flags_now, flags_before = stats.safety_and_duplicates("current"), stats.safety_and_duplicates("previous")
    for key, label in (
        ("safety_flagged", _("Possible patient-safety incidents (received in the period)")),
        ("duplicates", _("Duplicates, left out of the other figures (received in the period)")),
    ):
        table_rows.append(
            {
                "figure": label,
                "current": flags_now[key],
                "previous": flags_before[key],
                "change": _change(flags_now[key], flags_before[key]),
            }
        )
    table_rows.append({"figure": _("Overdue now"), "current": figures["overdue_now"], "previous": None, "change": None})
    return Table(
        "summary",
        _("Key figures"),
        [
            Column("figure", _("Figure")),
            Column("current", _("This period")),
            Column("previous", _("Previous period")),
            Column("change", _("Change")),
        ],
        table_rows,
        description=_("Previous period: the same length just before, for comparison."),
    )


def _series_columns(first):
    return [
        first,
        Column("received", _("Received")),
        Column("taken_in_charge", _("Taken in charge")),
        Column("answered", _("Answered")),
        Column("closed", _("Closed")),
        Column("open_at_end", _("Open at the end")),
    ]


def monthly_table(stats):
    rows = stats.monthly()
    for row in rows:
        row["month"] = f"{row['bucket']:%Y-%m}"
        row["month_label"] = date_format(row["bucket"], "M Y")
    return Table("monthly", _("Month by month"), _series_columns(Column("month", _("Month"), "month_label")), rows)


def yearly_table(stats):
    rows = stats.yearly()
    for row in rows:
        row["year"] = row["bucket"].year
    return Table(
        "yearly",
        _("Year by year"),
        _series_columns(Column("year", _("Year"))),
        rows,
        description=_("Every year with complaints, with the same filters; not limited to the period."),
    )


def _shares(rows):
    total = sum(row["received"] for row in rows)
    for row in rows:
        row["share"] = share(row["received"], total)
    return rows


def _count_columns(first):
    return [first, Column("received", _("Received")), Column("share", _("Share (%)"))]


LEVELS = {0: _("Macro-category"), 1: _("Sub-category")}


def category_table(stats):
    entries = stats.by_category()
    total = sum(count for category, level, count in entries if level == 0)
    rows = []
    for category, level, count in entries:
        name = category.label()  # a sub-category reads "Macro › Sub"
        own = Labelled.label(category)
        if not category.is_active:
            name = _("%(name)s (no longer in use)") % {"name": name}
            own = _("%(name)s (no longer in use)") % {"name": own}
        rows.append(
            {
                "category": name,
                # On screen a sub-category sits indented under its macro-category.
                "category_label": name if level == 0 else f"› {own}",
                "level": str(LEVELS[level]),
                "received": count,
                "share": share(count, total),
            }
        )
    return Table(
        "categories",
        _("By category"),
        [Column("category", _("Category"), "category_label"), Column("level", _("Level"))] + _count_columns(None)[1:],
        rows,
        description=_("Complaints received in the period; sub-categories are also counted in their macro-category."),
    )


def category_month_table(stats):
    cells, macros = stats.macro_category_by_month()
    months = stats.period.months()
    columns = [Column("category", _("Macro-category"))]
    columns += [Column(f"{month:%Y-%m}", date_format(month, "M Y")) for month in months]
    columns.append(Column("total", _("Total")))
    rows = []
    for macro in macros:
        counts = cells.get(macro.pk, {})
        row = {"category": macro.label()}
        row.update({f"{month:%Y-%m}": counts.get(month, 0) for month in months})
        row["total"] = sum(counts.values())
        rows.append(row)
    return Table("category_months", _("Macro-categories month by month"), columns, rows)


def service_table(stats):
    rows = [
        {"service": service.label() if service else str(_("No service given")), "received": count}
        for service, count in stats.by_service()
    ]
    return Table("services", _("By service"), _count_columns(Column("service", _("Service"))), _shares(rows))


def _choice_table(stats, name, title, field, choices, heading):
    rows = [{"value": str(label), "received": count} for value, label, count in stats.by_choice(field, choices)]
    return Table(name, title, _count_columns(Column("value", heading)), _shares(rows))


def channel_table(stats):
    return _choice_table(stats, "channels", _("By channel"), "channel", Channel.choices, _("Channel"))


def outcome_table(stats):
    choices = [("", _("Not closed"))] + list(Outcome.choices)
    return _choice_table(stats, "outcomes", _("By outcome"), "outcome", choices, _("Outcome"))


def closed_outcome_table(stats):
    rows = [{"value": str(label), "closed": count} for value, label, count in stats.closed_by_outcome()]
    total = sum(row["closed"] for row in rows)
    for row in rows:
        row["share"] = share(row["closed"], total)
    return Table(
        "closed_outcomes",
        _("Outcomes of the complaints closed in the period"),
        [Column("value", _("Outcome")), Column("closed", _("Closed")), Column("share", _("Share (%)"))],
        rows,
        description=_("Counted by the month they were closed in, whenever they were received."),
    )


def outcome_month_table(stats):
    columns = [Column("month", _("Month closed"), "month_label")]
    columns += [Column(value, label) for value, label in Outcome.choices]
    columns.append(Column("total", _("Total")))
    rows = []
    for month, counts in stats.outcomes_by_month_closed():
        row = {"month": f"{month:%Y-%m}", "month_label": date_format(month, "M Y")}
        row.update({value: counts.get(value, 0) for value, _label in Outcome.choices})
        row["total"] = sum(counts.values())
        rows.append(row)
    totals = {"month": str(_("Total")), "month_label": str(_("Total"))}
    totals.update({column.key: sum(row[column.key] for row in rows) for column in columns[1:]})
    return Table(
        "outcome_months",
        _("Outcomes month by month, by the month closed"),
        columns,
        rows + [totals],
        description=_("For a year: the twelve months the authority asks for, each outcome in its column."),
    )


def state_table(stats):
    return _choice_table(stats, "states", _("By state today"), "status", Status.choices, _("State"))


TABLES = {
    "summary": summary_table,
    "monthly": monthly_table,
    "yearly": yearly_table,
    "categories": category_table,
    "category_months": category_month_table,
    "services": service_table,
    "channels": channel_table,
    "outcomes": outcome_table,
    "closed_outcomes": closed_outcome_table,
    "outcome_months": outcome_month_table,
    "states": state_table,
}


def all_tables():
    """The core's tables, then those that features add through the hook
    `register_complaint_statistics_tables` (a function returning {name: builder})."""
    from wagtail import hooks

    tables = dict(TABLES)
    for hook in hooks.get_hooks("register_complaint_statistics_tables"):
        tables.update(hook())
    return tables


def build(name, stats):
    return all_tables()[name](stats)


def build_all(stats):
    return [builder(stats) for builder in all_tables().values()]

