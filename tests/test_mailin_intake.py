"""E-mails piped into `receive_complaint_email`: new complaints, replies, and what must never happen."""

from email import message_from_bytes, policy

import pytest
from django.core import mail
from wagtail.models import Site

from wagtail_complaints import actions, links, workflow
from wagtail_complaints.mailin import intake
from wagtail_complaints.mailin.models import IncomingEmail, Result
from wagtail_complaints.models import Attachment, Category, Channel, Complaint, ComplaintSettings, MessageKind

from .factories import make_complaint, make_operator
from .mail_helpers import eml, pipe

OFFICE = "urp@ospedale-sanluca.example"


@pytest.fixture
def office(db):
    settings = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    settings.reply_address = OFFICE
    settings.save()
    return settings


@pytest.fixture
def piped(django_capture_on_commit_callbacks):
    """Pipe a message and run what its transaction queued (the e-mails), as a real commit would."""

    def run(raw, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return pipe(raw, *args)

    return run


def reply_fixture(name, complaint):
    return eml(name, REPLY_TAG=links.reply_tag(complaint), REFERENCE=complaint.reference)


def test_a_plain_email_becomes_a_pending_complaint_and_the_sender_is_acknowledged(office, piped):
    operator = make_operator("handler", notify_on_new=True)

    output = piped(eml("plain.eml"))

    complaint = Complaint.objects.get()
    assert complaint.reference in output
    assert complaint.channel == Channel.EMAIL
    assert complaint.status == workflow.Status.PENDING
    assert (complaint.first_name, complaint.last_name, complaint.email) == ("Giulia", "Bianchi", "giulia.bianchi@example.org")
    assert complaint.description.startswith("Attesa di sette ore al pronto soccorso\n\nBuongiorno,")
    assert "mi è stato risposto in modo sgarbato" in complaint.description
    assert complaint.category.needs_classification
    acknowledgement = next(m for m in mail.outbox if m.to == ["giulia.bianchi@example.org"])
    assert complaint.reference in acknowledgement.subject
    assert links.follow_up_url(complaint) in acknowledgement.body
    assert acknowledgement.reply_to == [f"urp+{links.reply_tag(complaint)}@ospedale-sanluca.example"]
    headers = acknowledgement.message()
    assert headers["In-Reply-To"] == "<5b0c8f3e-2a61-4d2e-9d0b-1f7f6a2c9e11@example.org>"
    assert headers["References"] == "<5b0c8f3e-2a61-4d2e-9d0b-1f7f6a2c9e11@example.org>"
    assert any(m.to == [operator.user.email] for m in mail.outbox)
    incoming = IncomingEmail.objects.get()
    assert (incoming.result, incoming.complaint) == (Result.NEW_COMPLAINT, complaint)
    assert incoming.raw() == eml("plain.eml")


def test_the_same_message_is_processed_once(office, piped):
    piped(eml("plain.eml"))
    sent = len(mail.outbox)

    piped(eml("plain.eml"))

    assert Complaint.objects.count() == 1
    assert IncomingEmail.objects.count() == 1
    assert len(mail.outbox) == sent


def test_an_html_only_email_becomes_text_without_markup_or_scripts(office, piped):
    piped(eml("html_only.eml"))

    complaint = Complaint.objects.get()
    assert complaint.description.startswith("Parcheggio e accessibilità\n\nGentile ufficio,\n\nil parcheggio")
    assert "padiglione B è sempre occupato" in complaint.description
    assert "Lunedì 23\nGiovedì 26" in complaint.description
    for dangerous in ("<", "alert", "document.cookie", "steal", "color: red", "javascript", "tracker"):
        assert dangerous not in complaint.description
    assert (complaint.first_name, complaint.last_name) == ("Marco", "Verdi")


def test_attachments_pass_the_web_forms_checks_and_refused_ones_are_listed_not_stored(office, piped):
    piped(eml("multipart_attachments.eml"))

    complaint = Complaint.objects.get()
    stored = {(a.original_name, a.content_type) for a in Attachment.objects.filter(complaint=complaint)}
    assert stored == {("ricevuta.pdf", "application/pdf"), ("scontrino.png", "image/png")}
    note = complaint.messages.get(kind=MessageKind.NOTE)
    assert "Attachments refused and not stored" in note.body
    assert "seconda-ricevuta.pdf" in note.body
    assert "ho pagato due volte il ticket" in complaint.description  # the plain part, not the HTML one


def test_attachments_beyond_the_sites_limit_are_refused(office, piped):
    office.max_attachments = 1
    office.save()

    piped(eml("multipart_attachments.eml"))

    complaint = Complaint.objects.get()
    assert Attachment.objects.filter(complaint=complaint).count() == 1
    note = complaint.messages.get(kind=MessageKind.NOTE).body
    assert "scontrino.png" in note and "seconda-ricevuta.pdf" in note


def test_an_outlook_reply_from_the_complainant_joins_the_thread_without_the_quoted_history(office, piped):
    handler = make_operator("handler").user
    complaint = make_complaint(email="maria.rossi@example.com")
    complaint = actions.take_in_charge(complaint, handler)
    mail.outbox.clear()

    piped(reply_fixture("outlook_reply.eml", complaint))

    complaint = Complaint.objects.get(pk=complaint.pk)
    reply = complaint.messages.get(kind=MessageKind.COMPLAINANT_REPLY)
    assert reply.body == (
        "Grazie per la risposta. Aggiungo che l'attesa è stata di sei ore e che nessuno mi ha spiegato il "
        "codice di priorità.\n\nMaria Rossi"
    )
    assert complaint.status == workflow.Status.TAKEN_IN_CHARGE  # a reply changes no state
    assert Complaint.objects.count() == 1
    assert [m.to for m in mail.outbox] == [[handler.email]]  # the handler hears of it, as from the private page
    assert IncomingEmail.objects.get().result == Result.REPLY


def test_a_forged_reply_is_never_added_to_the_complaint_it_points_to(office, piped):
    complaint = make_complaint(email="maria.rossi@example.com")

    piped(reply_fixture("forged_reply.eml", complaint))

    assert not complaint.messages.exists()
    new = Complaint.objects.exclude(pk=complaint.pk).get()
    assert new.email == "curious@attacker.example"
    note = new.messages.get(kind=MessageKind.NOTE).body
    assert f"may be related to complaint {complaint.reference}" in note
    # The acknowledgement goes to the sender about their own new complaint, never about the other one.
    sent = [m for m in mail.outbox if m.to == ["curious@attacker.example"]]
    assert len(sent) == 1 and complaint.reference not in sent[0].body


def test_a_reference_in_the_subject_without_the_tag_is_only_flagged(office, piped):
    complaint = make_complaint(email="maria.rossi@example.com")
    raw = reply_fixture("outlook_reply.eml", complaint).replace(
        f"urp+{links.reply_tag(complaint)}@".encode(), b"urp@"
    )

    piped(raw)

    assert not complaint.messages.exists()
    new = Complaint.objects.exclude(pk=complaint.pk).get()
    assert f"may be related to complaint {complaint.reference}" in new.messages.get(kind=MessageKind.NOTE).body


def test_a_tag_altered_by_hand_is_not_trusted(office, piped):
    complaint = make_complaint(email="maria.rossi@example.com")
    other = make_complaint(email="maria.rossi@example.com")
    forged_tag = f"{other.pk}-{links.reply_tag(complaint).split('-')[1]}"

    piped(eml("outlook_reply.eml", REPLY_TAG=forged_tag, REFERENCE=other.reference))

    assert not other.messages.exists() and not complaint.messages.exists()
    assert links.complaint_pk_for_reply_tag(forged_tag) is None
    assert links.complaint_pk_for_reply_tag(links.reply_tag(other).upper()) == other.pk


@pytest.mark.parametrize("fixture", ["auto_reply.eml", "bounce.eml"])
def test_auto_replies_and_bounces_create_nothing_and_are_never_answered(office, piped, fixture):
    complaint = make_complaint(email="maria.rossi@example.com")

    piped(reply_fixture(fixture, complaint))

    assert Complaint.objects.count() == 1 and not complaint.messages.exists()
    assert mail.outbox == []
    assert IncomingEmail.objects.get().result == Result.IGNORED


@pytest.mark.parametrize(
    "header", [b"Precedence: bulk", b"List-Id: <patients.lists.example.org>", b"Return-Path: <>"]
)
def test_mailing_list_mail_creates_nothing(office, piped, header):
    raw = eml("plain.eml").replace(b"Return-Path: <giulia.bianchi@example.org>", header)

    piped(raw)

    assert not Complaint.objects.exists() and mail.outbox == []
    assert IncomingEmail.objects.get().result == Result.IGNORED


def test_a_reply_to_a_closed_complaint_is_kept_for_an_operator(office, piped):
    handler = make_operator("handler").user
    complaint = actions.take_in_charge(make_complaint(email="maria.rossi@example.com"), handler)
    complaint = actions.close(complaint, handler, outcome="upheld")

    piped(reply_fixture("outlook_reply.eml", complaint))

    assert not complaint.messages.exists()
    incoming = IncomingEmail.objects.get()
    assert (incoming.result, incoming.complaint) == (Result.KEPT, complaint)


def test_a_message_that_fails_is_kept_and_retried(office, piped, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "receive_by_email", broken)
    piped(eml("plain.eml"))
    incoming = IncomingEmail.objects.get()
    assert incoming.result == Result.FAILED and "database went away" in incoming.reason
    assert not Complaint.objects.exists()  # nothing half-made

    monkeypatch.undo()
    intake.retry_failed()

    incoming.refresh_from_db()
    assert incoming.result == Result.NEW_COMPLAINT and incoming.attempts == 2
    assert incoming.complaint == Complaint.objects.get()


def test_the_site_can_be_chosen_and_must_exist(office, piped):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        piped(eml("plain.eml"), "--site", "nowhere.example")
    piped(eml("plain.eml"), "--site", Site.objects.get(is_default_site=True).hostname)
    assert Complaint.objects.get().site.is_default_site


def test_the_round_trip_the_acknowledgements_reply_to_brings_the_answer_back(office, piped):
    """The demo's promise: e-mail in, acknowledgement out, the patient answers it, the reply is in the thread."""
    handler = make_operator("handler").user
    piped(eml("plain.eml"))
    complaint = Complaint.objects.get()
    acknowledgement = next(m for m in mail.outbox if m.to == [complaint.email]).message()

    answer = (
        f"From: Giulia Bianchi <giulia.bianchi@example.org>\r\nTo: {acknowledgement['Reply-To']}\r\n"
        f"Subject: Re: {acknowledgement['Subject']}\r\nMessage-ID: <answer.1@example.org>\r\n"
        f"In-Reply-To: {acknowledgement['Message-ID']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Dimenticavo: era la notte tra sabato e domenica.\r\n\r\n"
        f"Il giorno lun 30 nov 2026 alle ore 09:14 URP <{OFFICE}> ha scritto:\r\n> Dear Giulia,\r\n"
    ).encode()
    piped(answer)

    assert Complaint.objects.count() == 1
    reply = complaint.messages.get(kind=MessageKind.COMPLAINANT_REPLY)
    assert reply.body == "Dimenticavo: era la notte tra sabato e domenica."
    assert not [entry for entry in mail.outbox if entry.to == [handler.email]]  # nobody in charge or notified yet


def test_complaints_by_email_cannot_be_answered_until_classified(office, piped):
    handler = make_operator("handler").user
    piped(eml("plain.eml"))
    complaint = actions.take_in_charge(Complaint.objects.get(), handler)

    assert "answer" not in workflow.available_transitions(complaint, handler)
    with pytest.raises(workflow.TransitionNotAllowed):
        actions.answer(complaint, handler, "Ci scusiamo.")

    complaint.category = Category.objects.get(name="Tempi")
    complaint.save()
    assert "answer" in workflow.available_transitions(complaint, handler)


def test_the_to_be_classified_category_is_never_offered_on_forms(db):
    placeholder = Category.objects.to_be_classified()
    assert placeholder.needs_classification and placeholder.label("en") == "To be classified"
    assert placeholder not in Category.objects.for_choices()


def test_web_complaints_emails_ask_for_replies_at_the_tagged_address_only_when_the_office_has_one(db, django_capture_on_commit_callbacks):
    from wagtail_complaints import notifications
    from wagtail_complaints.models import Email

    complaint = make_complaint()
    with django_capture_on_commit_callbacks(execute=True):
        actions.register(complaint, by=make_operator("handler").user)
    email = Email.objects.get(recipient=complaint.email)
    assert notifications.render(email).reply_to == []

    office = ComplaintSettings.for_site(complaint.site)
    office.reply_address = OFFICE
    office.save()
    first, again = notifications.render(email), notifications.render(email)
    assert first.reply_to == [f"urp+{links.reply_tag(complaint)}@ospedale-sanluca.example"]
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]  # the same on every retry
    assert first.extra_headers["References"] == f"<complaint.{complaint.pk}@ospedale-sanluca.example>"


def test_a_message_that_cannot_even_be_parsed_is_kept(office, piped, monkeypatch):
    from wagtail_complaints.mailin import parsing

    def unreadable(raw):
        raise ValueError("unreadable")

    monkeypatch.setattr(intake, "parse", unreadable)
    piped(eml("plain.eml"))

    incoming = IncomingEmail.objects.get()
    assert incoming.result == Result.FAILED and "unreadable" in incoming.reason
    assert incoming.message_id == parsing.content_message_id(eml("plain.eml"))
    assert incoming.raw() == eml("plain.eml")
