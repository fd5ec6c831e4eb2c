"""Write the monthly or annual statistics report as files, e.g. for a scheduled job that sends
them to the health authority:

    manage.py complaint_report --last month --output-dir /srv/reports
    manage.py complaint_report --year 2025 --month 3
    manage.py complaint_report --start 2025-01-01 --end 2025-06-30 --format csv

One XLSX workbook with a sheet per table, and one CSV file per table. Aggregates only: the files
carry no personal data.
"""

import csv
import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from wagtail.models import Site

from ...stats import tables as stats_tables
from ...stats.aggregation import Filters, Period
from ...stats.rolled_up import RolledUpStatistics
from ...spreadsheets import neutralise, xlsx_cell

FORMATS = ("xlsx", "csv")


def cell(value):
    """Numbers stay numbers; labels (lazy translations included) become text."""
    if value is None or isinstance(value, (int, float)):
        return value
    return str(value)


def table_rows(table):
    yield [str(column.label) for column in table.columns]
    for row in table.rows:
        yield [cell(row.get(column.key)) for column in table.columns]


def write_workbook(tables, path):
    from openpyxl import Workbook  # a Wagtail dependency

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=str(table.title)[:31])  # Excel's limit
        for row in table_rows(table):
            sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(path)


def write_csv(table, path):
    with open(path, "w", newline="", encoding="utf-8-sig") as file:  # the BOM makes Excel read UTF-8
        csv.writer(file).writerows([neutralise(value) for value in row] for row in table_rows(table))


class Command(BaseCommand):
    help = "Write the complaint statistics for a month, a year or a range of dates as XLSX and CSV files."

    def add_arguments(self, parser):
        parser.add_argument("--last", choices=["month", "year"], help="The last complete month or year.")
        parser.add_argument("--year", type=int, help="A calendar year (with --month: a month of it).")
        parser.add_argument("--month", type=int, help="A month of --year, 1-12.")
        parser.add_argument("--start", type=datetime.date.fromisoformat, help="First day of a range (YYYY-MM-DD).")
        parser.add_argument("--end", type=datetime.date.fromisoformat, help="Last day of a range (YYYY-MM-DD).")
        parser.add_argument("--site", help="Only this site (hostname or id); default: all sites.")
        parser.add_argument("--output-dir", default=".", help="Where to write the files (default: here).")
        parser.add_argument("--format", nargs="+", choices=FORMATS, default=list(FORMATS), dest="formats")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="Language of the headings.")

    def handle(self, *args, **options):
        period = self.period(options)
        filters = Filters(site=self.site(options["site"]))
        output = Path(options["output_dir"])
        output.mkdir(parents=True, exist_ok=True)
        with translation.override(options["language"]):
            tables = stats_tables.build_all(RolledUpStatistics(period, filters))
            written = []
            base = f"complaints-{period.slug()}"
            if options["site"]:
                base += f"-{filters.site.hostname}"
            if "xlsx" in options["formats"]:
                written.append(output / f"{base}.xlsx")
                write_workbook(tables, written[-1])
            if "csv" in options["formats"]:
                for table in tables:
                    written.append(output / f"{base}-{table.name}.csv")
                    write_csv(table, written[-1])
        for path in written:
            self.stdout.write(str(path))

    def period(self, options):
        given = [name for name in ("last", "year", "start") if options[name]]
        if len(given) > 1:
            raise CommandError("Give one of --last, --year or --start/--end.")
        try:
            if options["last"]:
                first_of_month = timezone.localdate().replace(day=1)
                if options["last"] == "year":
                    return Period.year(first_of_month.year - 1)
                last_month = first_of_month - datetime.timedelta(days=1)
                return Period.month(last_month.year, last_month.month)
            if options["start"] or options["end"]:
                if not (options["start"] and options["end"]):
                    raise CommandError("Give both --start and --end.")
                return Period(options["start"], options["end"])
            if options["month"] and not options["year"]:
                raise CommandError("--month needs --year.")
            year = options["year"] or timezone.localdate().year
            return Period.month(year, options["month"]) if options["month"] else Period.year(year)
        except ValueError as error:
            raise CommandError(f"Not a valid period: {error}") from error

    def site(self, value):
        if not value:
            return None
        site = Site.objects.filter(pk=int(value)).first() if value.isdigit() else None
        site = site or Site.objects.filter(hostname=value).first()
        if site is None:
            raise CommandError(f"No site {value!r}.")
        return site
