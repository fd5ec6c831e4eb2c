"""The learning app in a real browser (Debian's chromium, axe-core WCAG 2.1 AA): the public report page
of the demo in Italian, English and Spanish, on a phone and a desktop, with and without JavaScript and
in print; and a handler referring a closed complaint and recording an improvement action.

Fixtures and checks come from test_browser.py; like it, this skips where Chromium or axe is missing.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions
from wagtail_complaints.learning.models import ImprovementAction, Referral, SecondLevelBody

from .factories import make_complaint, make_operator
from .test_browser import DESKTOP, PHONE, Visit, _missing, browser, log_in  # noqa: F401 (fixture)

if _missing():
    pytestmark = pytest.mark.skip(reason=_missing())
else:
    pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPORT_URLS = {"it": "/relazione-reclami/", "en": "/en/complaints-report/", "es": "/es/informe-reclamaciones/"}
HEADINGS = {"it": "Relazione sui reclami", "en": "Complaints report", "es": "Informe de reclamaciones"}


def san_luca(live_server):
    """The live server as San Luca's address: the demo answers at `localhost` as its second hospital."""
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


@pytest.fixture
def demo(settings):
    settings.LANGUAGE_CODE = "it"  # the demo hospital's main language, as in `make demo`
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo_complaints", count=200, stdout=open("/dev/null", "w"))


@pytest.mark.parametrize("language", ["it", "en", "es"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_demo_report_page_is_accessible(browser, live_server, demo, language, viewport):  # noqa: F811
    visit = Visit(browser, f"report-{language}-{'phone' if viewport is PHONE else 'desktop'}", viewport, locale=language)
    page = visit.page
    this_year = timezone.localdate().year

    page.goto(san_luca(live_server) + REPORT_URLS[language] + f"?year={this_year}")
    assert HEADINGS[language] in page.locator("h1").inner_text()
    assert page.locator("table caption").count() == 3
    visit.check("report")

    page.emulate_media(media="print")
    assert not page.locator("form.wc-report__choose").is_visible()
    visit.check("print", axe=False)  # the same document: axe has checked it
    visit.close()


def test_the_year_is_chosen_without_javascript(browser, live_server, demo):  # noqa: F811
    visit = Visit(browser, "report-no-js", PHONE, locale="en", java_script_enabled=False)
    page = visit.page
    this_year = timezone.localdate().year

    page.goto(san_luca(live_server) + REPORT_URLS["en"])
    assert str(this_year - 1) in page.locator("h1").inner_text()  # the last full year by default
    page.locator("[name=year]").select_option(str(this_year))
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert str(this_year) in page.locator("h1").inner_text() and f"year={this_year}" in page.url
    visit.check("chosen-year", axe=False)  # axe needs JavaScript: the runs above check the page
    visit.close()


def test_a_handler_refers_a_closed_complaint_and_adds_an_action(browser, live_server):  # noqa: F811
    handler = make_operator("handler").user
    complaint = make_complaint()
    actions.take_in_charge(complaint, handler)
    actions.answer(complaint, handler, "Abbiamo verificato con il reparto.")
    actions.close(complaint, handler, "not_upheld")
    SecondLevelBody.objects.create(name="Difensore civico regionale", kind="ombudsman")
    visit = Visit(browser, "learning-handler-desktop", DESKTOP, locale="en")
    page = visit.page
    log_in(page, live_server, handler)

    page.goto(live_server.url + reverse("wagtail_complaints:inspect", args=[complaint.pk]))
    visit.check("closed-complaint")
    with page.expect_navigation():
        page.get_by_role("link", name="Refer to a second-level body").click()
    visit.check("refer-form")
    page.locator("[name=body]").select_option(label="Difensore civico regionale")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the referral").click()
    assert Referral.objects.filter(complaint=complaint).exists()

    with page.expect_navigation():
        page.get_by_role("link", name="Add an improvement action").click()
    visit.check("action-form")
    page.locator("[name=title]").fill("Clearer signs to the emergency department")
    page.locator("[name=owner]").fill("Technical office")
    page.locator("[name=due_date]").fill((timezone.localdate() + datetime.timedelta(days=30)).strftime("%Y-%m-%d"))
    with page.expect_navigation():
        page.get_by_role("button", name="Create", exact=True).click()
    assert ImprovementAction.objects.get().complaints.get() == complaint
    page.goto(live_server.url + reverse("wagtail_complaints_learning_actions:index"))
    visit.check("actions-list")
    visit.close()
