"""What travels by e-mail: whichever way `answers_in_email` is set, never the complainant's
description, extra answers, own messages or files; the office's answer only when it is on."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from wagtail_complaints import notifications
from wagtail_complaints.models import ComplaintSettings, Message, MessageKind
from wagtail_complaints.reminders import remind

from .factories import make_operator
from .privacy_data import MARKERS, make_full_complaint

pytestmark = pytest.mark.django_db

NEVER = ["description", "extra", "reply", "note", "attachment_name", "patient"]


def every_email(complaint, commit):
    """Each event's e-mails about `complaint` (and a reminder digest), as sent."""
    answer = Message.objects.get(complaint=complaint, kind=MessageKind.ANSWER)
    reply = Message.objects.get(complaint=complaint, kind=MessageKind.COMPLAINANT_REPLY)
    mail.outbox.clear()
    with commit(execute=True):
        for event in notifications.EVENTS:
            message = answer if event == "answered" else reply
            notifications.notify(event, complaint, message_id=message.pk)
        remind(today=complaint.answer_by + datetime.timedelta(days=3))
    templates = {template for audiences in notifications.EVENTS.values() for _, template in audiences}
    return mail.outbox, templates


def texts(message):
    return [message.subject, message.body] + [content for content, _ in message.alternatives]


@pytest.mark.parametrize("answers_in_email", [True, False])
def test_no_email_carries_what_the_complainant_wrote_or_attached(
    handler, django_capture_on_commit_callbacks, answers_in_email
):
    office = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    office.answers_in_email = answers_in_email
    office.clinical_risk_email = "risk@hospital.example"  # the patient-safety flag's e-mails too
    office.save()
    make_operator("handler", notify_on_new=True)  # someone is told of new complaints
    # Open, assigned and overdue: every event and the reminder have someone to write to.
    complaint = make_full_complaint(handler, close=False, answer_by=timezone.localdate())
    sent, templates = every_email(complaint, django_capture_on_commit_callbacks)
    # Every template was rendered, the reminder digest too.
    assert templates <= set(complaint.emails.values_list("template", flat=True))
    assert any("overdue" in message.subject for message in sent)
    for message in sent:
        for text in texts(message):
            for name in NEVER:
                assert MARKERS[name] not in text, (message.subject, name)
            assert "ATTACHMENT-CONTENT-MARKER" not in text
        assert not message.attachments
    answered = [m for m in sent if "answered your complaint" in m.subject]
    assert len(answered) == 1
    assert (MARKERS["answer"] in answered[0].body) is answers_in_email
    assert all(MARKERS["answer"] not in m.body for m in sent if m is not answered[0])


def test_the_settings_screen_says_which_way_answers_travel(client, administrator):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["wagtail_complaints", "complaintsettings", site.pk])
    client.force_login(administrator)
    content = client.get(url).content.decode()
    assert "Now: the office&#x27;s answers are written in the e-mails" in content
    office = ComplaintSettings.for_site(site)
    office.answers_in_email = False
    office.save()
    content = client.get(url).content.decode()
    assert "Now: e-mails only say that there is news" in content
    assert "Now: the office&#x27;s answers" not in content
