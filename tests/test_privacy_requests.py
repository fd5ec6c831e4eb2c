"""A complainant's access and erasure requests, end to end through the administrators' screen."""

import io
import json
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Site

from wagtail_complaints import actions
from wagtail_complaints.models import Complaint, ComplaintLogEntry, Outcome

from .factories import make_complaint
from .privacy_data import MARKERS, PDF, make_full_complaint

pytestmark = pytest.mark.django_db

REQUESTS = "wagtail_complaints_privacy:requests"
EXPORT = "wagtail_complaints_privacy:export"
ERASE = "wagtail_complaints_privacy:erase"
EMAIL = "new.address@example.com"


@pytest.fixture
def person(handler):
    """Two complaints of one person on two sites, and someone else's."""
    other_site = Site.objects.create(hostname="other.example", root_page=Site.objects.get(is_default_site=True).root_page)
    first = make_full_complaint(handler)
    second = make_full_complaint(handler, site=other_site, email="NEW.Address@example.com", phone="333-1234567")
    stranger = make_complaint(email="someone.else@example.com", phone="06 9999999", description="STRANGER-MARKER")
    return {"complaints": [first, second], "stranger": stranger}


def flashed(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def as_user(client, user):
    client.force_login(user)
    return client


def zip_of(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# -- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["handler", "viewer"])
def test_only_administrators_may_open_export_or_erase(client, request, role, person):
    user = request.getfixturevalue(role)
    as_user(client, user)
    # Wagtail answers a refused admin page with a redirect to the dashboard.
    refused = (302, 403)
    assert client.get(reverse(REQUESTS), {"email": EMAIL}).status_code in refused
    export = client.post(reverse(EXPORT), {"email": EMAIL})
    assert export.status_code in refused and export.get("Content-Type") != "application/zip"
    assert client.post(reverse(ERASE), {"email": EMAIL, "reason": "x", "confirm": "on"}).status_code in refused
    assert not ComplaintLogEntry.objects.filter(action="wagtail_complaints.export_personal_data").exists()
    assert Complaint.objects.filter(personal_data_removed_at__isnull=False).count() == 0
    assert reverse(REQUESTS) not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_anonymous_users_are_sent_to_log_in(client, person):
    response = client.get(reverse(REQUESTS))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_administrators_find_it_in_the_complaints_menu(client, administrator):
    assert reverse(REQUESTS) in as_user(client, administrator).get(reverse("wagtailadmin_home")).content.decode()


# -- finding the person -------------------------------------------------------------------------


def test_lookup_by_email_finds_every_complaint_of_the_person_across_sites(client, administrator, person):
    content = as_user(client, administrator).get(reverse(REQUESTS), {"email": EMAIL.upper()}).content.decode()
    for complaint in person["complaints"]:
        assert complaint.reference in content
    assert person["stranger"].reference not in content
    assert "2 complaints found" in content


def test_lookup_by_phone_ignores_spaces_dashes_and_the_prefix(client, administrator, person):
    content = as_user(client, administrator).get(reverse(REQUESTS), {"phone": "333 123 45 67"}).content.decode()
    for complaint in person["complaints"]:
        assert complaint.reference in content
    assert person["stranger"].reference not in content


@pytest.mark.parametrize(
    "params, error",
    [
        ({"email": "", "phone": ""}, "e-mail address, phone number, or both"),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"phone": "12-34"}, "at least 6 digits"),
    ],
)
def test_bad_lookups_are_explained(client, administrator, person, params, error):
    response = as_user(client, administrator).get(reverse(REQUESTS), params)
    assert response.status_code == 200
    content = response.content.decode()
    assert error in content
    assert person["complaints"][0].reference not in content


# -- access -------------------------------------------------------------------------------------


def test_export_is_one_zip_of_everything_and_is_logged(client, administrator, person):
    response = as_user(client, administrator).post(reverse(EXPORT), {"email": EMAIL})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zip_of(response)
    document = json.loads(archive.read("personal-data.json"))
    records = document["complaints"]
    assert [r["reference"] for r in records] == [c.reference for c in person["complaints"]]
    first = records[0]
    assert first["description"] == MARKERS["description"]
    assert first["extra_answers"] == {"Which ward?": MARKERS["extra"]}
    assert first["closing_note"] == MARKERS["closing_note"] and first["rating_comment"] == MARKERS["rating_comment"]
    assert {m["text"] for m in first["messages"]} >= {MARKERS["answer"], MARKERS["reply"]}
    assert {e["recipient"] for e in first["emails_sent"]} == {MARKERS["old_email"]}
    assert first["emails_sent"] and all(e["status"] and e["created_at"] for e in first["emails_sent"])
    (attachment,) = first["attachments"]
    assert attachment["name"] == MARKERS["attachment_name"]
    assert archive.read(attachment["file"]) == PDF
    assert "STRANGER-MARKER" not in archive.read("personal-data.json").decode()
    for complaint in person["complaints"]:
        (entry,) = ComplaintLogEntry.objects.filter(complaint_id=complaint.pk, action="wagtail_complaints.export_personal_data")
        assert entry.user == administrator
        assert EMAIL not in json.dumps(entry.data).lower()  # the history outlives an erasure
    history = client.get(reverse("wagtail_complaints:inspect", args=[person["complaints"][0].pk])).content.decode()
    assert "Personal data downloaded for an access request" in history


def test_export_of_nobody_says_so(client, administrator, person):
    response = as_user(client, administrator).post(reverse(EXPORT), {"email": "nobody@example.com"}, follow=True)
    assert "No complaint has this e-mail address or phone number." in response.content.decode()
    assert not ComplaintLogEntry.objects.filter(action="wagtail_complaints.export_personal_data").exists()


# -- erasure ------------------------------------------------------------------------------------


def test_erasure_needs_a_reason_and_a_confirmation(client, administrator, person):
    response = as_user(client, administrator).post(reverse(ERASE), {"email": EMAIL, "reason": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "This field is required." in content
    assert person["complaints"][0].reference in content  # the screen comes back with the list
    assert not Complaint.objects.filter(personal_data_removed_at__isnull=False).exists()


def test_erasure_is_refused_while_a_complaint_is_open(client, administrator, handler, person):
    still_open = make_full_complaint(handler, close=False)
    as_user(client, administrator)
    screen = client.get(reverse(REQUESTS), {"email": EMAIL}).content.decode()
    assert f"Still open: {still_open.reference}" in screen and "Erase their personal data" not in screen
    response = client.post(reverse(ERASE), {"email": EMAIL, "reason": "Richiesta del 1/12", "confirm": "on"})
    assert "Nothing was erased" in flashed(response) and still_open.reference in flashed(response)
    assert not Complaint.objects.filter(personal_data_removed_at__isnull=False).exists()

    # Closed through the workflow (the complainant is told), it can be erased.
    actions.close(Complaint.objects.get(pk=still_open.pk), handler, Outcome.UPHELD)
    response = client.post(reverse(ERASE), {"email": EMAIL, "reason": "Richiesta del 1/12", "confirm": "on"})
    assert "Personal data erased from" in flashed(response)
    assert Complaint.objects.filter(personal_data_removed_at__isnull=False).count() == 3


def test_erasure_removes_everything_logs_the_reason_and_keeps_the_figures(client, administrator, person):
    before = list(Complaint.objects.order_by("pk").values_list("reference", "status", "outcome", "closed_at", "rating", "category", "service"))
    as_user(client, administrator)
    response = client.post(
        reverse(ERASE), {"email": EMAIL, "reason": "Richiesta via PEC del 1/12, identità verificata", "confirm": "on"}
    )
    assert response.status_code == 302
    assert all(c.reference in flashed(response) for c in person["complaints"])
    for complaint in person["complaints"]:
        complaint = Complaint.objects.get(pk=complaint.pk)
        assert complaint.personal_data_removed_because == "request"
        assert complaint.email == complaint.phone == complaint.description == complaint.first_name == ""
        assert not complaint.attachments.exists()
        assert not complaint.emails.exclude(recipient="").exists()
        entry = ComplaintLogEntry.objects.get(complaint_id=complaint.pk, action="wagtail_complaints.remove_personal_data")
        assert entry.user == administrator
        content = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
        assert "at the complainant&#x27;s request" in content
        assert "identità verificata" in content  # the reason, in the history
        for name in ("description", "answer", "reply", "attachment_name"):
            assert MARKERS[name] not in content
    assert list(Complaint.objects.order_by("pk").values_list("reference", "status", "outcome", "closed_at", "rating", "category", "service")) == before
    stranger = Complaint.objects.get(pk=person["stranger"].pk)
    assert stranger.personal_data_removed_at is None and stranger.description == "STRANGER-MARKER"
    # Nothing is found any more by that address.
    assert "0 complaints found" in client.get(reverse(REQUESTS), {"email": EMAIL}).content.decode()
