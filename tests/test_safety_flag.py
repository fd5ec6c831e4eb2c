"""The patient-safety flag: set and removed from the complaint screen by handlers, e-mailed to the
site's clinical-risk contact without health details, shown on the inbox, counted in the statistics."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from wagtail_complaints.models import Complaint, ComplaintLogEntry, ComplaintSettings, Email
from wagtail_complaints.stats.aggregation import Period, Statistics

from .factories import make_complaint
from .test_backoffice_permissions import denied
from .test_backoffice_complaint import client, flashed, fresh, inspect_url, logged_in  # noqa: F401

pytestmark = pytest.mark.django_db

CLINICAL_RISK = "risk@hospital.example"


@pytest.fixture
def clinical_risk_contact(db):
    office = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    office.clinical_risk_email = CLINICAL_RISK
    office.save()
    return office


def safety_url(complaint, change):
    return reverse("wagtail_complaints:safety", args=[complaint.pk, change])


def risk_emails():
    return [message for message in mail.outbox if message.to == [CLINICAL_RISK]]


def test_handler_flags_a_complaint_and_clinical_risk_gets_a_link_without_health_details(
    client, handler, complaint, clinical_risk_contact
):
    logged_in(client, handler).get(inspect_url(complaint))
    mail.outbox.clear()

    response = client.post(safety_url(complaint, "flag"))

    assert response.status_code == 302
    assert "clinical-risk contact has been e-mailed" in flashed(response)
    complaint = fresh(complaint)
    assert complaint.safety_flagged_at is not None and complaint.safety_flagged_by == handler
    [message] = risk_emails()
    assert complaint.reference in message.subject
    assert reverse("wagtail_complaints:inspect", args=[complaint.pk]) in message.body
    assert complaint.category.label() in message.body
    # What happened, the patient's name and contacts never travel in this e-mail.
    html = message.alternatives[0][0]
    for private in (complaint.description, complaint.first_name, complaint.last_name, complaint.email):
        assert private not in message.body and private not in html
    assert Email.objects.get(event="safety_flagged").recipient == CLINICAL_RISK
    assert ComplaintLogEntry.objects.filter(complaint_id=complaint.pk, action="wagtail_complaints.flag_safety").exists()


def test_flag_shows_on_the_complaint_screen_and_history(client, handler, complaint, clinical_risk_contact):
    logged_in(client, handler).post(safety_url(complaint, "flag"))
    page = client.get(inspect_url(complaint)).content.decode()
    assert "Flagged as a possible patient-safety incident: clinical risk has been told." in page
    assert "Remove the flag" in page
    assert "Possible patient-safety incident" in page  # the tag on the card
    assert "<td>Flagged as a possible patient-safety incident</td>" in page  # the history line


def test_without_a_clinical_risk_contact_the_flag_is_kept_and_the_handler_is_told(client, handler, complaint):
    response = logged_in(client, handler).post(safety_url(complaint, "flag"))
    assert fresh(complaint).safety_flagged_at is not None
    assert "No clinical-risk contact is set" in flashed(response)
    assert not Email.objects.filter(event="safety_flagged").exists()


def test_flagging_twice_sends_one_email(client, handler, complaint, clinical_risk_contact):
    logged_in(client, handler).post(safety_url(complaint, "flag"))
    response = client.post(safety_url(complaint, "flag"))
    assert "already flagged" in flashed(response)
    assert len(risk_emails()) == 1


def test_unflag_needs_a_reason_which_stays_in_the_history(client, handler, complaint, clinical_risk_contact):
    logged_in(client, handler).post(safety_url(complaint, "flag"))

    response = client.post(safety_url(complaint, "unflag"), {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert fresh(complaint).safety_flagged_at is not None

    response = client.post(safety_url(complaint, "unflag"), {"reason": "Reviewed by clinical risk: no incident."})
    assert response.status_code == 302
    assert fresh(complaint).safety_flagged_at is None
    entry = ComplaintLogEntry.objects.get(complaint_id=complaint.pk, action="wagtail_complaints.unflag_safety")
    assert entry.data["reason"] == "Reviewed by clinical risk: no incident."
    assert entry.user == handler
    page = client.get(inspect_url(complaint)).content.decode()
    assert "Reviewed by clinical risk: no incident." in page
    # Clinical risk hears that the flag is gone, not why (the reason may carry health details).
    unflagged = [m for m in risk_emails() if "no longer flagged" in m.subject]
    assert len(unflagged) == 1 and "Reviewed by clinical risk" not in unflagged[0].body


def test_unflagging_a_complaint_that_is_not_flagged_changes_nothing(client, handler, complaint):
    response = logged_in(client, handler).post(safety_url(complaint, "unflag"), {"reason": "Mistake"})
    assert "not flagged" in flashed(response)
    assert not ComplaintLogEntry.objects.filter(action="wagtail_complaints.unflag_safety").exists()


def test_viewers_cannot_flag_and_see_no_button(client, viewer, complaint, clinical_risk_contact):
    logged_in(client, viewer)
    page = client.get(inspect_url(complaint)).content.decode()
    assert "Flag as a possible patient-safety incident" not in page
    response = client.post(safety_url(complaint, "flag"))
    assert denied(response)
    assert fresh(complaint).safety_flagged_at is None
    assert not risk_emails()


def test_viewers_see_the_flag_read_only(client, handler, viewer, complaint, clinical_risk_contact):
    logged_in(client, handler).post(safety_url(complaint, "flag"))
    logged_in(client, viewer)
    page = client.get(inspect_url(complaint)).content.decode()
    assert "Possible patient-safety incident" in page
    assert "Remove the flag" not in page


def test_flagging_is_post_only_and_unknown_changes_are_404(client, handler, complaint):
    logged_in(client, handler)
    assert client.get(safety_url(complaint, "flag")).status_code == 405
    assert client.post(safety_url(complaint, "toggle")).status_code == 404
    assert fresh(complaint).safety_flagged_at is None


def test_inbox_marks_and_filters_flagged_complaints(client, handler, category, service):
    flagged = make_complaint(category=category, service=service)
    plain = make_complaint(category=category, service=service)
    logged_in(client, handler).post(safety_url(flagged, "flag"))

    page = client.get(reverse("wagtail_complaints:index")).content.decode()
    assert page.count("wc-safety-flag") == 1

    page = client.get(reverse("wagtail_complaints:index"), {"safety_flagged": "true"}).content.decode()
    assert flagged.reference in page and plain.reference not in page
    page = client.get(reverse("wagtail_complaints:index"), {"safety_flagged": "false"}).content.decode()
    assert plain.reference in page and flagged.reference not in page


def test_the_public_form_never_asks_about_patient_safety(client, form_page):
    page = client.get(form_page.url).content.decode().lower()
    assert "safety" not in page and "sicurezza" not in page


def test_statistics_count_flagged_complaints(client, handler, category, service):
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    in_month = period.bounds()[0] + datetime.timedelta(hours=1)
    before = period.bounds()[0] - datetime.timedelta(days=3)
    flagged = [make_complaint(category=category, service=service, received_at=at) for at in (in_month, in_month, before)]
    make_complaint(category=category, service=service, received_at=in_month)
    logged_in(client, handler)
    for complaint in flagged:
        client.post(safety_url(complaint, "flag"))

    figures = Statistics(period).safety_and_duplicates()

    assert figures == {"safety_flagged": 2, "duplicates": 0}
    assert Complaint.objects.filter(safety_flagged_at__isnull=False).count() == 3
    page = client.get(reverse("wagtail_complaints_stats:index"), {"period": "month"}).content.decode()
    assert "Possible patient-safety incidents (received in the period)" in page
