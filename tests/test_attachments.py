"""Attachments: checked by content, kept private, served only to the link holder and operators."""

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from wagtail_complaints.attachments import clean_name

from wagtail_complaints import actions
from wagtail_complaints.models import Attachment, Complaint, ComplaintSettings, Message, MessageKind

from .factories import complaint_form_data as form_data
from .factories import make_complaint

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name, content, content_type="application/pdf"):
    # The browser's content type is whatever the sender says: it must not matter.
    return SimpleUploadedFile(name, content, content_type=content_type)


def users_with(*codenames, username):
    user = get_user_model().objects.create_user(username, f"{username}@hospital.example", "password")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)


def reply_url(complaint):
    return reverse("wagtail_complaints_public:act", args=[complaint.access_token, "reply"])


def public_file_url(complaint, attachment):
    return reverse("wagtail_complaints_public:attachment", args=[complaint.access_token, attachment.pk])


# -- on the complaint form ----------------------------------------------------------------------


def test_form_offers_the_attachment_field_with_the_limits(client, form_page):
    content = client.get(form_page.url).content.decode()
    assert 'type="file"' in content and "multiple" in content
    assert "Up to 3 files (PDF, JPG, PNG), 10 MB each at most." in content


def test_files_on_the_complaint_form_are_stored_privately(client, form_page):
    data = form_data(
        client,
        form_page,
        attachments=[upload("referto.pdf", PDF), upload("foto.png", png_bytes(), "image/png"), upload("scan.JPG", jpeg_bytes(), "image/jpeg")],
    )
    response = client.post(form_page.url, data)
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    stored = {a.original_name: a for a in complaint.attachments.all()}
    assert set(stored) == {"referto.pdf", "foto.png", "scan.JPG"}
    assert stored["foto.png"].content_type == "image/png"
    assert stored["scan.JPG"].content_type == "image/jpeg"
    assert stored["referto.pdf"].message is None and stored["referto.pdf"].size == len(PDF)
    path = Path(stored["referto.pdf"].file.path)
    assert path.read_bytes() == PDF
    assert str(path).startswith(str(django_settings.WAGTAIL_COMPLAINTS_PRIVATE_ROOT))
    assert not str(path).startswith(str(django_settings.MEDIA_ROOT))
    assert "referto" not in path.name  # names may carry health details: never on disk
    with pytest.raises(ValueError):
        stored["referto.pdf"].file.url  # no public URL at all


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("referto.pdf", HTML, "is not a file we accept"),  # HTML disguised as a PDF
        ("foto.png", HTML, "is not a file we accept"),
        ("referto.html", HTML, "is not a file we accept"),
        ("foto.pdf", None, "is not a file we accept"),  # a real PNG claiming to be a PDF
        ("programma.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, "is not a file we accept"),
        ("vuoto.pdf", b"", "is empty"),
    ],
)
def test_refused_files_give_a_clear_error_and_keep_what_was_typed(client, form_page, name, content, reason):
    content = png_bytes() if content is None else content
    data = form_data(client, form_page, description="Il mio racconto dettagliato.", attachments=[upload(name, content)])
    response = client.post(form_page.url, data)
    page = response.content.decode()
    assert reason in page
    assert "please choose your files again" in page
    assert "Il mio racconto dettagliato." in page
    assert 'value="Maria"' in page
    assert not Complaint.objects.exists() and not Attachment.objects.exists()


def test_oversize_files_are_refused(client, form_page):
    office = ComplaintSettings.for_site(form_page.get_site())
    office.max_attachment_mb = 1
    office.save()
    big = PDF + b"0" * (1024 * 1024)
    response = client.post(form_page.url, form_data(client, form_page, attachments=[upload("grande.pdf", big)]))
    page = response.content.decode()
    assert "the largest file we accept is 1 MB" in page
    assert not Complaint.objects.exists()


def test_too_many_files_are_refused(client, form_page):
    files = [upload(f"doc{n}.pdf", PDF) for n in range(4)]
    response = client.post(form_page.url, form_data(client, form_page, attachments=files))
    assert "you can attach at most 3 files" in response.content.decode()
    assert not Complaint.objects.exists()


def test_valid_files_sent_back_with_another_error_must_be_chosen_again(client, form_page):
    data = form_data(client, form_page, first_name="", attachments=[upload("referto.pdf", PDF)])
    page = client.post(form_page.url, data).content.decode()
    assert "Browsers cannot keep chosen files" in page
    assert not Attachment.objects.exists()


def test_no_attachment_field_when_the_site_allows_none(client, form_page):
    office = ComplaintSettings.for_site(form_page.get_site())
    office.max_attachments = 0
    office.save()
    assert 'type="file"' not in client.get(form_page.url).content.decode()


# -- on replies, and downloads ------------------------------------------------------------------


def test_reply_with_a_file_then_only_the_link_holder_downloads_it(client, complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reply_url(complaint), {"reply-body": "Allego il referto.", "reply-attachments": [upload('referto "finale"\t.pdf', PDF)]}
        )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message.kind == MessageKind.COMPLAINANT_REPLY
    assert attachment.original_name == 'referto "finale".pdf'  # control characters dropped

    page = client.get(reverse("wagtail_complaints_public:follow_up", args=[complaint.access_token])).content.decode()
    assert public_file_url(complaint, attachment) in page

    response = client.get(public_file_url(complaint, attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "\n" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    stranger = make_complaint()
    assert client.get(public_file_url(stranger, attachment)).status_code == 404


def test_a_refused_file_on_a_reply_keeps_the_text(client, complaint):
    response = client.post(reply_url(complaint), {"reply-body": "Testo da non perdere.", "reply-attachments": [upload("x.pdf", HTML)]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Testo da non perdere." in page and "is not a file we accept" in page
    assert not Message.objects.exists()


def test_files_of_internal_notes_are_not_served_to_the_patient(client, complaint):
    operator = users_with("change_complaint", "view_complaint", "access_admin", username="urp")
    note = actions.add_note(complaint, operator, "Relazione del reparto.")
    attachment = Attachment(complaint=complaint, message=note, original_name="relazione.pdf", content_type="application/pdf", size=len(PDF))
    attachment.file.save("relazione.pdf", SimpleUploadedFile("relazione.pdf", PDF), save=True)
    assert client.get(public_file_url(complaint, attachment)).status_code == 404


def test_stored_unknown_types_are_served_as_octet_stream(client, complaint):
    attachment = Attachment(complaint=complaint, original_name="strano.html", content_type="text/html", size=len(HTML))
    attachment.file.save("strano.html", SimpleUploadedFile("strano.html", HTML), save=True)
    response = client.get(public_file_url(complaint, attachment))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_admin_download_needs_view_complaint_and_personal_data(complaint):
    attachment = Attachment(complaint=complaint, original_name="referto.pdf", content_type="application/pdf", size=len(PDF))
    attachment.file.save("referto.pdf", SimpleUploadedFile("referto.pdf", PDF), save=True)
    url = reverse("wagtail_complaints_followup:attachment", args=[attachment.pk])

    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    outsider = Client()
    outsider.force_login(users_with("access_admin", username="editor"))
    assert outsider.get(url).status_code in (302, 403)

    # Issue 15: files are personal data; a viewer the office does not allow finds nothing.
    viewer = Client()
    viewer.force_login(users_with("access_admin", "view_complaint", username="asl"))
    assert viewer.get(url).status_code == 404

    handler = Client()
    handler.force_login(users_with("access_admin", "view_complaint", "view_personal_data", username="urp"))
    response = handler.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "given, kept",
    [
        ("C:\\Users\\maria\\referto.pdf", "referto.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("re\r\nBcc: x@y.pdf", "reBcc: x@y.pdf"),
        ("", "file"),
    ],
)
def test_file_names_lose_folders_and_control_characters(given, kept):
    assert clean_name(given) == kept
