"""A certain date: extending the answer-by date, telling the patient, and counting it honestly."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions
from wagtail_complaints.models import Complaint, ComplaintLogEntry
from wagtail_complaints.stats.aggregation import Period, Statistics

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    post = client.post

    def committing(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = committing
    return client


def extend(client, complaint, new_date, reason="Attendiamo la relazione del primario", drawn=None):
    return client.post(
        reverse("wagtail_complaints:extend", args=[complaint.pk]),
        {
            "answer_by": new_date.isoformat(),
            "reason": reason,
            "drawn_answer_by": (drawn or complaint.answer_by).isoformat(),
        },
        follow=True,
    )


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def test_a_handler_extends_the_date_and_the_patient_is_emailed(client, handler, complaint):
    client.force_login(handler)
    first_date = complaint.answer_by
    new_date = first_date + datetime.timedelta(days=15)

    response = extend(client, complaint, new_date)

    complaint = fresh(complaint)
    assert (complaint.answer_by, complaint.original_answer_by) == (new_date, first_date)
    assert "the complainant is e-mailed the new date" in response.content.decode()
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.extend")
    assert (entry.user, entry.data["reason"]) == (handler, "Attendiamo la relazione del primario")
    [email] = [email for email in mail.outbox if "new date" in email.subject]  # besides "taken in charge"
    assert email.to == ["maria@example.com"]
    assert complaint.reference in email.subject
    assert new_date.strftime("%Y") in email.body and "instead of" in email.body
    assert "primario" not in email.body  # the reason is the office's record, not the patient's e-mail

    # A second extension keeps the date first given.
    extend(client, complaint, new_date + datetime.timedelta(days=5))
    assert fresh(complaint).original_answer_by == first_date


def test_the_new_date_must_be_later_and_have_a_reason(client, handler, complaint):
    client.force_login(handler)
    for new_date, reason in ((complaint.answer_by, "x"), (complaint.answer_by - datetime.timedelta(days=1), "x"),
                             (complaint.answer_by + datetime.timedelta(days=3), "")):
        response = extend(client, complaint, new_date, reason=reason)
        assert response.status_code == 200
        assert fresh(complaint).original_answer_by is None
    assert not mail.outbox


def test_a_stale_extension_form_is_refused(client, handler, complaint):
    client.force_login(handler)
    drawn = complaint.answer_by
    actions.extend_answer_by(complaint, handler, drawn + datetime.timedelta(days=10), "collega", expected_answer_by=drawn)
    response = extend(client, complaint, drawn + datetime.timedelta(days=20), drawn=drawn)
    assert "Someone changed this complaint" in response.content.decode()
    assert fresh(complaint).answer_by == drawn + datetime.timedelta(days=10)


def test_viewers_cannot_extend_and_closed_complaints_cannot_be_extended(client, viewer, handler, complaint):
    client.force_login(viewer)
    response = client.post(
        reverse("wagtail_complaints:extend", args=[complaint.pk]),
        {"answer_by": "2099-01-01", "reason": "x", "drawn_answer_by": complaint.answer_by.isoformat()},
    )
    assert response.status_code in (302, 403)
    assert fresh(complaint).original_answer_by is None

    actions.take_in_charge(complaint, handler)
    actions.answer(fresh(complaint), handler, "Risposta")
    actions.close(fresh(complaint), handler, "upheld")
    with pytest.raises(actions.workflow.TransitionNotAllowed):
        actions.extend_answer_by(fresh(complaint), handler, complaint.answer_by + datetime.timedelta(days=3), "x",
                                 expected_answer_by=complaint.answer_by)


def test_statistics_count_on_time_against_the_first_date_and_count_extensions(handler, category):
    today = timezone.localdate()
    received = timezone.now() - datetime.timedelta(days=40)
    late_but_extended = make_complaint(category=category, received_at=received, answer_by=today - datetime.timedelta(days=10))
    on_time = make_complaint(category=category, received_at=received, answer_by=today + datetime.timedelta(days=5))
    for complaint in (late_but_extended, on_time):
        actions.take_in_charge(complaint, handler)
    actions.extend_answer_by(
        fresh(late_but_extended), handler, today + datetime.timedelta(days=20), "x",
        expected_answer_by=today - datetime.timedelta(days=10),
    )
    for complaint in (late_but_extended, on_time):
        actions.answer(fresh(complaint), handler, "Risposta")  # both answered today

    period = Period(today - datetime.timedelta(days=60), today + datetime.timedelta(days=1))
    figures = Statistics(period).summary()["current"]
    assert figures["received"] == 2
    assert figures["on_time"] == 1  # the extended one was answered after the date first given
    assert figures["extended"] == 1


def test_the_key_figures_report_extensions(client, handler, viewer, complaint):
    actions.extend_answer_by(complaint, handler, complaint.answer_by + datetime.timedelta(days=7), "x",
                             expected_answer_by=complaint.answer_by)
    client.force_login(viewer)
    content = client.get(reverse("wagtail_complaints_stats:index")).content.decode()
    assert "Answer-by date extended (received in the period)" in content
