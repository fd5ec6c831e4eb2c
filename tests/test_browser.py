"""The journeys in a real browser (Debian's Chromium through Playwright), against the example
site on a live server: a patient with the keyboard only, a handler, a viewer; on a phone and a
desktop screen, in Italian, English and Spanish; axe-core (WCAG 2.0/2.1 A and AA) on every
screen and state; a screenshot of each step in artifacts/screenshots/.

The suite skips where Chromium or axe-core is missing, except with WC_REQUIRE_BROWSER=1 (CI),
where it fails instead.
"""

import io
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale

from wagtail_complaints import actions
from wagtail_complaints.models import AnswerTemplate, Category, Complaint, Message, Service

from .factories import make_complaint, make_form_page, make_operator

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = Path(os.environ.get("WC_AXE_JS", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
REQUIRED = os.environ.get("WC_REQUIRE_BROWSER") == "1"

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What each journey's words are in each language (the page's own translations).
WORDS = {
    "it": {"send": "Invia il reclamo", "follow": "Segui il tuo reclamo", "reply": "Invia il messaggio"},
    "en": {"send": "Send my complaint", "follow": "Follow your complaint", "reply": "Send my message"},
    "es": {"send": "Enviar mi reclamación", "follow": "Seguir su reclamación", "reply": "Enviar mi mensaje"},
}


def _missing():
    if not os.path.exists(CHROMIUM):
        return "Debian's chromium is not installed (make browsers)"
    if not AXE_JS.exists():
        return f"axe-core is not installed at {AXE_JS} (make axe)"
    return None


if _missing():
    if REQUIRED:
        pytest.fail(_missing(), pytrace=False)
    pytestmark = pytest.mark.skip(reason=_missing())
else:
    pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
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

FINISH_ANIMATIONS = """() => document.getAnimations().forEach(animation => {
    if (animation.effect && animation.effect.getComputedTiming().endTime !== Infinity) animation.finish();
})"""

# The admin's messages appear once its JavaScript marks the page ready (an opacity transition).
MESSAGES_SHOWN = """() => [...document.querySelectorAll('.messages > ul')].every(
    list => getComputedStyle(list).opacity === '1'
)"""


class Visit:
    """One browser tab with the checks every step makes: no CSP violation, no 403, axe, a screenshot."""

    def __init__(self, browser, name, viewport, locale="it-IT", java_script_enabled=True):
        self.context = browser.new_context(viewport=viewport, locale=locale, java_script_enabled=java_script_enabled)
        # axe-core arrives as an init script (not a <script> of the page), so the page's CSP
        # stays in force and still reports any violation of its own.
        self.context.add_init_script(path=str(AXE_JS))
        # A loaded CI machine serves the admin's many assets slowly.
        self.context.set_default_timeout(120_000)
        self.page = self.context.new_page()
        self.name = name
        self.step = 0
        self.csp_violations = []
        self.forbidden = []
        self.page.on("console", self._console)
        self.page.on("response", lambda response: response.status == 403 and self.forbidden.append(response.url))
        self.folder = SCREENSHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def check(self, label, axe=True):
        """Screenshot the step, and assert the page is accessible and kept its policy."""
        self.step += 1
        # Wagtail's messages fade in: axe measures colours mid-fade unless finite animations are finished first.
        self.page.evaluate(FINISH_ANIMATIONS)
        self.page.wait_for_function(MESSAGES_SHOWN, timeout=10_000)
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{label}.png"), full_page=True)
        assert self.csp_violations == [], self.csp_violations
        assert self.forbidden == [], f"403 on {self.forbidden}"
        if axe:
            violations = run_axe(self.page)
            assert violations == [], f"{label}: {violations}"

    def close(self):
        self.context.close()


def run_axe(page):
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
    ]


def focus_ring(page):
    """The focused element's outline: colour contrast against white, and width in pixels."""
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return {color: s.outlineColor, width: parseFloat(s.outlineWidth), style: s.outlineStyle}; }"""
    )
    return contrast_with_white(style["color"]), style["width"], style["style"]


def contrast_with_white(css_color):
    r, g, b = (int(x) for x in re.findall(r"\d+", css_color)[:3])

    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def tab_to(page, name, limit=80):
    """Press Tab until the field called `name` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            return
    raise AssertionError(f"{name} cannot be reached with the Tab key")


def choose_with_arrows(page, value, limit=40):
    """In the focused <select>, press ArrowDown until `value` is chosen."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.value") == str(value):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} cannot be chosen with the arrow keys")


def form_page_in(language):
    """The complaint form page in `language` (the default page is English in the tests)."""
    page = make_form_page()
    if language == "en":
        return page
    copy = page.copy_for_translation(locale=Locale.objects.get_or_create(language_code=language)[0], copy_parents=True)
    copy.save_revision().publish()
    return type(page).objects.get(pk=copy.pk)


def private_link_from_mail(live_server, complaint):
    patient_mail = [m for m in mail.outbox if m.to == [complaint.email]]
    assert patient_mail, "no e-mail to the patient"
    link = re.search(r"https?://\S+?/complaints/[0-9a-f]{64}/", patient_mail[0].body).group(0)
    return live_server.url + urlsplit(link).path


@pytest.mark.parametrize(
    "language, viewport",
    [("it", PHONE), ("en", DESKTOP), ("es", PHONE)],
    ids=["it-phone", "en-desktop", "es-phone"],
)
def test_a_patient_files_and_follows_a_complaint_with_the_keyboard(browser, live_server, language, viewport):
    Service.objects.create(name="Pronto soccorso")
    form_page = form_page_in(language)
    words = WORDS[language]
    visit = Visit(browser, f"patient-{language}-{'phone' if viewport is PHONE else 'desktop'}", viewport, locale=language)
    page = visit.page
    page.goto(live_server.url + form_page.url)
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    visit.check("form")

    # A failed submit: the error summary takes focus; it is accessible too.
    tab_to(page, "privacy_accepted")
    page.keyboard.press("Tab")  # the honeypot is out of the tab order: next is the button
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    visit.check("errors")

    # Every field, with the keyboard only; the focus ring is visible on white, the date field's too.
    tab_to(page, "category")
    choose_with_arrows(page, Category.objects.get(name="Tempi").pk)
    contrast, width, style = focus_ring(page)
    assert contrast >= 3 and width >= 2 and style != "none"
    tab_to(page, "service")
    choose_with_arrows(page, Service.objects.get().pk)
    tab_to(page, "description")
    page.keyboard.type("Ho atteso sei ore senza notizie.")
    tab_to(page, "event_date")
    contrast, width, style = focus_ring(page)
    assert contrast >= 3 and width >= 2 and style != "none"
    # Tab through the date's parts to its calendar button: the ring stays on the field.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") != "event_date":
            break
        assert focus_ring(page)[0] >= 3
    tab_to(page, "first_name")
    page.keyboard.type("Maria")
    tab_to(page, "last_name")
    page.keyboard.type("Rossi")
    tab_to(page, "email")
    page.keyboard.type("maria@example.com")
    tab_to(page, "privacy_accepted")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    complaint = Complaint.objects.get()
    assert page.locator(".wc-reference").inner_text() == complaint.reference
    assert complaint.language == language
    visit.check("received")

    # From the confirmation page to the private page, with the keyboard.
    page.get_by_role("link", name=words["follow"]).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/complaints/[0-9a-f]{64}/$"))
    visit.check("private-page")

    # The link in the e-mail opens the same page; writing to the office with a file works
    # (with no-referrer Chromium posted Origin: null and got 403).
    page.goto(private_link_from_mail(live_server, complaint))
    page.locator("[name=reply-body]").fill("Allego il referto.")
    page.locator("input[type=file][name^=reply-]").set_input_files(
        files=[{"name": "referto.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name=words["reply"]).click()
    message = Message.objects.get(body="Allego il referto.")
    assert message.attachments.count() == 1
    visit.check("replied")

    # Later: answered, closed; the patient reopens, it is closed again, the patient rates.
    handler = make_operator("handler").user
    complaint = actions.take_in_charge(Complaint.objects.get(), handler)
    complaint, _ = actions.answer(complaint, handler, "Ci scusiamo per l'attesa.")
    complaint = actions.close(complaint, handler, outcome="upheld")
    page.reload()
    visit.check("closed")
    page.locator("[name=reopen-reason]").fill("La risposta non basta.")
    with page.expect_navigation():
        page.locator("form[action$='/reopen/'] button[type=submit]").click()
    assert Complaint.objects.get().reopen_count == 1
    visit.check("reopened")

    actions.close(Complaint.objects.get(), handler, outcome="partly_upheld")
    page.reload()
    page.locator("[name=rate-rating][value='4']").check()
    with page.expect_navigation():
        page.locator("form[action$='/rate/'] button[type=submit]").click()
    assert Complaint.objects.get().rating == 4
    visit.check("rated")
    visit.close()


def test_a_patient_without_javascript_gets_focus_on_errors_and_can_withdraw(browser, live_server):
    form_page = form_page_in("en")
    visit = Visit(browser, "patient-no-js-phone", PHONE, locale="en", java_script_enabled=False)
    page = visit.page
    page.goto(live_server.url + form_page.url)
    with page.expect_navigation():
        page.get_by_role("button", name=WORDS["en"]["send"]).click()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # autofocus, no script
    visit.check("errors", axe=False)  # axe needs JavaScript: the JS runs check it

    complaint = make_complaint()
    page.goto(live_server.url + f"/complaints/{complaint.access_token}/")
    page.locator(".wc-withdraw summary").click()  # withdrawing hides behind a disclosure
    page.locator("[name=withdraw-confirm]").check()
    with page.expect_navigation():
        page.locator("form[action$='/withdraw/'] button[type=submit]").click()
    assert Complaint.objects.get(pk=complaint.pk).outcome == "withdrawn"
    visit.check("withdrawn", axe=False)
    visit.close()


def log_in(page, live_server, user):
    page.goto(live_server.url + "/admin/login/", wait_until="domcontentloaded")
    page.locator("[name=username]").fill(user.username)
    page.locator("[name=password]").fill("password")
    with page.expect_navigation():
        page.locator("form [type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_handler_takes_in_charge_answers_from_a_template_and_closes(browser, live_server, viewport):
    complaint = make_complaint()
    AnswerTemplate.objects.create(title="Scuse per l'attesa", body="Ci scusiamo per l'attesa: abbiamo parlato con il reparto.")
    handler = make_operator("handler").user
    visit = Visit(browser, f"handler-{'phone' if viewport is PHONE else 'desktop'}", viewport, locale="en")
    page = visit.page
    log_in(page, live_server, handler)
    page.goto(live_server.url + reverse("wagtail_complaints:index"))
    visit.check("inbox")

    with page.expect_navigation():
        page.get_by_role("link", name=complaint.reference).click()  # a same-origin navigation
    assert Complaint.objects.get().status == "taken_in_charge"
    visit.check("taken-in-charge")

    # The template is inserted by the answer form itself: what the handler typed stays.
    page.locator("[name=answer-body]").fill("Grazie della segnalazione.")
    page.locator("[name=answer-template]").select_option(label="Scuse per l'attesa")
    with page.expect_navigation():
        page.get_by_role("button", name="Insert the template").click()
    answer = page.locator("[name=answer-body]").input_value()
    assert answer.startswith("Grazie della segnalazione.") and "abbiamo parlato con il reparto" in answer
    with page.expect_navigation():
        page.get_by_role("button", name="Send the answer").click()
    assert Complaint.objects.get().status == "awaiting_reply"
    visit.check("answered")

    page.locator("[name=close-outcome]").select_option("upheld")
    with page.expect_navigation():
        page.get_by_role("button", name="Close the complaint").click()
    assert Complaint.objects.get().status == "closed"
    visit.check("closed")
    visit.close()


def test_a_viewer_reads_the_statistics_and_downloads_the_xlsx(browser, live_server):
    make_complaint()
    viewer = make_operator("viewer").user
    visit = Visit(browser, "viewer-desktop", DESKTOP, locale="en")
    page = visit.page
    log_in(page, live_server, viewer)
    page.goto(live_server.url + reverse("wagtail_complaints_stats:index"))
    visit.check("statistics")
    with page.expect_download() as download_info:
        page.locator("a[href*='export=xlsx']").first.click()
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert workbook.active.max_row >= 2
    visit.close()
