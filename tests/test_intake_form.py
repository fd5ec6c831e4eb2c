"""Patient intake: the complaint form page, through the public pages and e-mails."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from wagtail_complaints.models import Category, Complaint, ComplaintFormField, ComplaintSettings, Email, Service

from .factories import complaint_form_data as form_data
from .factories import make_form_page, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(committing_client):
    return committing_client


def test_form_lists_active_categories_with_translated_labels(client, form_page):
    Category.objects.filter(name="Altro").update(is_active=False)
    english = client.get(form_page.url).content.decode()
    assert ">Waiting times<" in english
    assert ">Other<" not in english
    italian_page = form_page.copy_for_translation(locale=_locale("it"), copy_parents=True)
    italian_page.save_revision().publish()
    assert italian_page.url.startswith("/it/")
    italian = client.get(italian_page.url).content.decode()
    assert ">Tempi<" in italian
    assert ">Waiting times<" not in italian
    assert ">Altro<" not in italian
    assert "Invia il reclamo" in italian  # the form itself speaks Italian


def test_valid_submission_saves_and_shows_reference_and_deadline(client, form_page):
    response = client.post(form_page.url, form_data(client, form_page))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.status == "pending"
    assert complaint.reference == f"{timezone.localdate().year}-000001"
    assert complaint.answer_by == timezone.localdate() + datetime.timedelta(days=30)
    assert complaint.page_id == form_page.pk
    assert complaint.site.is_default_site
    assert complaint.privacy_notice_version == form_page.privacy_notice_version
    assert complaint.privacy_accepted_at is not None
    assert complaint.event_date == datetime.date(2026, 11, 20)
    page = response.content.decode()
    assert complaint.reference in page
    assert complaint.access_token in page  # the private link to follow it


def test_answer_deadline_comes_from_the_site_setting(client, form_page):
    office = ComplaintSettings.for_site(form_page.get_site())
    office.answer_within_days = 10
    office.reference_prefix = "URP-"
    office.save()
    client.post(form_page.url, form_data(client, form_page))
    complaint = Complaint.objects.get()
    assert complaint.answer_by == timezone.localdate() + datetime.timedelta(days=10)
    assert complaint.reference.startswith("URP-")


def test_acknowledgement_and_operator_emails(client, form_page):
    flagged = make_operator("handler", notify_on_new=True)
    make_operator("handler", notify_on_new=False)
    elsewhere = make_operator("handler", notify_on_new=True)
    elsewhere.categories.add(Category.objects.get(name="Informazione"))

    client.post(form_page.url, form_data(client, form_page))
    complaint = Complaint.objects.get()

    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["maria@example.com", flagged.user.email])
    patient_mail = next(m for m in mail.outbox if m.to == ["maria@example.com"])
    assert complaint.reference in patient_mail.subject
    assert complaint.reference in patient_mail.body
    assert complaint.access_token in patient_mail.body
    html = patient_mail.alternatives[0][0]
    assert complaint.reference in html
    operator_mail = next(m for m in mail.outbox if m.to == [flagged.user.email])
    # Operators get the reference and a link, not the patient's health details.
    assert complaint.description not in operator_mail.body
    assert f"/admin/complaints/inspect/{complaint.pk}/" in operator_mail.body
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize(
    "language, subject",
    [("en", "We have received your complaint"), ("it", "Abbiamo ricevuto"), ("es", "Hemos recibido")],
)
def test_emails_follow_the_language_of_the_form(client, form_page, language, subject):
    page = form_page
    if language != "en":
        page = form_page.copy_for_translation(locale=_locale(language), copy_parents=True)
        page.save_revision().publish()
    client.post(page.url, form_data(client, page))
    complaint = Complaint.objects.get()
    assert complaint.language == language
    assert mail.outbox[0].subject.startswith(subject), mail.outbox[0].subject
    prefix = "" if language == "en" else f"/{language}"
    assert f"{prefix}/complaints/{complaint.access_token}/" in mail.outbox[0].body


def _locale(code):
    from wagtail.models import Locale

    return Locale.objects.get_or_create(language_code=code)[0]


def test_missing_fields_keep_everything_typed(client, form_page):
    data = form_data(client, form_page, first_name="", privacy_accepted=None, description="Il mio racconto")
    response = client.post(form_page.url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page
    assert 'href="#id_first_name"' in page
    assert 'href="#id_privacy_accepted"' in page
    assert "Il mio racconto" in page
    assert 'value="maria@example.com"' in page
    assert not Complaint.objects.exists()


def test_invalid_email_is_refused(client, form_page):
    response = client.post(form_page.url, form_data(client, form_page, email="not-an-address"))
    assert "id_email_error" in response.content.decode()
    assert not Complaint.objects.exists()


def test_phone_preference_needs_a_phone_and_behalf_needs_the_patient(client, form_page):
    data = form_data(client, form_page, contact_preference="phone", email="", on_behalf="on")
    page = client.post(form_page.url, data).content.decode()
    assert "id_phone_error" in page
    assert "id_patient_name_error" in page
    assert not Complaint.objects.exists()

    data.update(phone="+39 06 1234567", patient_name="Giovanni Rossi", relationship="figlia")
    client.post(form_page.url, data)
    complaint = Complaint.objects.get()
    assert (complaint.contact_preference, complaint.email, complaint.on_behalf) == ("phone", "", True)
    assert complaint.patient_name == "Giovanni Rossi"
    # No e-mail address, no acknowledgement to send; nothing fails.
    assert Email.objects.filter(recipient="").count() == 0


@pytest.mark.parametrize("choice", ["inactive", "unknown", "not_offered"])
def test_inactive_unknown_or_not_offered_category_is_rejected(client, choice):
    offered = Category.objects.get(name="Tempi")
    page = make_form_page()
    page.categories.add(offered)
    page.save_revision().publish()
    other = Category.objects.get(name="Informazione")
    if choice == "inactive":
        offered.is_active = False
        offered.save()
        value = offered.pk
    elif choice == "unknown":
        value = 999999
    else:
        value = other.pk
    response = client.post(page.url, form_data(client, page, category=value))
    assert "id_category_error" in response.content.decode()
    assert not Complaint.objects.exists()


def test_inactive_service_is_rejected(client, form_page):
    service = Service.objects.create(name="Chiuso", is_active=False)
    response = client.post(form_page.url, form_data(client, form_page, service=service.pk))
    assert "id_service_error" in response.content.decode()
    assert not Complaint.objects.exists()


def test_sub_categories_of_an_offered_macro_category_are_offered(client):
    macro = Category.objects.get(name="Tempi")
    sub = Category.objects.create(name="Attese al pronto soccorso", parent=macro)
    page = make_form_page()
    page.categories.add(macro)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Waiting times › Attese al pronto soccorso" in html  # no English label: the name
    client.post(page.url, form_data(client, page, category=sub.pk))
    assert Complaint.objects.get().category == sub


@override_settings(WAGTAIL_COMPLAINTS_MAX_DESCRIPTION_LENGTH=100)
def test_oversize_text_is_refused_with_a_message(client, form_page):
    long_text = "x" * 101
    response = client.post(form_page.url, form_data(client, form_page, description=long_text, last_name="y" * 151))
    page = response.content.decode()
    assert "id_description_error" in page
    assert "id_last_name_error" in page
    assert long_text in page  # nothing lost
    assert not Complaint.objects.exists()


def test_html_and_script_are_stored_as_text_and_escaped(client, form_page):
    make_operator("handler", notify_on_new=True)
    script = '<script>alert("x")</script>'
    response = client.post(
        form_page.url, form_data(client, form_page, first_name=script, description=f"Testo {script}")
    )
    complaint = Complaint.objects.get()
    assert complaint.first_name == script
    assert script not in response.content.decode()
    for message in mail.outbox:
        assert script not in message.alternatives[0][0]
        assert "\n" not in message.subject
    patient_mail = next(m for m in mail.outbox if m.to == ["maria@example.com"])
    assert "&lt;script&gt;" in patient_mail.alternatives[0][0]


def test_resubmitting_the_same_form_does_not_duplicate(client, form_page):
    data = form_data(client, form_page)
    first = client.post(form_page.url, data)
    second = client.post(form_page.url, data)
    assert Complaint.objects.count() == 1
    reference = Complaint.objects.get().reference
    assert reference in first.content.decode()
    assert reference in second.content.decode()
    assert len([m for m in mail.outbox if m.to == ["maria@example.com"]]) == 1


def test_honeypot_stops_bots_with_a_message_for_humans(client, form_page):
    response = client.post(form_page.url, form_data(client, form_page, website="http://spam.example"))
    assert response.status_code == 200
    assert "id_website" in response.content.decode()
    assert not Complaint.objects.exists()


@override_settings(WAGTAIL_COMPLAINTS_SUBMIT_RATE="2/h")
def test_rate_limit_per_ip_keeps_what_was_typed(client, form_page):
    for _ in range(2):
        client.post(form_page.url, form_data(client, form_page))
    data = form_data(client, form_page, description="Terzo invio, testo conservato")
    response = client.post(form_page.url, data)
    assert response.status_code == 429
    assert "Terzo invio, testo conservato" in response.content.decode()
    assert Complaint.objects.count() == 2
    # Another address is not affected.
    response = client.post(form_page.url, form_data(client, form_page), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 200
    assert Complaint.objects.count() == 3


class BrokenMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@override_settings(EMAIL_BACKEND="tests.test_intake_form.BrokenMailServerBackend")
def test_smtp_failure_never_loses_the_complaint(client, form_page):
    response = client.post(form_page.url, form_data(client, form_page))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.reference in response.content.decode()
    email = Email.objects.get(complaint=complaint)
    assert email.status == "failed"
    assert email.attempts == 1
    assert "SMTP server down" in email.last_error


def test_failed_emails_are_sent_again_by_the_command(client, form_page):
    from django.core.management import call_command

    with override_settings(EMAIL_BACKEND="tests.test_intake_form.BrokenMailServerBackend"):
        client.post(form_page.url, form_data(client, form_page))
    assert Email.objects.get().status == "failed"
    assert len(mail.outbox) == 0
    call_command("send_complaint_emails", stdout=open("/dev/null", "w"))
    email = Email.objects.get()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1
    # Sent e-mails are never sent twice.
    call_command("send_complaint_emails", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1


def test_extra_questions_are_asked_and_stored(client):
    page = make_form_page()
    ComplaintFormField.objects.create(page=page, label="Numero di pratica", field_type="singleline", required=True)
    ComplaintFormField.objects.create(page=page, label="Description", field_type="singleline", required=False)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Numero di pratica" in html
    response = client.post(page.url, form_data(client, page))
    assert "id_extra_numero_di_pratica_error" in response.content.decode()
    client.post(page.url, form_data(client, page, extra_numero_di_pratica="AB-12", extra_description="altro"))
    complaint = Complaint.objects.get()
    assert complaint.extra_answers == {"Numero di pratica": "AB-12", "Description": "altro"}
    assert complaint.description.startswith("Ho atteso")  # an extra question never overwrites ours


def test_references_count_up_per_year(form_page, category):
    from .factories import make_complaint

    first = make_complaint(category=category)
    second = make_complaint(category=category)
    next_year = make_complaint(category=category, received_at=timezone.now() + datetime.timedelta(days=366))
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"{year}-000001", f"{year}-000002")
    assert next_year.reference == f"{year + 1}-000001"


class BrokenMailServerBackend(BrokenMailServer):
    """An e-mail backend whose server refuses every connection."""
