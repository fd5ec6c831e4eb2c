"""The complaint screen and its POST views, through the admin as each role uses them."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions
from wagtail_complaints.models import AnswerTemplate, Complaint, ComplaintLogEntry, Message, MessageKind
from wagtail_complaints.workflow import Status

from .factories import make_complaint, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """A client whose requests run their on-commit work (e-mails) as a real commit would."""
    for method in ("get", "post"):
        original = getattr(client, method)

        def committing(*args, _original=original, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _original(*args, **kwargs)

        setattr(client, method, committing)
    return client


def inspect_url(complaint):
    return reverse("wagtail_complaints:inspect", args=[complaint.pk])


def transition_url(complaint, name):
    return reverse("wagtail_complaints:transition", args=[complaint.pk, name])


def logged_in(client, user):
    client.force_login(user)
    # As a browser sends it when the operator navigates within the admin (see navigated_here).
    client.defaults["HTTP_SEC_FETCH_SITE"] = "same-origin"
    return client


def flashed(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def test_handler_opening_a_pending_complaint_takes_it_in_charge(client, handler, complaint):
    response = logged_in(client, handler).get(inspect_url(complaint))
    assert response.status_code == 200
    complaint = fresh(complaint)
    assert complaint.status == Status.TAKEN_IN_CHARGE
    assert complaint.assigned_to == handler
    assert [m.to for m in mail.outbox] == [[complaint.email]]
    assert complaint.reference in mail.outbox[0].subject
    actions_logged = set(ComplaintLogEntry.objects.filter(complaint_id=complaint.pk).values_list("action", flat=True))
    assert {"wagtail_complaints.view", "wagtail_complaints.take_in_charge"} <= actions_logged


def test_viewer_opening_changes_nothing_and_hides_personal_data(client, viewer, complaint):
    response = logged_in(client, viewer).get(inspect_url(complaint))
    assert response.status_code == 200
    assert fresh(complaint).status == Status.PENDING
    assert mail.outbox == []
    content = response.content.decode()
    # Issue 15: the description is the complainant's own words, hidden like the other texts.
    assert complaint.description not in content
    assert complaint.category.label() in content
    assert complaint.email not in content
    assert complaint.last_name not in content
    # Viewers get no forms to change anything.
    assert 'action="' + transition_url(complaint, "take_in_charge") not in content
    assert "Add internal note" not in content


def test_viewer_sees_personal_data_when_the_office_allows_it(client, viewer, complaint):
    from wagtail_complaints.models import ComplaintSettings

    office = ComplaintSettings.for_site(complaint.site)
    office.viewers_see_personal_data = True
    office.save()
    content = logged_in(client, viewer).get(inspect_url(complaint)).content.decode()
    assert complaint.email in content


def test_buttons_are_exactly_the_available_transitions(client, handler, complaint):
    content = logged_in(client, handler).get(inspect_url(complaint)).content.decode()
    # Opening took it in charge: now answer and close are possible, nothing else.
    assert transition_url(complaint, "answer") in content
    assert transition_url(complaint, "close") in content
    assert transition_url(complaint, "take_in_charge") not in content
    assert transition_url(complaint, "reopen") not in content
    assert transition_url(complaint, "withdraw") not in content


def answer(client, complaint, body, status=Status.TAKEN_IN_CHARGE, **extra):
    data = {"answer-expected_status": status, "answer-body": body}
    data.update({f"answer-{key}": value for key, value in extra.items()})
    return client.post(transition_url(complaint, "answer"), data)


def test_full_life_cycle_with_emails(client, handler, complaint):
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    response = answer(client, complaint, "Abbiamo verificato: ci scusiamo per l'attesa.")
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.status == Status.AWAITING_REPLY
    assert complaint.messages.get().kind == MessageKind.ANSWER
    assert "ci scusiamo" in mail.outbox[-1].body

    response = client.post(
        transition_url(complaint, "close"),
        {"close-expected_status": Status.AWAITING_REPLY, "close-outcome": "upheld", "close-note": "Risolto"},
    )
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.status == Status.CLOSED
    assert complaint.outcome == "upheld"
    assert complaint.closed_at is not None
    closed_mail = mail.outbox[-1]
    assert complaint.reference in closed_mail.subject

    response = client.post(
        transition_url(complaint, "reopen"), {"reopen-expected_status": Status.CLOSED, "reopen-reason": "Ci ripenso"}
    )
    assert fresh(complaint).status == Status.AWAITING_REPLY
    assert fresh(complaint).reopen_count == 1

    history = client.get(reverse("wagtail_complaints:history", args=[complaint.pk]))
    assert history.status_code == 200
    to_complainant = [m for m in mail.outbox if m.to == [complaint.email]]
    assert len(to_complainant) == 3  # taken in charge, answered, closed


def test_answer_text_is_escaped_in_admin_and_emails(client, handler, complaint):
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    answer(client, complaint, "<script>alert('x')</script> <b>bold</b>")
    content = client.get(inspect_url(complaint)).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content
    html = mail.outbox[-1].alternatives[0][0]
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert('x')</script>" in mail.outbox[-1].body  # plain text stays as written


def test_answers_in_email_off_sends_only_the_link(client, handler, complaint):
    from wagtail_complaints.models import ComplaintSettings

    office = ComplaintSettings.for_site(complaint.site)
    office.answers_in_email = False
    office.save()
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    answer(client, complaint, "Risposta riservata sulla salute")
    message = mail.outbox[-1]
    assert "Risposta riservata" not in message.body
    assert "Risposta riservata" not in message.alternatives[0][0]
    assert complaint.access_token in message.body


def test_phone_answer_counts_as_answer_and_sends_no_email(client, handler, category, service):
    complaint = make_complaint(category=category, service=service, contact_preference="phone")
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    outbox = len(mail.outbox)
    called = timezone.now() - datetime.timedelta(hours=2)
    response = answer(
        client, complaint, "Spiegato al telefono", by_phone="on", contacted_at=called.strftime("%Y-%m-%d %H:%M")
    )
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.status == Status.AWAITING_REPLY
    message = complaint.messages.get()
    assert message.kind == MessageKind.PHONE_ANSWER
    assert message.contacted_at is not None
    assert complaint.first_answered_at is not None
    assert len(mail.outbox) == outbox


def test_phone_answer_needs_when(client, handler, complaint):
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    response = answer(client, complaint, "Spiegato", by_phone="on")
    assert response.status_code == 200
    assert "Say when you phoned" in response.content.decode()
    assert fresh(complaint).status == Status.TAKEN_IN_CHARGE


def test_answer_can_start_from_a_template(client, handler, complaint):
    # Left empty, the answer is the template (placeholders filled in); inserting it is in test_answer_templates.py.
    template = AnswerTemplate.objects.create(title="Scuse", body="Ci scusiamo per il disagio ({reference}).")
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    answer(client, complaint, "", template=template.pk)
    assert fresh(complaint).messages.get().body == f"Ci scusiamo per il disagio ({complaint.reference})."


def test_empty_answer_is_refused(client, handler, complaint):
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    response = answer(client, complaint, "   ")
    assert response.status_code == 200
    assert fresh(complaint).status == Status.TAKEN_IN_CHARGE
    assert not Message.objects.exists()


def test_unknown_transition_is_404(client, handler, complaint):
    response = logged_in(client, handler).post(transition_url(complaint, "delete_everything"), {})
    assert response.status_code == 404


def test_transition_not_allowed_from_state_is_refused(client, handler, complaint):
    # Pending: closing is not possible yet.
    response = logged_in(client, handler).post(
        transition_url(complaint, "close"),
        {"close-expected_status": Status.PENDING, "close-outcome": "upheld"},
    )
    assert fresh(complaint).status == Status.PENDING
    assert "cannot be done" in flashed(response)


def test_withdraw_is_not_for_operators(client, handler, complaint):
    response = logged_in(client, handler).post(
        transition_url(complaint, "withdraw"),
        {"withdraw-expected_status": Status.PENDING, "withdraw-reason": "x"},
    )
    assert fresh(complaint).status == Status.PENDING
    assert "cannot be done" in flashed(response)


def test_stale_form_is_refused(client, handler, complaint):
    other = make_operator("handler").user
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))  # the form is drawn in taken_in_charge
    actions.answer(fresh(complaint), other, "Risposta del collega")  # someone answers meanwhile
    response = client.post(
        transition_url(complaint, "close"),
        {"close-expected_status": Status.TAKEN_IN_CHARGE, "close-outcome": "upheld"},
        follow=True,
    )
    complaint = fresh(complaint)
    assert complaint.status == Status.AWAITING_REPLY
    assert "Someone changed this complaint" in response.content.decode()


def test_internal_note_stays_internal(client, handler, complaint):
    client = logged_in(client, handler)
    response = client.post(reverse("wagtail_complaints:note", args=[complaint.pk]), {"body": "Sentire il primario"})
    assert response.status_code == 302
    note = Message.objects.get()
    assert note.kind == MessageKind.NOTE
    assert not Message.objects.public().exists()
    content = client.get(inspect_url(complaint)).content.decode()
    assert "internal: the complainant does not see it" in content


def test_reassign(client, handler, complaint):
    colleague = make_operator("handler").user
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    response = client.post(
        reverse("wagtail_complaints:assign", args=[complaint.pk]),
        {"assigned_to": colleague.pk, "drawn_assignee": handler.pk},  # the form carries whom it was drawn with
    )
    assert response.status_code == 302
    assert fresh(complaint).assigned_to == colleague
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.assign").exists()


def test_cannot_assign_to_a_viewer(client, handler, viewer, complaint):
    client = logged_in(client, handler)
    response = client.post(reverse("wagtail_complaints:assign", args=[complaint.pk]), {"assigned_to": viewer.pk})
    assert response.status_code == 200
    assert fresh(complaint).assigned_to is None


def test_history_shows_the_complainant_as_such(client, handler, complaint):
    actions.take_in_charge(complaint, handler)
    actions.reply(fresh(complaint), "Grazie, aspetto")
    content = logged_in(client, handler).get(reverse("wagtail_complaints:history", args=[complaint.pk])).content
    assert b"complainant" in content


def test_edit_form_cannot_change_state(client, handler, complaint):
    client = logged_in(client, handler)
    url = reverse("wagtail_complaints:edit", args=[complaint.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="status"' not in form.content.decode()
    drawn_from = re.search(r'name="drawn_from" value="([^"]+)"', form.content.decode()).group(1)
    response = client.post(
        url,
        {
            "drawn_from": drawn_from,
            "category": complaint.category_id,
            "service": complaint.service_id,
            "description": "Testo corretto",
            "first_name": "Maria",
            "last_name": "Rossi",
            "email": "maria@example.com",
            "contact_preference": "email",
            "language": "it",
            "status": "closed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = fresh(complaint)
    assert complaint.description == "Testo corretto"
    assert complaint.status == Status.PENDING


def test_register_a_complaint_received_by_phone_without_email(client, handler, category, service):
    client = logged_in(client, handler)
    received = timezone.now() - datetime.timedelta(days=3)
    response = client.post(
        reverse("wagtail_complaints:add"),
        {
            "channel": "phone",
            "received_at": received.strftime("%Y-%m-%d %H:%M"),
            "category": category.pk,
            "service": service.pk,
            "description": "Telefonata: lamentela sul parcheggio",
            "first_name": "Luigi",
            "last_name": "Verdi",
            "email": "",
            "phone": "333 1234567",
            "contact_preference": "phone",
            "language": "it",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get(last_name="Verdi")
    assert complaint.channel == "phone"
    assert complaint.registered_by == handler
    assert complaint.answer_by == timezone.localdate(received) + datetime.timedelta(days=30)
    assert complaint.reference
    assert not [m for m in mail.outbox if m.to == [""]]
    content = client.get(response.url).content.decode()
    assert "no e-mails will be sent" in content
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.register", complaint_id=complaint.pk).exists()


def test_register_refuses_future_dates(client, handler, category):
    client = logged_in(client, handler)
    future = timezone.now() + datetime.timedelta(days=3)
    response = client.post(
        reverse("wagtail_complaints:add"),
        {
            "channel": "letter",
            "received_at": future.strftime("%Y-%m-%d %H:%M"),
            "category": category.pk,
            "description": "Lettera",
            "first_name": "A",
            "last_name": "B",
            "contact_preference": "email",
            "language": "it",
        },
    )
    assert response.status_code == 200
    assert not Complaint.objects.exists()


def test_viewer_reads_the_history_without_edit_links(client, viewer, handler, complaint):
    actions.take_in_charge(complaint, handler)
    response = logged_in(client, viewer).get(reverse("wagtail_complaints:history", args=[complaint.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Taken in charge" in content
    assert reverse("wagtail_complaints:edit", args=[complaint.pk]) not in content


def test_closed_email_gives_outcome_reopen_link_and_escalation(client, handler, complaint):
    from wagtail_complaints.models import ComplaintSettings

    office = ComplaintSettings.for_site(complaint.site)
    office.escalation_text = "Puoi rivolgerti al Difensore civico regionale."
    office.save()
    client = logged_in(client, handler)
    client.get(inspect_url(complaint))
    client.post(
        transition_url(complaint, "close"),
        {"close-expected_status": Status.TAKEN_IN_CHARGE, "close-outcome": "partly_upheld", "close-note": "interno"},
    )
    message = mail.outbox[-1]
    from django.utils import translation

    from wagtail_complaints.models import Outcome

    with translation.override(complaint.language):
        assert str(Outcome.PARTLY_UPHELD.label) in message.body
    assert "Difensore civico" in message.body and "Difensore civico" in message.alternatives[0][0]
    assert fresh(complaint).access_token in message.body
    assert "interno" not in message.body  # the closing note is for the office


def test_taken_in_charge_email_gives_the_answer_by_date(client, handler, complaint):
    from django.utils.formats import date_format
    from django.utils import translation

    logged_in(client, handler).get(inspect_url(complaint))
    with translation.override(complaint.language):
        expected = date_format(complaint.answer_by, "DATE_FORMAT")
    assert expected in mail.outbox[0].body
