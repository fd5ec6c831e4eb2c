"""What a health-authority viewer sees of a complaint, through the admin pages and exports.

With "viewers see personal data" off (the default): no file (not even its name), no extra
answers, no recipient address, no rating comment, no closing note, no description or message
texts; the classification and figures stay. With it on, the viewer reads them like a handler.
"""

import pytest
from django.urls import reverse

from wagtail_complaints.models import ComplaintSettings

from .privacy_data import MARKERS, make_full_complaint

pytestmark = pytest.mark.django_db

HIDDEN = [
    "description",
    "extra",
    "answer",
    "reply",
    "note",
    "closing_note",
    "rating_comment",
    "attachment_name",
    "old_email",
    "patient",
]


@pytest.fixture
def full_complaint(handler):
    return make_full_complaint(handler)


def inspect_page(client, user, complaint):
    client.force_login(user)
    response = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def attachment_url(complaint):
    return reverse("wagtail_complaints_followup:attachment", args=[complaint.attachments.get().pk])


def allow_viewers(complaint):
    office = ComplaintSettings.for_site(complaint.site)
    office.viewers_see_personal_data = True
    office.save()


def test_a_viewer_sees_no_personal_data_on_the_complaint_screen(client, viewer, full_complaint):
    content = inspect_page(client, viewer, full_complaint)
    for name in HIDDEN:
        assert MARKERS[name] not in content, name
    assert "new.address@example.com" not in content
    assert attachment_url(full_complaint) not in content
    # What stays: the reference, the classification, the outcome, the rating number, the thread's shape.
    assert full_complaint.reference in content
    assert full_complaint.category.label() in content
    assert "Partly upheld" in content
    assert "4 out of 5" in content
    assert "Reply from the complainant" in content


def test_a_handler_sees_all_of_it(client, handler, full_complaint):
    content = inspect_page(client, handler, full_complaint)
    for name in HIDDEN:
        assert MARKERS[name] in content, name
    assert attachment_url(full_complaint) in content


def test_a_viewer_cannot_download_an_attachment(client, viewer, full_complaint):
    client.force_login(viewer)
    assert client.get(attachment_url(full_complaint)).status_code == 404


def test_a_viewer_allowed_by_the_office_reads_texts_and_files(client, viewer, full_complaint):
    allow_viewers(full_complaint)
    content = inspect_page(client, viewer, full_complaint)
    for name in HIDDEN:
        if name != "note":  # internal notes stay the office's own
            assert MARKERS[name] in content, name
    assert MARKERS["note"] not in content
    response = client.get(attachment_url(full_complaint))
    assert response.status_code == 200
    assert b"ATTACHMENT-CONTENT-MARKER" in b"".join(response.streaming_content)


def csv_export(client, url):
    response = client.get(url, {"export": "csv"})
    return b"".join(response.streaming_content).decode()


def test_the_inbox_export_and_search_keep_personal_data_from_a_viewer(client, viewer, handler, full_complaint):
    index = reverse("wagtail_complaints:index")
    client.force_login(viewer)
    export = csv_export(client, index)
    assert full_complaint.reference in export
    assert "new.address@example.com" not in export and "Rossi" not in export
    # Searching the texts would tell a viewer what a complaint says.
    assert full_complaint.reference not in client.get(index, {"q": "DESCRIPTION-MARKER"}).content.decode()
    client.force_login(handler)
    assert "new.address@example.com" in csv_export(client, index)
    assert full_complaint.reference in client.get(index, {"q": "DESCRIPTION-MARKER"}).content.decode()
