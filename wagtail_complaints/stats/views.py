"""The statistics screen and its per-table exports, for everyone who may view complaints."""

import datetime

from django import forms
from django.http import Http404, HttpResponseBadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column as ListingColumn
from wagtail.admin.views.generic import PermissionCheckedMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import Site
from wagtail.permission_policies import ModelPermissionPolicy

from ..models import Category, Channel, Complaint, Service
from ..permissions import sites_of, within_sites_of
from ..spreadsheets import SafeCSVExportMixin
from . import charts
from . import by_site
from . import tables as stats_tables
from .aggregation import MAX_PERIOD_DAYS, Filters, Period
from .rolled_up import RolledUpStatistics


class StatisticsForm(forms.Form):
    """The period (a year, a month of it, or any range) and the filters, all from the query string."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(
        label=_("Month"), choices=[("", _("The whole year"))], coerce=int, empty_value=None, required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All"))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False, empty_label=_("All")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["year"].initial = timezone.localdate().year
        self.fields["month"].choices = [("", _("The whole year"))] + [
            (str(n), date_format(datetime.date(2000, n, 1), "F")) for n in range(1, 13)
        ]
        # Inactive entries stay: past complaints use them.
        self.fields["category"].queryset = Category.objects.select_related("parent").prefetch_related(
            "labels", "parent__labels"
        )
        self.fields["service"].queryset = Service.objects.prefetch_related("labels")
        self.fields["channel"].choices = [("", _("All"))] + list(Channel.choices)
        # Only the hospitals the reader works on; one hospital: nothing to choose.
        self.fields["site"].queryset = within_sites_of(user, Site.objects.order_by("site_name", "hostname"), "pk")
        self.fields["site"].label = _("Hospital")
        if len(self.fields["site"].queryset) < 2:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Give both dates of the range, or neither."))
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The range ends before it starts."))
            if (end - start).days >= MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a range of at most ten years."))
        return data

    def period(self):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start"):
            return Period(data["start"], data["end"])
        year = data.get("year") or timezone.localdate().year
        if data.get("month"):
            return Period.month(year, data["month"])
        return Period.year(year)

    def filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        sites = sites_of(self.user)
        return Filters(
            site=data.get("site"),
            category=data.get("category"),
            service=data.get("service"),
            channel=data.get("channel") or "",
            sites=tuple(sites) if sites is not None else None,
        )

    def sites_compared(self):
        """The hospitals shown side by side: the reader's, unless they chose one."""
        if "site" not in self.fields or (self.is_valid() and self.cleaned_data.get("site")):
            return []
        return list(self.fields["site"].queryset)


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("wagtail_complaints.view_complaint")


def describe(period):
    if period.is_month:
        return date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.is_year:
        return str(period.start.year)
    return f"{date_format(period.start, 'SHORT_DATE_FORMAT')} – {date_format(period.end, 'SHORT_DATE_FORMAT')}"


class StatisticsAccessMixin(PermissionCheckedMixin):
    """Everyone who may view complaints (administrators, handlers, viewers), nobody else."""

    permission_policy = ModelPermissionPolicy(Complaint)
    permission_required = "view"

    @cached_property
    def form(self):
        return StatisticsForm(self.request.GET or None, user=self.request.user)

    @cached_property
    def statistics(self):
        return RolledUpStatistics(self.form.period(), self.form.filters())

    def build_tables(self):
        """Every table, with the hospitals side by side first for a reader of several."""
        sites = self.form.sites_compared()
        tables = stats_tables.build_all(self.statistics)
        if sites:
            tables.insert(1, by_site.site_table(self.statistics, sites))
        return tables

    def build_table(self, name):
        if name == "sites":
            sites = self.form.sites_compared()
            if not sites:
                raise Http404
            return by_site.site_table(self.statistics, sites)
        if name not in stats_tables.all_tables():
            raise Http404
        return stats_tables.build(name, self.statistics)

    def query_string(self, **extra):
        params = self.request.GET.copy()
        params.pop("export", None)
        for key, value in extra.items():
            params[key] = value
        return params.urlencode()


# Which chart goes with which table on the screen.
def _month_charts(table):
    labels = [date_format(row["bucket"], "M y") for row in table.rows]
    return [
        charts.bar_chart(
            "chart-monthly",
            _("Complaints received and closed, month by month"),
            _("Bar chart; the numbers are in the table beside it."),
            labels,
            [(_("Received"), [r["received"] for r in table.rows]), (_("Closed"), [r["closed"] for r in table.rows])],
        ),
        charts.line_chart(
            "chart-open",
            _("Complaints open at the end of each month"),
            _("Line chart; the numbers are in the table beside it."),
            labels,
            [(_("Open at the end"), [r["open_at_end"] for r in table.rows])],
        ),
    ]


def _year_charts(table):
    labels = [str(row["year"]) for row in table.rows]
    return [
        charts.bar_chart(
            "chart-yearly",
            _("Complaints received and closed, year by year"),
            _("Bar chart; the numbers are in the table beside it."),
            labels,
            [(_("Received"), [r["received"] for r in table.rows]), (_("Closed"), [r["closed"] for r in table.rows])],
        )
    ]


def _breakdown_chart(label_key, value_key="received"):
    def chart(table):
        rows = [r for r in table.rows if label_key != "category" or r["level"] == str(stats_tables.LEVELS[0])]
        return [
            charts.horizontal_bar_chart(
                f"chart-{table.name}",
                table.title,
                _("Bar chart; the numbers are in the table beside it."),
                [str(r[label_key]) for r in rows],
                [r[value_key] for r in rows],
            )
        ]

    return chart


CHARTS = {
    "monthly": _month_charts,
    "yearly": _year_charts,
    "categories": _breakdown_chart("category"),
    "services": _breakdown_chart("service"),
    "channels": _breakdown_chart("value"),
    "outcomes": _breakdown_chart("value"),
    "closed_outcomes": _breakdown_chart("value", "closed"),
    "states": _breakdown_chart("value"),
    "sites": _breakdown_chart("site"),
}


class StatisticsView(StatisticsAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_complaints/stats/index.html"
    page_title = _("Complaint statistics")
    header_icon = "table"

    def get_page_subtitle(self):
        return describe(self.statistics.period)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statistics = self.statistics
        sections = []
        for table in self.build_tables():
            url = reverse("wagtail_complaints_stats:table", args=[table.name])
            sections.append(
                {
                    "table": table,
                    "rows": [[row.get(column.shown) for column in table.columns] for row in table.rows],
                    "charts": CHARTS.get(table.name, lambda table: [])(table),
                    "xlsx_url": f"{url}?{self.query_string(export='xlsx')}",
                    "csv_url": f"{url}?{self.query_string(export='csv')}",
                }
            )
        period_names = ("year", "month", "start", "end")
        context.update(
            form=self.form,
            period_fields=[self.form[name] for name in period_names],
            filter_fields=[field for field in self.form if field.name not in period_names],
            period=statistics.period,
            period_label=describe(statistics.period),
            previous_label=describe(statistics.previous),
            sections=sections,
            safety_and_duplicates=statistics.safety_and_duplicates(),
        )
        return context


class StatisticsTableView(SafeCSVExportMixin, StatisticsAccessMixin, ReportView):
    """One statistics table as a Wagtail report, downloadable as XLSX or CSV (?export=xlsx|csv)."""

    paginate_by = None
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["table"] not in stats_tables.all_tables() and kwargs["table"] != "sites":
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.form.is_bound and not self.form.is_valid():
            errors = " ".join(str(e) for errors in self.form.errors.values() for e in errors)
            return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
        return super().get(request, *args, **kwargs)

    @cached_property
    def table(self):
        return self.build_table(self.kwargs["table"])

    @property
    def list_export(self):
        return [column.key for column in self.table.columns]

    @property
    def export_headings(self):
        return {column.key: column.label for column in self.table.columns}

    @property
    def columns(self):
        return [ListingColumn(column.shown, label=column.label) for column in self.table.columns]

    def get_queryset(self):
        return self.table.rows

    def get_filename(self):
        return f"complaints-{self.table.name}-{self.statistics.period.slug()}"

    def get_page_title(self):
        return self.table.title

    def get_page_subtitle(self):
        return describe(self.statistics.period)

    def get_breadcrumbs_items(self):
        index = reverse("wagtail_complaints_stats:index")
        return self.breadcrumbs_items + [
            {"url": f"{index}?{self.query_string()}", "label": _("Complaint statistics")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]
