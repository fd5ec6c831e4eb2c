"""No lost updates, and a history that says what was changed, downloaded and viewed."""

import datetime
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints.models import Attachment, Complaint, ComplaintLogEntry, ComplaintSettings

from .factories import make_complaint, make_operator

pytestmark = pytest.mark.django_db

EDIT_FIELDS = [
    "category",
    "service",
    "description",
    "event_date",
    "first_name",
    "last_name",
    "email",
    "phone",
    "contact_preference",
    "patient_name",
    "relationship",
    "language",
]


def edit_url(complaint):
    return reverse("wagtail_complaints:edit", args=[complaint.pk])


def inspect_url(complaint):
    return reverse("wagtail_complaints:inspect", args=[complaint.pk])


def drawn_form(client, complaint):
    """The edit form as the browser received it: its values, and the version it was drawn from."""
    content = client.get(edit_url(complaint)).content.decode()
    drawn_from = re.search(r'name="drawn_from" value="([^"]+)"', content).group(1)
    fresh = Complaint.objects.get(pk=complaint.pk)
    data = {name: getattr(fresh, name) for name in EDIT_FIELDS}
    data.update(category=fresh.category_id, service=fresh.service_id or "", event_date=fresh.event_date or "")
    data["drawn_from"] = drawn_from
    return data


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def corrections_logged(complaint):
    return ComplaintLogEntry.objects.filter(complaint_id=complaint.pk, action="wagtail_complaints.correct")


@pytest.fixture
def colleague(db):
    return make_operator("handler").user


def test_a_stale_correction_is_refused_and_shows_what_changed(handler, colleague, complaint):
    first, second = client_for(handler), client_for(colleague)
    form_a, form_b = drawn_form(first, complaint), drawn_form(second, complaint)

    assert first.post(edit_url(complaint), {**form_a, "phone": "+39 333 1111111"}).status_code == 302
    response = second.post(edit_url(complaint), {**form_b, "description": "Testo del collega"})

    assert response.status_code == 200
    complaint = fresh(complaint)
    assert complaint.phone == "+39 333 1111111"  # not put back to the old, empty value
    assert complaint.description == "Ho atteso sei ore al pronto soccorso."  # nothing of B's save either
    content = response.content.decode()
    assert "Someone else corrected this complaint while you were editing it. Nothing was saved." in content
    assert "now “+39 333 1111111”, your form had “—”" in content
    # The form comes back with the saved phone and B's own text kept, ready to save again.
    assert 'value="+39 333 1111111"' in content
    assert "Testo del collega" in content
    assert corrections_logged(complaint).count() == 1

    again = re.search(r'name="drawn_from" value="([^"]+)"', content).group(1)
    resaved = second.post(
        edit_url(complaint),
        {**form_b, "phone": "+39 333 1111111", "description": "Testo del collega", "drawn_from": again},
    )
    assert resaved.status_code == 302
    complaint = fresh(complaint)
    assert (complaint.phone, complaint.description) == ("+39 333 1111111", "Testo del collega")


def test_a_form_without_a_valid_version_saves_nothing(handler, complaint):
    client = client_for(handler)
    form = drawn_form(client, complaint)
    for drawn_from in ("", form["drawn_from"][:-2] + "xx"):
        response = client.post(edit_url(complaint), {**form, "phone": "123", "drawn_from": drawn_from})
        assert response.status_code == 200
        assert "This form is out of date" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert fresh(complaint).phone == ""
    assert not corrections_logged(complaint).exists()


def test_a_correction_records_each_field_before_and_after(handler, complaint, category):
    client = client_for(handler)
    other_category = type(category).objects.exclude(pk=category.pk).filter(parent=None).first()
    form = drawn_form(client, complaint)
    response = client.post(
        edit_url(complaint), {**form, "phone": "0461 123456", "category": other_category.pk, "description": "Nuovo"}
    )
    assert response.status_code == 302

    entry = corrections_logged(complaint).get()
    assert entry.user == handler
    assert entry.data["changes"] == [
        {"field": "category", "before": category.label(), "after": other_category.label()},
        {"field": "description", "before": "Ho atteso sei ore al pronto soccorso.", "after": "Nuovo"},
        {"field": "phone", "before": "", "after": "0461 123456"},
    ]
    content = client.get(inspect_url(complaint)).content.decode()
    assert "Data corrected" in content
    assert "from “—” to “0461 123456”" in content
    assert "from “Ho atteso sei ore al pronto soccorso.” to “Nuovo”" in content


def test_saving_an_unchanged_form_logs_nothing(handler, complaint):
    client = client_for(handler)
    assert client.post(edit_url(complaint), drawn_form(client, complaint)).status_code == 302
    assert not corrections_logged(complaint).exists()


def test_viewers_see_which_personal_fields_were_corrected_but_not_their_values(handler, viewer, complaint):
    client = client_for(handler)
    client.post(edit_url(complaint), {**drawn_form(client, complaint), "phone": "0461 999888", "description": "Nuovo"})

    content = client_for(viewer).get(inspect_url(complaint)).content.decode()
    assert "Data corrected" in content
    assert "0461 999888" not in content
    assert "(personal data: not shown to your role)" in content
    assert "from “Ho atteso sei ore al pronto soccorso.” to “Nuovo”" in content

    office = ComplaintSettings.for_site(complaint.site)
    office.viewers_see_personal_data = True
    office.save()
    assert "from “—” to “0461 999888”" in client_for(viewer).get(inspect_url(complaint)).content.decode()


def test_viewers_cannot_correct(viewer, handler, complaint):
    form = drawn_form(client_for(handler), complaint)
    response = client_for(viewer).post(edit_url(complaint), {**form, "phone": "1"})
    assert response.status_code in (302, 403)
    assert fresh(complaint).phone == ""


def test_a_stale_assignment_is_refused(handler, colleague, complaint):
    first, second = client_for(handler), client_for(colleague)
    url = reverse("wagtail_complaints:assign", args=[complaint.pk])
    drawn = {"drawn_assignee": ""}  # both drew the form while nobody had it
    assert first.post(url, {**drawn, "assigned_to": handler.pk}).status_code == 302
    response = second.post(url, {**drawn, "assigned_to": ""}, follow=True)
    assert fresh(complaint).assigned_to == handler
    assert "Someone reassigned this complaint" in response.content.decode()


def test_operators_downloads_are_logged(handler, complaint):
    attachment = Attachment.objects.create(
        complaint=complaint,
        file=ContentFile(b"%PDF-1.4 test", name="x.pdf"),
        original_name="referto.pdf",
        content_type="application/pdf",
        size=13,
    )
    client = client_for(handler)
    response = client.get(reverse("wagtail_complaints_followup:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.download")
    assert (entry.user, entry.object_id, entry.data["file_name"]) == (handler, str(complaint.pk), "referto.pdf")
    assert "Attachment downloaded “referto.pdf”" in client.get(inspect_url(complaint)).content.decode()


def test_downloads_refused_are_not_logged(complaint, db):
    attachment = Attachment.objects.create(
        complaint=complaint, file=ContentFile(b"x", name="x.pdf"), original_name="a.pdf", content_type="application/pdf", size=1
    )
    nobody = make_operator("handler").user
    nobody.groups.clear()
    response = client_for(nobody).get(reverse("wagtail_complaints_followup:attachment", args=[attachment.pk]))
    assert response.status_code in (302, 403)
    assert not ComplaintLogEntry.objects.filter(action="wagtail_complaints.download").exists()


def views_of(complaint):
    return ComplaintLogEntry.objects.filter(complaint_id=complaint.pk, action="wagtail_complaints.view")


def test_viewing_again_within_an_hour_adds_no_new_line(handler, viewer, complaint):
    client = client_for(viewer)
    for _ in range(3):
        client.get(inspect_url(complaint))
    assert views_of(complaint).count() == 1

    client_for(handler).get(inspect_url(complaint))  # another person: a line of their own
    client.get(inspect_url(complaint))  # and the viewer again, after someone else's line
    assert list(views_of(complaint).values_list("user", flat=True)) == [viewer.pk, handler.pk, viewer.pk]


def test_viewing_again_after_an_hour_is_a_new_line(viewer, complaint):
    client = client_for(viewer)
    client.get(inspect_url(complaint))
    views_of(complaint).update(timestamp=timezone.now() - datetime.timedelta(minutes=61))
    client.get(inspect_url(complaint))
    assert views_of(complaint).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks and concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_corrections_at_the_same_moment_one_wins_the_other_is_refused():
    from django.db import connections

    complaint = make_complaint()
    users = [make_operator("handler").user for _ in range(2)]
    clients = [client_for(user) for user in users]
    forms = [drawn_form(client, complaint) for client in clients]
    barrier = threading.Barrier(2)
    statuses, errors = {}, []

    def save(index):
        try:
            barrier.wait(timeout=10)
            response = clients[index].post(edit_url(complaint), {**forms[index], "phone": f"+39 06 1234 56{index}0"})
            statuses[index] = response.status_code
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(statuses.values()) == [200, 302]
    winner = next(index for index, status in statuses.items() if status == 302)
    assert fresh(complaint).phone == f"+39 06 1234 56{winner}0"
    assert corrections_logged(complaint).get().user == users[winner]
