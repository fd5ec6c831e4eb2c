"""Answer templates as handlers use them: inserted without losing text, in the complaint's language."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from wagtail_complaints.models import AnswerTemplate, Complaint, ComplaintSettings
from wagtail_complaints.workflow import Status

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_client(client, handler):
    client.force_login(handler)
    client.defaults["HTTP_SEC_FETCH_SITE"] = "same-origin"  # the handler's own navigation (takes in charge)
    return client


def inspect_url(complaint):
    return reverse("wagtail_complaints:inspect", args=[complaint.pk])


def answer_url(complaint):
    return reverse("wagtail_complaints:transition", args=[complaint.pk, "answer"])


def answer_box(content):
    # Django writes a newline after the opening tag.
    return re.search(r'<textarea name="answer-body"[^>]*>\n?(.*?)</textarea>', content, re.S).group(1)


def test_inserting_a_template_keeps_what_was_typed_and_sends_nothing(handler_client, complaint):
    office = ComplaintSettings.for_site(complaint.site)
    office.office_name = "URP San Luca"
    office.save()
    template = AnswerTemplate.objects.create(
        title="Inoltro", language="en", body="Complaint {reference}: we answer by {answer_by}. {office_name}, {first_name}."
    )
    handler_client.get(inspect_url(complaint))

    response = handler_client.post(
        answer_url(complaint),
        {
            "answer-expected_status": Status.TAKEN_IN_CHARGE,
            "answer-body": "We checked with the ward <b>today</b>.",
            "answer-template": template.pk,
            "insert_template": "1",
        },
    )

    assert response.status_code == 200
    box = answer_box(response.content.decode())
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert box.startswith("We checked with the ward &lt;b&gt;today&lt;/b&gt;.\n\nComplaint " + complaint.reference)
    assert "URP San Luca, Maria." in box
    assert "{" not in box
    # Nothing was sent or changed: it is still a draft in the handler's form, drawn from the same state.
    assert complaint.status == Status.TAKEN_IN_CHARGE
    assert not complaint.messages.exists()
    assert f'name="answer-expected_status" value="{Status.TAKEN_IN_CHARGE}"' in response.content.decode()


def test_inserting_without_choosing_a_template_keeps_the_text(handler_client, complaint):
    AnswerTemplate.objects.create(title="Uno", body="Testo")
    handler_client.get(inspect_url(complaint))
    response = handler_client.post(
        answer_url(complaint),
        {"answer-expected_status": Status.TAKEN_IN_CHARGE, "answer-body": "Mio testo", "insert_template": "1"},
    )
    assert answer_box(response.content.decode()) == "Mio testo"
    assert "Choose a template to insert." in response.content.decode()


def test_only_templates_in_the_complaints_language_are_offered(handler_client, category):
    AnswerTemplate.objects.create(title="Scuse IT", language="it", body="Ci scusiamo.")
    AnswerTemplate.objects.create(title="Apology EN", language="en", body="We apologise.")
    AnswerTemplate.objects.create(title="Every language", language="", body="…")
    AnswerTemplate.objects.create(title="Retired EN", language="en", body="Old.", is_active=False)
    complaint = make_complaint(category=category, language="en")
    content = handler_client.get(inspect_url(complaint)).content.decode()
    assert "Apology EN" in content and "Every language" in content
    assert "Scuse IT" not in content and "Retired EN" not in content

    # A template of another language cannot be inserted by posting its id either.
    italian = AnswerTemplate.objects.get(title="Scuse IT")
    response = handler_client.post(
        answer_url(complaint),
        {"answer-expected_status": Status.TAKEN_IN_CHARGE, "answer-body": "", "answer-template": italian.pk, "insert_template": "1"},
    )
    assert "Ci scusiamo." not in response.content.decode()


def test_the_patient_is_greeted_once(handler_client, category, django_capture_on_commit_callbacks):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    complaint = make_complaint(category=category, language="it")
    template = AnswerTemplate.objects.get(language="it", title="Segnalazione inoltrata al servizio")
    handler_client.get(inspect_url(complaint))
    with django_capture_on_commit_callbacks(execute=True):
        handler_client.post(
            answer_url(complaint),
            {"answer-expected_status": Status.TAKEN_IN_CHARGE, "answer-body": "", "answer-template": template.pk},
        )
    body = mail.outbox[-1].body
    assert body.count("Gentile") + body.count("Dear") == 1
    assert complaint.reference in body and "{" not in body


def test_demo_ships_templates_in_three_languages_none_greeting(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))  # idempotent
    languages = AnswerTemplate.objects.values_list("language", flat=True)
    assert sorted(set(languages)) == ["en", "es", "it"]
    assert AnswerTemplate.objects.count() == 9
    for template in AnswerTemplate.objects.all():
        template.full_clean()  # no greeting: the e-mail greets


def test_a_template_that_greets_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("wagtail_complaints_answer_templates:add"),
        {"title": "Saluto", "language": "it", "body": "Gentile signora, ci scusiamo.", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Start without a greeting" in response.content.decode()
    assert not AnswerTemplate.objects.exists()


def test_a_template_language_must_be_one_of_the_sites(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("wagtail_complaints_answer_templates:add"),
        {"title": "X", "language": "de", "body": "Text", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not AnswerTemplate.objects.exists()


def test_the_answer_box_comes_before_the_internal_note(handler_client, complaint):
    content = handler_client.get(inspect_url(complaint)).content.decode()
    assert 0 < content.index('name="answer-body"') < content.index('name="body"')
