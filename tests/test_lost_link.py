""""Send me my link again" on the complaint form page (issue 16b): the same answer whether or not
reference and e-mail match, the link e-mailed only to the address on file, rate-limited, logged."""

import pytest
from django.core import mail
from django.test import override_settings

from wagtail_complaints.models import ComplaintLogEntry
from wagtail_complaints.lost_link import SAME_ANSWER

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(category, service):
    return make_complaint(category=category, service=service, email="Maria.Rossi@example.com")


def ask(client, page, reference, email):
    return client.post(
        page.url,
        {"form": "lost_link", "lost_link-reference": reference, "lost_link-email": email},
        follow=True,
    )


def screen(response):
    """What the page says, without the form's own values."""
    return response.content.decode().replace("csrfmiddlewaretoken", "")


def test_the_form_page_offers_to_send_the_link_again(client, form_page):
    content = client.get(form_page.url).content.decode()
    assert '<details class="wc-action wc-lost-link" id="lost-link">' in content  # folded until needed
    assert 'name="lost_link-reference"' in content and 'name="lost_link-email"' in content


def test_a_match_emails_the_same_link_to_the_address_on_file(committing_client, form_page, filed):
    token = filed.access_token
    response = ask(committing_client, form_page, f" {filed.reference.lower()} ", "maria.rossi@EXAMPLE.com")
    assert response.status_code == 200
    assert str(SAME_ANSWER) in response.content.decode()
    assert 'id="lost-link" open' in response.content.decode()  # the answer is not folded away
    [message] = mail.outbox
    assert message.to == ["Maria.Rossi@example.com"]
    assert token in message.body and filed.reference in message.subject
    # The link was sent again, not re-issued: the one the patient may still have keeps working.
    assert committing_client.get(f"/complaints/{token}/").status_code == 200
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.send_link_again")
    assert entry.data["matched"] is True and int(entry.object_id) == filed.pk


@pytest.mark.parametrize("reference, email", [("2026-999999", "maria.rossi@example.com"), (None, "someone@else.example")])
def test_no_match_looks_the_same_and_sends_nothing(committing_client, form_page, filed, reference, email):
    matched = screen(ask(committing_client, form_page, filed.reference, filed.email))
    mail.outbox.clear()
    response = ask(committing_client, form_page, reference or filed.reference, email)
    assert response.status_code == 200
    assert str(SAME_ANSWER) in response.content.decode()
    assert screen(response).count(str(SAME_ANSWER)) == matched.count(str(SAME_ANSWER))
    assert mail.outbox == []


def test_a_wrong_address_is_logged_on_the_complaint_without_the_address(committing_client, form_page, filed):
    ask(committing_client, form_page, filed.reference, "intruder@example.com")
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.send_link_again")
    assert entry.data["matched"] is False
    assert "intruder" not in str(entry.data)


def test_a_complaint_without_email_never_matches(committing_client, form_page, category, service):
    complaint = make_complaint(category=category, service=service, email="")
    ask(committing_client, form_page, complaint.reference, "anyone@example.com")
    assert mail.outbox == []


def test_bad_input_is_shown_back_with_errors(client, form_page):
    response = client.post(form_page.url, {"form": "lost_link", "lost_link-reference": "", "lost_link-email": "not-an-address"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_lost_link-reference_error"' in content and 'id="id_lost_link-email_error"' in content
    assert str(SAME_ANSWER) not in content


@override_settings(WAGTAIL_COMPLAINTS_LOST_LINK_RATE="2/h", WAGTAIL_COMPLAINTS_LOST_LINK_REFERENCE_RATE="100/h")
def test_requests_are_limited_per_address(committing_client, form_page, filed):
    for reference in ("2026-000901", "2026-000902"):
        assert ask(committing_client, form_page, reference, filed.email).status_code == 200
    response = ask(committing_client, form_page, filed.reference, filed.email)
    assert response.status_code == 429
    assert mail.outbox == []


@override_settings(WAGTAIL_COMPLAINTS_LOST_LINK_RATE="100/h", WAGTAIL_COMPLAINTS_LOST_LINK_REFERENCE_RATE="1/h")
def test_requests_are_limited_per_reference_so_nobody_floods_a_patient(committing_client, form_page, filed):
    ask(committing_client, form_page, filed.reference, filed.email)
    assert ask(committing_client, form_page, filed.reference, filed.email).status_code == 429
    assert len(mail.outbox) == 1


def test_the_request_appears_in_the_complaints_history(client, handler, form_page, filed):
    ask(client, form_page, filed.reference, filed.email)
    client.force_login(handler)
    from django.urls import reverse

    history = client.get(reverse("wagtail_complaints:history", args=[filed.pk])).content.decode()
    assert "Private link requested again" in history
