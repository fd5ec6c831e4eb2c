"""The public complaints report page: the regulations' figures for a year, the same as the statistics
screen's, small groups merged into "other", no names or texts; and the annual workbook's sections."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import Site

from wagtail_complaints.learning.models import ActionState, BodyKind, ComplaintsReportPage, ImprovementAction, Referral, SecondLevelBody
from wagtail_complaints.learning.report import merge_small_groups
from wagtail_complaints.models import Category, Service
from wagtail_complaints.stats import rollups

from .test_stats import at, build

YEAR = timezone.localdate().year - 1  # the page's default: the last full year


@pytest.fixture
def report_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = root.add_child(instance=ComplaintsReportPage(title="Complaints report", slug="complaints-report"))
    page.save_revision().publish()
    return page


@pytest.fixture
def year_of_complaints(db):
    tempi, information = Category.objects.get(name="Tempi"), Category.objects.get(name="Informazione")
    emergency, radiology = Service.objects.create(name="Pronto soccorso"), Service.objects.create(name="Radiologia")
    outcomes = ["upheld", "upheld", "upheld", "partly_upheld", "not_upheld", "not_upheld"]
    complaints = [
        build(at(YEAR, 2, 1 + n, 10), tempi, emergency if n < 5 else radiology, taken=1, answered=10 + 10 * n, closed=70, outcome=outcome)
        for n, outcome in enumerate(outcomes)
    ]
    complaints += [build(at(YEAR, 5, 2, 10), information, radiology, taken=1), build(at(YEAR, 5, 3, 10), information, None)]
    ombudsman = SecondLevelBody.objects.create(name="Difensore civico", kind=BodyKind.OMBUDSMAN)
    Referral.objects.create(complaint=complaints[4], body=ombudsman, referred_on=datetime.date(YEAR, 6, 1))
    due = datetime.date(YEAR, 9, 30)

    def action(title, **fields):
        created = ImprovementAction.objects.create(title=title, owner="Head of service", due_date=due, category=tempi, **fields)
        created.complaints.set(complaints[:2])

    action("Internal: triage", state=ActionState.DONE, done_on=datetime.date(YEAR, 9, 1), is_public=True,
           public_text="You told us you waited without news: a nurse now updates the waiting room every hour.")
    action("Internal only", state=ActionState.DONE, done_on=datetime.date(YEAR, 10, 1))
    action("Not done yet", is_public=True, public_text="Planned: more seats.")
    action("Done the year before", state=ActionState.DONE, done_on=datetime.date(YEAR - 1, 12, 1), is_public=True,
           public_text="Older improvement.")
    rollups.rebuild()  # `build` writes past the models, as a bulk load would: count it in the roll-ups
    return complaints


def test_the_page_shows_the_years_figures_merged_and_without_names(client, report_page, year_of_complaints):
    response = client.get(report_page.url)

    assert response.status_code == 200
    report = response.context["report"]
    assert response.context["year"] == YEAR
    assert (report.received, report.closed, report.well_founded, report.referred) == (8, 6, 4, 1)
    assert report.well_founded_share == 66.7
    waiting_times, information = (Category.objects.get(name=name).label() for name in ("Tempi", "Informazione"))
    assert report.categories[0] == (waiting_times, 6)
    assert report.categories[-1] == ("Other categories (fewer than 5 complaints each)", 2)  # Informazione: 2
    assert report.services == [("Pronto soccorso", 5), ("Other services (fewer than 5 complaints each)", 3)]  # Radiologia 2 + none 1
    assert report.public_actions == ["You told us you waited without news: a nurse now updates the waiting room every hour."]
    assert report.actions_done == 2
    html = response.content.decode()
    assert information not in html and "Radiologia" not in html
    for private in ("Rossi", "Maria", "maria@example.com", "pronto soccorso.", "Internal", year_of_complaints[0].reference):
        assert private not in html
    # Accessible tables: a caption and header cells with a scope on each.
    assert html.count("<caption>") == 3 and 'scope="row"' in html and 'scope="col"' in html
    assert "report.css" in html


def test_the_figures_equal_the_statistics_screens(client, viewer, report_page, year_of_complaints):
    report = client.get(report_page.url).context["report"]
    client.force_login(viewer)
    sections = {s["table"].name: s["table"] for s in client.get(reverse("wagtail_complaints_stats:index"), {"year": YEAR}).context["sections"]}

    summary = {str(row["figure"]): row["current"] for row in sections["summary"].rows}
    assert report.received == summary["Received"] and report.closed == summary["Closed"]
    assert report.on_time_share == summary["Answered within the answer-by date first given (%)"]
    outcomes = {row["value"]: row["closed"] for row in sections["closed_outcomes"].rows}
    assert report.well_founded == outcomes["Upheld"] + outcomes["Partly upheld"]
    assert report.referred == 1 and sections["second_level"].rows[-1]["referred"] == 1
    macro = {row["category"]: row["received"] for row in sections["categories"].rows if row["level"] == "Macro-category"}
    assert all(macro[label] == n for label, n in report.categories if label in macro)
    public = {row["figure"]: row["value"] for row in sections["public_report"].rows}
    assert public["Received"] == report.received and public[f"Category: {Category.objects.get(name='Tempi').label()}"] == 6
    assert [row["action"] for row in sections["you_said_we_did"].rows] == report.public_actions


def test_a_year_is_chosen_with_a_get_parameter_and_a_bad_one_shows_the_default(client, report_page, year_of_complaints):
    report_page.first_year = YEAR - 1  # before the first complaint: the editor offers it
    report_page.save_revision().publish()
    html = client.get(report_page.url).content.decode()
    assert 'method="get"' in html and f'<option value="{YEAR}" selected>' in html

    earlier = client.get(report_page.url, {"year": YEAR - 1})
    assert earlier.context["year"] == YEAR - 1 and earlier.context["report"].received == 0
    assert earlier.context["report"].public_actions == ["Older improvement."]

    for bad in ("1900", "abc", "<script>"):
        response = client.get(report_page.url, {"year": bad})
        assert response.status_code == 200 and response.context["year"] == YEAR
        assert "<script>" not in response.content.decode().split("<main")[-1]


def test_a_page_shows_its_own_sites_complaints(client, report_page, year_of_complaints):
    other = Site.objects.create(hostname="other.example", root_page_id=report_page.get_parent().pk)
    report_page.report_site = other
    report_page.save_revision().publish()

    assert client.get(report_page.url).context["report"].received == 0

    report_page.report_site, report_page.all_sites = None, True
    report_page.save_revision().publish()
    assert client.get(report_page.url).context["report"].received == 8


def test_small_groups_are_merged_into_other():
    rows = [("A", 12), ("B", 5), ("C", 4), ("D", 1), ("E", 0)]

    assert merge_small_groups(rows, "Other") == [("A", 12), ("B", 5), ("Other", 5)]
    assert merge_small_groups([("A", 3)], "Other") == [("Other", 3)]
    assert merge_small_groups([("A", 0)], "Other") == []
    # Rows without a label ("To be classified", no service given) always go to "other".
    assert merge_small_groups([("", 7), ("A", 5)], "Other") == [("A", 5), ("Other", 7)]


def test_the_annual_workbook_gains_the_same_sections(tmp_path, year_of_complaints):
    out = io.StringIO()
    call_command("complaint_report", "--year", str(YEAR), "--output-dir", str(tmp_path), "--language", "en", stdout=out)

    workbook = load_workbook(tmp_path / f"complaints-{YEAR}.xlsx")
    assert {"Referred to the second level", "Improvement actions", "Public report", "You said, we did"} <= set(workbook.sheetnames)
    public = {row[0]: row[1] for row in workbook["Public report"].iter_rows(min_row=2, values_only=True)}
    assert public["Received"] == 8 and public["Well-founded (upheld or partly upheld)"] == 4
    assert public["Referred to the second level"] == 1
    actions = [row[0] for row in workbook["You said, we did"].iter_rows(min_row=2, values_only=True)]
    assert actions == ["You told us you waited without news: a nurse now updates the waiting room every hour."]


def test_an_editor_adds_the_page_in_the_page_editor(client, django_user_model, year_of_complaints):
    from wagtail.test.utils.form_data import rich_text

    editor = django_user_model.objects.create_superuser("editor", "editor@hospital.example", "x")
    client.force_login(editor)
    home = Site.objects.get(is_default_site=True).root_page
    add_url = reverse("wagtailadmin_pages:add", args=["wagtail_complaints_learning", "complaintsreportpage", home.pk])

    form = client.get(add_url)
    response = client.post(
        add_url, {"title": "Relazione annuale", "slug": "relazione-annuale", "intro": rich_text("<p>Ogni reclamo ci aiuta.</p>"), "report_site": "", "first_year": "", "action-publish": "publish"}
    )

    assert form.status_code == 200 and response.status_code == 302
    page = ComplaintsReportPage.objects.get(slug="relazione-annuale")
    assert page.live and client.get(page.url).context["report"].received == 8


@override_settings(WAGTAIL_COMPLAINTS_REPORT_CACHE_SECONDS=0)
def test_the_number_of_queries_does_not_grow_with_the_complaints(client, report_page, year_of_complaints):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(report_page.url).status_code == 200
        return len(captured)

    queries()  # the first request fills the per-process caches (site root paths, content types)
    before = queries()
    tempi = Category.objects.get(name="Tempi")
    for day in range(1, 21):
        build(at(YEAR, 3, day, 10), tempi, Service.objects.first(), taken=1, answered=5, closed=8, outcome="upheld")

    assert queries() == before


def test_a_report_is_cached_for_a_while_then_follows_the_data(client, report_page, year_of_complaints):
    from django.core.cache import cache

    assert client.get(report_page.url).context["report"].received == 8
    build(at(YEAR, 4, 1, 10), Category.objects.get(name="Tempi"))

    assert client.get(report_page.url).context["report"].received == 8  # from the cache
    cache.clear()
    assert client.get(report_page.url).context["report"].received == 9
