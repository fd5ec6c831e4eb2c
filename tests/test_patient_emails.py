"""What patients read in e-mails (issue 16b): sentences that follow the settings, the office's texts
in the patient's language, dates written as the language writes them, and the e-mails the office
words itself in the admin — with a preview, listed placeholders and a safe fallback."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions, links, notifications
from wagtail_complaints.models import ComplaintSettings, Email, EmailStatus, EmailWording, OfficeText

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(complaint):
    office = ComplaintSettings.for_site(complaint.site)
    office.office_name = "Ufficio Relazioni con il Pubblico"
    office.office_contact = "Tel. 06 1234"
    office.signature = "La responsabile, dott.ssa Bianchi"
    office.escalation_text = "Rivolgiti al Difensore civico regionale."
    office.save()
    return office


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def close(complaint, handler, commit):
    complaint = actions.take_in_charge(complaint, handler)
    mail.outbox.clear()
    with commit():
        return actions.close(complaint, handler, "upheld")


def html_of(message):
    return message.alternatives[0][0]


# -- what the closing e-mail promises ----------------------------------------------------------------


def test_closing_email_offers_reopening_once_with_its_deadline(complaint, handler, office, commit):
    close(complaint, handler, commit)
    [message] = mail.outbox
    deadline = (timezone.localtime(timezone.now()) + datetime.timedelta(days=office.reopen_within_days)).date()
    for part in (message.body, html_of(message)):
        assert part.count("reopen") == 1
        assert deadline.strftime("%Y") in part
        assert "Difensore civico" in part


def test_closing_email_never_offers_reopening_when_it_is_switched_off(complaint, handler, office, commit):
    office.reopen_within_days = 0
    office.save()
    close(complaint, handler, commit)
    [message] = mail.outbox
    for part in (message.body, html_of(message)):
        assert "reopen" not in part.lower()
        assert "Difensore civico" in part  # escalation still offered
    assert complaint.access_token in message.body  # and the link to read the complaint


def test_closing_email_in_italian_with_reopening_off_says_nothing_of_reopening(handler, category, service, commit):
    complaint = make_complaint(category=category, service=service, language="it")
    office = ComplaintSettings.for_site(complaint.site)
    office.reopen_within_days = 0
    office.save()
    close(complaint, handler, commit)
    [message] = mail.outbox
    assert "riapr" not in message.body.lower()


# -- the office's texts in the patient's language --------------------------------------------------


@pytest.mark.parametrize(
    "language, name, signature, escalation",
    [
        ("en", "Patient Relations Office", "Dr Bianchi, head of the office", "Ombudsman"),
        ("es", "Oficina de Atención al Paciente", "Dra. Bianchi, responsable", "Defensor del Pueblo"),
    ],
)
def test_emails_are_signed_in_the_patients_language(
    handler, category, service, office, commit, language, name, signature, escalation
):
    OfficeText.objects.create(office=office, language="en", office_name="Patient Relations Office",
                              signature="Dr Bianchi, head of the office", escalation_text="Write to the Ombudsman.")
    OfficeText.objects.create(office=office, language="es", office_name="Oficina de Atención al Paciente",
                              signature="Dra. Bianchi, responsable", escalation_text="Escriba al Defensor del Pueblo.")
    complaint = make_complaint(category=category, service=service, language=language)
    close(complaint, handler, commit)
    [message] = mail.outbox
    for part in (message.body, html_of(message)):
        assert name in part and signature in part and escalation in part
        assert "Ufficio Relazioni" not in part and "dott.ssa" not in part and "Difensore" not in part
    assert "Tel. 06 1234" in message.body  # a field left empty in the language falls back to the main one


def test_a_language_without_its_row_falls_back_to_the_main_texts(complaint, handler, office, commit):
    close(complaint, handler, commit)  # an English complaint, no English row
    [message] = mail.outbox
    assert "Ufficio Relazioni con il Pubblico" in message.body
    assert "La responsabile, dott.ssa Bianchi" in message.body


def test_the_private_page_shows_the_office_in_the_readers_language(client, complaint, handler, office):
    OfficeText.objects.create(office=office, language="es", escalation_text="Escriba al Defensor del Pueblo.")
    complaint = actions.take_in_charge(complaint, handler)
    complaint = actions.close(complaint, handler, "upheld")
    with_translation = client.get(f"/es/complaints/{complaint.access_token}/").content.decode()
    assert "Defensor del Pueblo" in with_translation and "Difensore civico" not in with_translation
    italian = client.get(f"/it/complaints/{complaint.access_token}/").content.decode()
    assert "Difensore civico" in italian


def test_office_texts_per_language_are_edited_in_the_settings(client, administrator, office):
    client.force_login(administrator)
    url = reverse("wagtailsettings:edit", args=["wagtail_complaints", "complaintsettings", office.site_id])
    response = client.get(url)
    assert response.status_code == 200
    assert "office_texts-TOTAL_FORMS" in response.content.decode()


# -- dates as the language writes them -----------------------------------------------------------------


def test_italian_emails_write_month_names_in_lower_case(category, service, commit):
    received = timezone.make_aware(datetime.datetime(2026, 12, 1, 10, 0))
    with commit():
        complaint = make_complaint(category=category, service=service, language="it", received_at=received,
                                   answer_by=datetime.date(2026, 12, 31))
        notifications.notify("received", complaint)
    [message] = mail.outbox
    assert "31 dicembre 2026" in message.body
    assert "Dicembre" not in message.body and "Dicembre" not in html_of(message)


# -- e-mails the office words itself --------------------------------------------------------------------


def word(template="complainant/closed", language="en", **fields):
    fields.setdefault("subject", "Complaint {reference} closed")
    fields.setdefault("body", "Dear {first_name},\n\nwe closed {reference}: {outcome}.\n\n{reopen}\n\n{escalation}\n\n{follow_up_link}")
    return EmailWording.objects.create(template=template, language=language, **fields)


def test_the_offices_wording_is_sent_in_its_language(complaint, handler, office, commit):
    word(body="Dear {first_name},\n\nall done with {reference} <b>really</b>.\n\n{reopen}\n\n{follow_up_link}")
    close(complaint, handler, commit)
    [message] = mail.outbox
    assert message.subject == f"Complaint {complaint.reference} closed"
    assert f"all done with {complaint.reference}" in message.body
    assert "La responsabile, dott.ssa Bianchi" in message.body  # the footer still signs it
    html = html_of(message)
    assert "&lt;b&gt;really&lt;/b&gt;" in html and "<b>really</b>" not in html  # typed markup stays text
    assert f'href="{links.follow_up_url(complaint)}"' in html  # the link is a link
    assert Email.objects.get(event="closed").wording_error == ""


def test_the_offices_wording_promises_reopening_only_when_it_is_on(complaint, handler, office, commit):
    word()
    office.reopen_within_days = 0
    office.save()
    close(complaint, handler, commit)
    [message] = mail.outbox
    assert "reopen" not in message.body.lower()
    assert "\n\n\n" not in message.body  # the empty sentence leaves no hole


def test_other_languages_keep_the_shipped_text(handler, category, service, office, commit):
    word(language="en")
    complaint = make_complaint(category=category, service=service, language="es")
    close(complaint, handler, commit)
    [message] = mail.outbox
    assert "Complaint" not in message.subject and complaint.reference in message.subject


def test_a_broken_wording_falls_back_to_the_default_and_says_why(complaint, handler, office, commit):
    wording = word()
    # Edited behind the form's back (or left over by an upgrade): a placeholder this e-mail lacks.
    EmailWording.objects.filter(pk=wording.pk).update(body="Dear {first_name}, see {no_such_thing}.")
    close(complaint, handler, commit)
    [message] = mail.outbox
    assert "no_such_thing" not in message.body
    assert "We have closed your complaint" in message.body  # the shipped text went out
    email = Email.objects.get(event="closed")
    assert email.status == EmailStatus.SENT
    assert "{no_such_thing}" in email.wording_error


def test_switched_off_wording_is_not_used(complaint, handler, office, commit):
    word(is_active=False)
    close(complaint, handler, commit)
    assert "We have closed your complaint" in mail.outbox[0].body


def admin_form_data(**overrides):
    data = {
        "template": "complainant/received",
        "language": "en",
        "subject": "We have your complaint {reference}",
        "body": "Dear {first_name},\n\nthank you. Follow it here: {follow_up_link}",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_administrators_word_an_email_in_the_admin_with_the_placeholders_listed(client, administrator):
    client.force_login(administrator)
    add_url = reverse("wagtail_complaints_email_texts:add")
    form = client.get(add_url).content.decode()
    assert "{follow_up_link}" in form and "{reopen}" in form
    response = client.post(add_url, admin_form_data())
    assert response.status_code == 302
    wording = EmailWording.objects.get()
    assert (wording.template, wording.language) == ("complainant/received", "en")


@pytest.mark.parametrize(
    "field, text",
    [("body", "Dear {first_name}, closed: {outcome}"), ("subject", "About {reference"), ("body", "{__class__}")],
)
def test_the_admin_refuses_what_is_no_placeholder_of_that_email(client, administrator, field, text):
    client.force_login(administrator)
    response = client.post(reverse("wagtail_complaints_email_texts:add"), admin_form_data(**{field: text}))
    assert response.status_code == 200
    assert not EmailWording.objects.exists()


def test_one_wording_per_email_and_language(client, administrator):
    client.force_login(administrator)
    word(template="complainant/received", body="{reference}", subject="{reference}")
    response = client.post(reverse("wagtail_complaints_email_texts:add"), admin_form_data())
    assert response.status_code == 200
    assert EmailWording.objects.count() == 1


def test_handlers_and_viewers_cannot_word_emails(client, handler, viewer):
    for user in (handler, viewer):
        client.force_login(user)
        assert client.get(reverse("wagtail_complaints_email_texts:list")).status_code in (302, 403)


def test_the_preview_shows_the_email_about_a_sample_complaint(client, administrator, office, category):
    client.force_login(administrator)
    url = reverse("wagtail_complaints_email_texts:preview_on_add")
    data = admin_form_data(template="complainant/closed", body="Dear {first_name},\n{reopen}\n<script>x</script>")
    assert client.post(url, data).json()["is_valid"] is True
    content = client.get(url).content.decode()
    assert "Dear Maria," in content
    assert "reopen it from your private link" in content
    assert "<script>x</script>" not in content
    assert "Ufficio Relazioni con il Pubblico" in content  # the footer, from the settings


def test_the_preview_of_an_invalid_text_says_so(client, administrator):
    client.force_login(administrator)
    url = reverse("wagtail_complaints_email_texts:preview_on_add")
    assert client.post(url, admin_form_data(body="{nope}")).json()["is_valid"] is False


@pytest.mark.parametrize("answers_in_email", [True, False])
def test_the_offices_wording_carries_the_answer_only_where_the_settings_allow(
    complaint, handler, office, commit, answers_in_email
):
    word(template="complainant/answered", subject="{reference}", body="Dear {first_name},\n\n{answer}\n\n{follow_up_link}")
    office.answers_in_email = answers_in_email
    office.save()
    complaint = actions.take_in_charge(complaint, handler)
    mail.outbox.clear()
    with commit():
        actions.answer(complaint, handler, "Abbiamo parlato con il primario.")
    [message] = mail.outbox
    assert ("Abbiamo parlato con il primario." in message.body) is answers_in_email
    assert ("read it with your private link" in message.body) is not answers_in_email
