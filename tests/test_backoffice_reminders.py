"""Daily reminders to handlers about complaints due soon or overdue."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from wagtail_complaints.models import ComplaintSettings, Email
from wagtail_complaints.reminders import send_reminders

from .factories import make_complaint, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def due(days, **kwargs):
    return make_complaint(answer_by=timezone.localdate() + datetime.timedelta(days=days), **kwargs)


def test_handlers_get_one_digest_of_their_due_and_overdue_complaints(commit, handler, category):
    soon = due(2, category=category, assigned_to=handler)
    late = due(-4, category=category, assigned_to=handler)
    due(20, category=category, assigned_to=handler)  # not yet
    closed = due(-10, category=category, assigned_to=handler, status="closed")
    with commit():
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [handler.email]
    assert soon.reference in message.body and late.reference in message.body
    assert closed.reference not in message.body
    assert "overdue by 4 days" in message.body
    assert "1 overdue" in message.subject
    assert f"/admin/complaints/inspect/{late.pk}/" in message.body
    assert Email.objects.get().complaint is None


def test_unassigned_complaints_go_to_those_notified_of_new(commit, category):
    flagged = make_operator("handler", notify_on_new=True).user
    make_operator("handler")  # not flagged: not reminded
    complaint = due(1, category=category)
    with commit():
        send_reminders.enqueue()
    assert [m.to for m in mail.outbox] == [[flagged.email]]
    assert complaint.reference in mail.outbox[0].body


def test_running_twice_a_day_sends_nothing_new(commit, handler, category):
    due(1, category=category, assigned_to=handler)
    with commit():
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1


def test_the_window_follows_the_site_setting(commit, handler, category):
    complaint = due(8, category=category, assigned_to=handler)
    with commit():
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
    assert mail.outbox == []
    office = ComplaintSettings.for_site(complaint.site)
    office.reminder_days = 10
    office.save()
    with commit():
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1


def test_viewers_are_never_reminded(commit, viewer, category):
    due(-1, category=category, assigned_to=viewer)
    with commit():
        call_command("send_complaint_reminders", stdout=open("/dev/null", "w"))
    assert all(viewer.email not in m.to for m in mail.outbox)
