"""The regional view: the key figures of each hospital side by side, for a reader of several.

Each row is the hospital's own `Statistics.summary()` under the same period and filters, so the
rows add up to the regional figures by construction; a region has a handful of sites, and each
summary is a couple of grouped queries.
"""

import functools
from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from .aggregation import share
from .tables import Column, Table

# (summary key, column heading): counts that add up across hospitals, then the on-time share.
FIGURES = [
    ("received", _("Received")),
    ("closed", _("Closed")),
    ("open_at_end", _("Open at the end of the period")),
    ("on_time_share", _("Answered within the answer-by date first given (%)")),
]


class CountsOnly:
    """A hospital's summary without the response-time percentiles, which this table does not show
    and which cost the most to compute; mixed into the reader's own kind of `Statistics`."""

    def response_times(self):
        return {"current": {}, "previous": {}}


@functools.cache
def counts_only(kind):
    """`kind` of statistics (live or rolled up) without the percentiles; one class per kind."""
    return type("CountsOnly", (CountsOnly, kind), {})


def site_name(site):
    return site.site_name or site.hostname


def summaries_by_site(statistics, sites):
    """[(site, summary)] for each of `sites`, under `statistics`' period and filters."""
    kind = counts_only(type(statistics))  # the roll-ups for the screen, the live figures for a live reader
    return [
        (site, kind(statistics.period, replace(statistics.filters, site=site), today=statistics.today).summary())
        for site in sites
    ]


def site_table(statistics, sites):
    rows = []
    for site, figures in summaries_by_site(statistics, sites):
        current = figures["current"]
        row = {"site": site_name(site), **{key: current[key] for key, _label in FIGURES}}
        row["overdue_now"] = figures["overdue_now"]
        rows.append(row)
    total = sum(row["received"] for row in rows)
    for row in rows:
        row["share"] = share(row["received"], total)
    columns = [Column("site", _("Hospital")), Column("received", _("Received")), Column("share", _("Share (%)"))]
    columns += [Column(key, label) for key, label in FIGURES[1:]]
    columns.append(Column("overdue_now", _("Overdue now")))
    return Table(
        "sites",
        _("By hospital"),
        columns,
        rows,
        description=_("Each hospital's own figures for the period, under the same filters."),
    )
