"""The report command writes the same tables as the screen, as files for the health authority."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from wagtail_complaints.stats.tables import all_tables

from .test_stats import data  # noqa: F401  (the known-answer data set)


def run(*args):
    out = io.StringIO()
    call_command("complaint_report", *args, stdout=out)
    return out.getvalue().split()


def test_annual_report_files(data, tmp_path):  # noqa: F811
    written = run("--year", "2025", "--output-dir", str(tmp_path), "--language", "en")
    assert len(written) == 1 + len(all_tables())  # the core's tables and those features add
    workbook = load_workbook(tmp_path / "complaints-2025.xlsx")
    assert len(workbook.sheetnames) == len(all_tables()) and workbook.sheetnames[0] == "Key figures"
    summary = list(workbook["Key figures"].iter_rows(values_only=True))
    assert summary[0] == ("Figure", "This period", "Previous period", "Change")
    assert summary[1] == ("Received", 5, 1, 4)
    with open(tmp_path / "complaints-2025-monthly.csv", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[0][0] == "Month" and rows[2][:3] == ["2025-02", "1", "1"]
    everything = "".join(path.read_text(encoding="utf-8-sig") for path in tmp_path.glob("*.csv"))
    assert "Rossi" not in everything and "maria@example.com" not in everything


def test_monthly_report_in_italian_and_only_csv(data, tmp_path):  # noqa: F811
    written = run("--year", "2025", "--month", "2", "--format", "csv", "--output-dir", str(tmp_path), "--language=it")
    assert all(path.endswith(".csv") and "complaints-2025-02-" in path for path in written)
    with open(tmp_path / "complaints-2025-02-summary.csv", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    assert rows[1][1:3] == ["1", "1"]


def test_last_month_and_a_range(data, tmp_path):  # noqa: F811
    written = run("--last", "month", "--format", "xlsx", "--output-dir", str(tmp_path))
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    assert written == [str(tmp_path / f"complaints-{last:%Y-%m}.xlsx")]
    written = run("--start", "2025-01-01", "--end", "2025-03-31", "--format", "xlsx", "--output-dir", str(tmp_path))
    assert written == [str(tmp_path / "complaints-2025-01-01_2025-03-31.xlsx")]
    assert load_workbook(written[0]).worksheets[0]["B2"].value == 3  # received: A B C


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "3"],
        ["--year", "2025", "--month", "13"],
        ["--start", "2025-03-01"],
        ["--start", "2025-03-01", "--end", "2025-02-01"],
        ["--last", "year", "--year", "2025"],
        ["--site", "nowhere.example"],
    ],
)
def test_bad_arguments(db, tmp_path, args):
    with pytest.raises(CommandError):
        run(*args, "--output-dir", str(tmp_path))
