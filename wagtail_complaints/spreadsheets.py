"""Spreadsheet cells that stay text: no formula injection through what patients or admins typed.

A cell starting with = + - @, a tab or a carriage return is run as a formula by Excel and
LibreOffice (`=HYPERLINK(...)`, `=cmd|...`). OWASP's remedy: prefix it with a single quote.
"""

import csv

from wagtail.admin.views.mixins import Echo

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(worksheet, value):
    """A write-only workbook cell that openpyxl never turns into a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


class SafeCSVExportMixin:
    """For views with Wagtail's SpreadsheetExportMixin: every CSV cell, headings included."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return neutralise(value) if export_format == self.FORMAT_CSV else value

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
        yield writer.writerow({field: neutralise(self.get_heading(queryset, field)) for field in self.list_export})
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))
