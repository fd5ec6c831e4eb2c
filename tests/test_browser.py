"""A patient files a complaint in a real browser (Debian's Chromium through Playwright):
on a phone-sized screen, with JavaScript off, finding every field by its label."""

import os
import shutil

import pytest

from wagtail_complaints.models import Category, Complaint, Service

from .factories import make_form_page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (make test installs it in CI)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test still talks to the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def form_url(live_server):
    Service.objects.create(name="Pronto soccorso")
    return live_server.url + make_form_page().url


def test_a_complaint_filed_on_a_phone_without_javascript(browser, form_url):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="it-IT")
    page = context.new_page()
    page.goto(form_url)

    # Sending an empty form: a summary of the errors, each linked to its field.
    page.get_by_role("button", name="Send my complaint").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() >= 5

    # Every field is found by its label, as a screen reader would.
    page.get_by_label("What is your complaint about?").select_option(label="Waiting times")
    page.get_by_label("Which service or ward?").select_option(label="Pronto soccorso")
    page.get_by_label("What happened?").fill("Ho atteso sei ore senza notizie.")
    page.get_by_label("First name").fill("Maria")
    page.get_by_label("Last name").fill("Rossi")
    page.get_by_role("textbox", name="E-mail").fill("maria@example.com")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Send my complaint").click()

    complaint = Complaint.objects.get()
    assert page.locator(".wc-reference").inner_text() == complaint.reference
    assert complaint.category == Category.objects.get(name="Tempi")
    context.close()


def test_the_form_fits_a_phone_screen_and_is_labelled(browser, form_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(form_url)
    assert page.locator("html").get_attribute("lang")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Every visible control has an accessible name.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('form input, form select, form textarea')]
            .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden=true]'))
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name)"""
    )
    assert unlabelled == []
    # The error summary takes the keyboard to the field.
    page.get_by_role("button", name="Send my complaint").click()
    page.locator("#error-summary a[href='#id_first_name']").click()
    assert page.evaluate("document.activeElement.id") == "id_first_name"
    context.close()
