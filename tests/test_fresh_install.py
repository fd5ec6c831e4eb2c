"""A brand-new site works the minute it is migrated; host code can treat complaints as any model."""

import pytest

from wagtail_complaints import actions
from wagtail_complaints.models import Complaint, Service

from .factories import complaint_form_data as form_data
from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(committing_client):
    return committing_client


def test_a_site_with_no_services_is_not_asked_for_one(client, form_page):
    assert not Service.objects.exists()  # what `migrate` leaves: categories, no services
    page = client.get(form_page.url).content.decode()
    assert 'name="service"' not in page
    assert "Which service or ward?" not in page

    data = form_data(client, form_page, service=None)
    Service.objects.all().delete()  # form_data made one
    response = client.post(form_page.url, data)
    complaint = Complaint.objects.get()
    assert complaint.service is None
    assert complaint.reference in response.content.decode()


def test_once_the_hospital_lists_services_the_question_is_asked_and_required(client, form_page):
    Service.objects.create(name="Radiologia")
    assert 'name="service"' in client.get(form_page.url).content.decode()
    response = client.post(form_page.url, form_data(client, form_page, service=""))
    assert "id_service_error" in response.content.decode()
    assert not Complaint.objects.exists()


def test_only_retired_services_means_no_question(client, form_page):
    data = form_data(client, form_page, service=None)
    Service.objects.update(is_active=False)  # form_data made one
    assert 'name="service"' not in client.get(form_page.url).content.decode()
    client.post(form_page.url, data)
    assert Complaint.objects.get().service is None


def test_refresh_from_db_reloads_the_protected_state(handler):
    complaint = make_complaint()
    stale = Complaint.objects.get(pk=complaint.pk)
    actions.take_in_charge(complaint, by=handler)

    stale.refresh_from_db()
    assert stale.status == "taken_in_charge"
    assert stale.taken_in_charge_at is not None
    stale.refresh_from_db(fields=["status"])
    assert stale.status == "taken_in_charge"


def test_the_state_stays_protected_after_a_refresh():
    complaint = make_complaint()
    complaint.refresh_from_db()
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        complaint.status = "closed"
