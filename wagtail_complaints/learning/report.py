"""The public annual report: the figures the regulations name, from the same `Statistics` as the
statistics screen, with every group of fewer than `SMALL_GROUP` complaints merged into "other"
so that nobody can be recognised. Figures only: no complaint text, no names."""

from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Outcome
from ..stats.aggregation import Filters, Period, share
from ..stats.rolled_up import RolledUpStatistics
from .figures import action_figures, public_actions_done, referral_figures

# Groups smaller than this are merged into "other" (a common disclosure-control threshold).
SMALL_GROUP = 5
WELL_FOUNDED = (Outcome.UPHELD, Outcome.PARTLY_UPHELD)


@dataclass
class PublicReport:
    year: int
    received: int
    closed: int
    on_time_share: float | None
    well_founded: int
    well_founded_share: float | None
    referred: int
    categories: list = field(default_factory=list)  # [(label, count)], "other" last
    services: list = field(default_factory=list)
    actions_done: int = 0
    actions_done_on_time: int = 0
    public_actions: list = field(default_factory=list)  # the public wording of the actions done


def merge_small_groups(rows, other_label):
    """[(label, count)] largest first, groups under SMALL_GROUP (and empty ones, and those without a
    label) merged into one last row."""
    kept = sorted(((label, n) for label, n in rows if label and n >= SMALL_GROUP), key=lambda row: (-row[1], str(row[0])))
    merged = sum(n for label, n in rows if not label or n < SMALL_GROUP)
    if merged:
        kept.append((other_label, merged))
    return kept


def public_report(year, site=None):
    # The same figures as the statistics screen: both read the roll-ups.
    return report_for(RolledUpStatistics(Period.year(year), Filters(site=site)))


def report_for(statistics):
    """The report of any `Statistics` (the page asks for a year; the statistics screen for its period)."""
    figures = statistics.summary()["current"]
    closed_by_outcome = {value: n for value, _label, n in statistics.closed_by_outcome()}
    closed = sum(closed_by_outcome.values())
    well_founded = sum(closed_by_outcome[value] for value in WELL_FOUNDED)
    # "To be classified" is no subject: its complaints count under "other".
    categories = [
        (category.label(), n) if not category.needs_classification else ("", n)
        for category, level, n in statistics.by_category()
        if level == 0
    ]
    services = [(service.label(), n) for service, n in statistics.by_service() if service is not None]
    unknown_service = dict(statistics.by_service()).get(None, 0)
    actions = action_figures(statistics)
    return PublicReport(
        year=statistics.period.start.year,
        received=figures["received"],
        closed=figures["closed"],
        on_time_share=figures["on_time_share"],
        well_founded=well_founded,
        well_founded_share=share(well_founded, closed),
        referred=referral_figures(statistics)["complaints"],
        categories=merge_small_groups(categories, str(_("Other categories (fewer than 5 complaints each)"))),
        services=merge_small_groups(
            services + ([("", unknown_service)] if unknown_service < SMALL_GROUP else []),
            str(_("Other services (fewer than 5 complaints each)")),
        )
        + ([(str(_("No service given")), unknown_service)] if unknown_service >= SMALL_GROUP else []),
        actions_done=actions["done"],
        actions_done_on_time=actions["done_on_time"],
        public_actions=public_actions_done(statistics),
    )


def last_full_year(today=None):
    return (today or timezone.localdate()).year - 1


def offered_years(page, today=None):
    """Newest first: from the page's earliest year (or the first complaint's) to this year."""
    from django.db.models import Min

    from ..models import Complaint

    this_year = (today or timezone.localdate()).year
    first = page.first_year
    if first is None:
        received = Complaint.objects.aggregate(first=Min("received_at"))["first"]
        first = timezone.localtime(received).year if received else last_full_year(today)
    first = min(first, last_full_year(today))
    return list(range(this_year, first - 1, -1))


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


def report_site(page, request):
    if page.all_sites:
        return None
    return page.report_site or page.get_site()


def cache_seconds():
    """How long a report is kept in the cache (setting WAGTAIL_COMPLAINTS_REPORT_CACHE_SECONDS, default
    ten minutes): the page is public, and its figures are a year's aggregates."""
    from django.conf import settings

    return getattr(settings, "WAGTAIL_COMPLAINTS_REPORT_CACHE_SECONDS", 600)


def cached_report(year, site):
    from django.core.cache import cache
    from django.utils.translation import get_language

    seconds = cache_seconds()
    if not seconds:
        return public_report(year, site)
    key = f"wagtail_complaints_learning:report:{site.pk if site else 'all'}:{year}:{get_language()}"
    report = cache.get(key)
    if report is None:
        report = public_report(year, site)
        cache.set(key, report, seconds)
    return report


def report_context(page, request):
    years = offered_years(page)
    default = last_full_year()
    form = YearForm(request.GET if "year" in request.GET else None, years=years, initial={"year": default})
    # A year that is not offered (edited by hand) shows the default year, never an error page.
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else default
    if form.is_bound and not form.is_valid():
        form = YearForm(initial={"year": default}, years=years)
    return {
        "report": cached_report(year, report_site(page, request)),
        "year_form": form,
        "year": year,
        "is_current_year": year == timezone.localdate().year,
        "small_group": SMALL_GROUP,
    }
