"""Escalation: the head of each office hears, once, of the complaints overdue beyond its limit."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints import actions
from wagtail_complaints.escalation import escalate, send_escalations
from wagtail_complaints.models import ComplaintLogEntry, ComplaintSettings, Email

from .factories import make_complaint, make_operator

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def office_head_of(site, days=5, **user_fields):
    head = make_operator("administrator", first_name="Anna", last_name="Bianchi", **user_fields)
    office = ComplaintSettings.for_site(site)
    office.office_head = head
    office.escalate_after_days = days
    office.save()
    return head.user


def default_site():
    return Site.objects.get(is_default_site=True)


def overdue(days, **kwargs):
    return make_complaint(answer_by=TODAY - datetime.timedelta(days=days), **kwargs)


def test_the_head_gets_one_email_listing_complaints_overdue_beyond_the_limit(commit, category):
    head = office_head_of(default_site(), days=5)
    six = overdue(6, category=category, description="Diagnosi di tumore non comunicata", last_name="Rossi")
    ten = overdue(10, category=category)
    five = overdue(5, category=category)  # overdue by exactly the limit: not more
    closed = overdue(20, category=category, status="closed")
    with commit():
        out = io.StringIO()
        call_command("send_complaint_reminders", stdout=out)
    assert "1 escalation e-mail(s) queued." in out.getvalue()
    escalations = [message for message in mail.outbox if message.to == [head.email]]
    assert len(escalations) == 1
    message = escalations[0]
    body = message.body + message.alternatives[0][0]
    assert six.reference in body and ten.reference in body
    assert five.reference not in body and closed.reference not in body
    assert "overdue by 6 days" in message.body and "overdue by 10 days" in message.body
    assert "Waiting times" in message.body  # the category, in the head's language
    assert f"/admin/complaints/inspect/{six.pk}/" in message.body
    assert "2 long overdue" in message.subject
    # No health details and nobody's name: the head opens the complaint to read it.
    assert "tumore" not in body and "Rossi" not in body and "maria@example.com" not in body
    assert Email.objects.get(event="escalation").complaint is None


def test_each_complaint_is_reported_once_and_written_in_its_history(commit, category, client):
    head = office_head_of(default_site(), days=2)
    complaint = overdue(3, category=category)
    with commit():
        escalate()
        escalate()  # the same day
        escalate(today=TODAY + datetime.timedelta(days=1))  # the next day
    assert len([m for m in mail.outbox if m.to == [head.email]]) == 1
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.escalate", complaint_id=complaint.pk)
    assert entry.data["days_overdue"] == 3
    client.force_login(head)
    history = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert "Reported to the head of the office as overdue" in history


def test_a_new_complaint_past_the_limit_is_reported_the_next_day(commit, category):
    head = office_head_of(default_site(), days=2)
    first = overdue(3, category=category)
    second = overdue(2, category=category)  # reaches the limit tomorrow
    with commit():
        escalate()
        escalate(today=TODAY + datetime.timedelta(days=1))
    bodies = [m.body for m in mail.outbox if m.to == [head.email]]
    assert len(bodies) == 2
    assert first.reference in bodies[0] and second.reference not in bodies[0]
    assert second.reference in bodies[1] and first.reference not in bodies[1]


def test_an_extended_date_that_passes_again_is_reported_again(commit, category, handler):
    head = office_head_of(default_site(), days=1)
    complaint = overdue(2, category=category, assigned_to=handler, status="taken_in_charge")
    with commit():
        escalate()
    new_date = TODAY + datetime.timedelta(days=1)
    actions.extend_answer_by(complaint, handler, new_date, "Serve la relazione", expected_answer_by=complaint.answer_by)
    with commit():
        escalate(today=new_date + datetime.timedelta(days=1))  # overdue by 1: not more than the limit
        escalate(today=new_date + datetime.timedelta(days=2))
    assert len([m for m in mail.outbox if m.to == [head.email]]) == 2


def second_site():
    home = Page.objects.get(depth=1).add_child(instance=Page(title="Santa Maria", slug="santa-maria"))
    return Site.objects.create(hostname="127.0.0.1", root_page=home, site_name="Santa Maria")


def test_each_hospital_escalates_to_its_own_head_with_its_own_limit(commit, category):
    san_luca, santa_maria = default_site(), second_site()
    head_a = office_head_of(san_luca, days=10)
    head_b = office_head_of(santa_maria, days=1)
    a_late = overdue(12, category=category, site=san_luca)
    a_recent = overdue(3, category=category, site=san_luca)  # beyond B's limit, within A's
    b_late = overdue(3, category=category, site=santa_maria)
    with commit():
        send_escalations.enqueue()
    to_a = [m.body for m in mail.outbox if m.to == [head_a.email]]
    to_b = [m.body for m in mail.outbox if m.to == [head_b.email]]
    assert len(to_a) == len(to_b) == 1
    assert a_late.reference in to_a[0] and a_recent.reference not in to_a[0] and b_late.reference not in to_a[0]
    assert b_late.reference in to_b[0] and a_late.reference not in to_b[0]


def test_no_escalation_without_a_limit_or_a_reachable_head(commit, category):
    overdue(30, category=category)
    with commit():
        assert escalate() == []
    head = office_head_of(default_site(), days=1)
    head.is_active = False
    head.save()
    with commit():
        assert escalate() == []
    assert not Email.objects.filter(event="escalation").exists()


def test_a_limit_needs_someone_to_tell():
    office = ComplaintSettings.for_site(default_site())
    office.escalate_after_days = 5
    with pytest.raises(ValidationError) as error:
        office.full_clean()
    assert "office_head" in error.value.message_dict


def test_the_head_and_the_clocks_are_set_in_the_site_settings(client):
    make_operator("handler", first_name="Anna", last_name="Bianchi")
    make_operator("viewer", first_name="Vera", last_name="Azienda")  # the health authority reads, never heads
    admin = make_operator("administrator").user
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    site = default_site()
    url = reverse("wagtailsettings:edit", args=["wagtail_complaints", "complaintsettings", site.pk])
    form = client.get(url).content.decode()
    assert 'name="office_head"' in form and 'name="escalate_after_days"' in form
    assert 'name="count_days_as"' in form and 'name="acknowledge_within_days"' in form
    assert 'name="holiday_country"' in form and 'name="holiday_subdivision"' in form
    assert "Anna Bianchi" in form and "Vera Azienda" not in form
