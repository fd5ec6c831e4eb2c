"""The learning figures as statistics tables: shown on the statistics screen and written by `complaint_report`."""

from django.utils.translation import gettext_lazy as _

from ..stats.tables import Column, Table
from .figures import action_figures, referral_figures
from .models import BodyKind, Decision


def second_level_table(statistics):
    figures = referral_figures(statistics)
    rows = []
    for kind, label in BodyKind.choices:
        counts = figures["by_kind"][kind]
        rows.append({"body": str(label), **counts})
    totals = {"body": str(_("Total"))}
    totals.update({key: sum(row[key] for row in rows) for key in ["referred", *Decision.values]})
    columns = [Column("body", _("Second-level body")), Column("referred", _("Referred"))]
    columns += [Column(value, label) for value, label in Decision.choices]
    return Table(
        "second_level",
        _("Referred to the second level"),
        columns,
        rows + [totals],
        description=_(
            "Closed complaints taken to a second-level body in the period (by the date referred), and its decisions. "
            "Complaints referred: %(count)s."
        )
        % {"count": figures["complaints"]},
    )


def improvement_table(statistics):
    figures = action_figures(statistics)
    rows = [
        ("complaints_with_action", _("Complaints received in the period that led to an improvement action")),
        ("complaints_with_action_share", _("Share of the complaints received (%)")),
        ("done", _("Improvement actions done in the period")),
        ("done_on_time", _("Done by their due date")),
        ("done_on_time_share", _("Done by their due date (%)")),
        ("open_now", _("Planned or in progress now")),
        ("overdue_now", _("Overdue now")),
    ]
    return Table(
        "improvement_actions",
        _("Improvement actions"),
        [Column("figure", _("Figure")), Column("value", _("This period"))],
        [{"figure": str(label), "value": figures[key]} for key, label in rows],
        description=_("Actions of the whole organisation count for every site."),
    )


def public_report_table(statistics):
    """The public report's figures for the same period and site, small groups merged as the page shows them."""
    from .report import report_for

    report = report_for(statistics)
    rows = [
        (_("Received"), report.received),
        (_("Closed"), report.closed),
        (_("Answered on time (%)"), report.on_time_share),
        (_("Well-founded (upheld or partly upheld)"), report.well_founded),
        (_("Well-founded (% of those closed)"), report.well_founded_share),
        (_("Referred to the second level"), report.referred),
        (_("Improvement actions done"), report.actions_done),
    ]
    rows += [(_("Category: %(name)s") % {"name": label}, n) for label, n in report.categories]
    rows += [(_("Service: %(name)s") % {"name": label}, n) for label, n in report.services]
    return Table(
        "public_report",
        _("Public report"),
        [Column("figure", _("Figure")), Column("value", _("This period"))],
        [{"figure": str(label), "value": value} for label, value in rows],
        description=_("What the public complaints report page shows: groups of fewer than 5 complaints are merged."),
    )


def public_actions_table(statistics):
    from .figures import public_actions_done

    return Table(
        "you_said_we_did",
        _("You said, we did"),
        [Column("action", _("Improvement action done"))],
        [{"action": text} for text in public_actions_done(statistics)],
        description=_("The public wording of the improvement actions done in the period and marked public."),
    )


TABLES = {
    "second_level": second_level_table,
    "improvement_actions": improvement_table,
    "public_report": public_report_table,
    "you_said_we_did": public_actions_table,
}
