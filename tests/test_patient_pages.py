"""The patient's pages read right from the patient's side (issue 16b): state names, dates as the
language writes them, a reference that never wraps; and the demo's links follow its port."""

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from wagtail_complaints import actions, links
from wagtail_complaints.models import Complaint

from .factories import make_complaint

pytestmark = pytest.mark.django_db


def page(client, complaint, language="en"):
    with translation.override(language):
        url = reverse("wagtail_complaints_public:follow_up", args=[complaint.access_token])
    return client.get(url).content.decode()


def test_after_an_answer_the_patient_reads_that_they_can_reply(client, complaint, handler):
    complaint = actions.take_in_charge(complaint, handler)
    complaint, _ = actions.answer(complaint, handler, "Risposta.")
    content = page(client, complaint)
    assert "Answered — you can reply" in content
    assert "Awaiting reply" not in content


def test_after_the_patients_message_the_state_says_it_is_with_the_office(client, complaint, handler):
    complaint = actions.take_in_charge(complaint, handler)
    complaint, _ = actions.answer(complaint, handler, "Risposta.")
    actions.reply(complaint, "Non sono d'accordo.")
    assert "Your message is with the office" in page(client, complaint)


@pytest.mark.parametrize("status_label", ["Received"])
def test_a_new_complaint_reads_as_received(client, complaint, status_label):
    content = page(client, complaint)
    assert f"<strong>{status_label}</strong>" in content
    assert "Pending" not in content


def test_italian_dates_on_the_private_page_are_lower_case(client, category, service):
    complaint = make_complaint(category=category, service=service, language="it", answer_by=datetime.date(2026, 12, 31))
    content = page(client, complaint, "it")
    assert "31 dicembre 2026" in content and "Dicembre" not in content


def test_the_reference_never_wraps(client, complaint):
    content = page(client, complaint)
    assert f'<span class="wc-reference-number">{complaint.reference}</span>' in content
    css = client.get("/static/wagtail_complaints/complaints.css")
    stylesheet = b"".join(css.streaming_content).decode() if css.status_code == 200 else open(
        "wagtail_complaints/static/wagtail_complaints/complaints.css"
    ).read()
    assert ".wc-reference-number { white-space: nowrap; }" in stylesheet


def test_the_landing_page_keeps_the_reference_in_one_piece(committing_client, form_page):
    from .factories import complaint_form_data

    response = committing_client.post(form_page.url, complaint_form_data(committing_client, form_page))
    assert 'class="wc-reference-number"' in response.content.decode()


@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8011")
def test_the_demo_served_on_another_port_links_to_that_port(complaint):
    call_command("serve_demo_at", stdout=open("/dev/null", "w"))
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "http://127.0.0.1:8011"
    complaint = Complaint.objects.get(pk=complaint.pk)  # its site, as the database has it now
    assert links.follow_up_url(complaint).startswith("http://127.0.0.1:8011/")
    assert links.admin_url(complaint).startswith("http://127.0.0.1:8011/admin/")
