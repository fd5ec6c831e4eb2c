"""The patient's whole journey, as the issue's "done when" tells it, in each language."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wagtail_complaints import actions
from wagtail_complaints.models import Category, Complaint, Service

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def handler_user(db):
    user = get_user_model().objects.create_user("urp", "urp@hospital.example", "password")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_complaint", "view_complaint", "view_personal_data", "access_admin"])
    )
    return get_user_model().objects.get(pk=user.pk)


def link_in(message):
    return re.search(r"http://\S+/complaints/[0-9a-f]{64}/", message.body).group(0)


@pytest.mark.parametrize("language", ["it", "en", "es"])
def test_file_follow_reply_reopen_and_rate(language, form_page, handler_user, django_capture_on_commit_callbacks):
    def commit():
        return django_capture_on_commit_callbacks(execute=True)

    patient = Client()
    with translation.override(language):
        page_url = form_page.url if language == "en" else f"/{language}{form_page.url}"
    form = patient.get(page_url).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', form).group(1)
    with commit():
        patient.post(
            page_url,
            {
                "category": Category.objects.get(name="Tempi").pk,
                "service": Service.objects.create(name="Radiologia").pk,
                "description": "Sei ore di attesa.",
                "first_name": "Ana",
                "last_name": "García",
                "email": "ana@example.com",
                "contact_preference": "email",
                "privacy_accepted": "on",
                "submission_key": key,
                "attachments": [SimpleUploadedFile("ricevuta.pdf", PDF)],
            },
        )
    complaint = Complaint.objects.get()
    assert complaint.language == language
    (received,) = mail.outbox
    link = link_in(received)
    path = link.split("localhost", 1)[-1].split("testserver", 1)[-1]
    assert path == (f"/{language}" if language != "en" else "") + f"/complaints/{complaint.access_token}/"
    page = patient.get(path)
    assert page.status_code == 200 and f'<html lang="{language}">' in page.content.decode()
    assert "ricevuta.pdf" in page.content.decode()

    operator = Client()
    operator.force_login(handler_user)
    with commit():
        inspect = operator.get(reverse("wagtail_complaints:inspect", args=[complaint.pk]), HTTP_SEC_FETCH_SITE="same-origin")
    assert "ricevuta.pdf" in inspect.content.decode()  # the follow-up panel
    with commit():
        actions.answer(Complaint.objects.get(pk=complaint.pk), handler_user, "Ci scusiamo: abbiamo parlato con il reparto.")
    assert Complaint.objects.get(pk=complaint.pk).status == "awaiting_reply"
    assert "Ci scusiamo" in patient.get(path).content.decode()

    with commit():
        patient.post(path + "reply/", {"reply-body": "Grazie della risposta."})
    with commit():
        actions.close(Complaint.objects.get(pk=complaint.pk), handler_user, "upheld")
    with commit():
        patient.post(path + "reopen/", {"reopen-reason": "Il problema si è ripetuto."})
    assert Complaint.objects.get(pk=complaint.pk).status == "awaiting_reply"
    with commit():
        actions.close(Complaint.objects.get(pk=complaint.pk), handler_user, "partly_upheld")
    with commit():
        patient.post(path + "rate/", {"rate-rating": "4", "rate-comment": "Bene alla fine."})
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert (complaint.status, complaint.reopen_count, complaint.rating) == ("closed", 1, 4)

    patient_mail = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert len(patient_mail) >= 5  # received, taken in charge, answered, closed twice
    for message in patient_mail:
        assert complaint.reference in message.subject
        assert link in message.body
    panel = operator.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert "Bene alla fine." in panel  # the rating, in the follow-up panel
