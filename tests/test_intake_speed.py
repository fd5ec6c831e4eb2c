"""What makes a submission cheap must never make it stale or lose its e-mails.

The public form remembers its questions, choices and office settings between requests
(intake_cache.py), and writes one task per event into the task table inside the complaint's
transaction when the queue is that table (django-tasks-db).
"""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wagtail_complaints.models import Category, Complaint, ComplaintFormField, ComplaintFormPage, ComplaintSettings, Email

from .factories import complaint_form_data as form_data
from .factories import make_operator

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def client(committing_client):
    return committing_client


def test_a_category_no_longer_offered_is_refused_at_the_next_submission(client, form_page):
    assert client.post(form_page.url, form_data(client, form_page)).status_code == 200  # remembered now
    form_page.categories.add(Category.objects.get(name="Informazione"))
    form_page.save_revision().publish()

    response = client.post(form_page.url, form_data(client, form_page))  # still "Tempi"

    assert "id_category_error" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_a_deactivated_category_is_refused_at_the_next_submission(client, form_page):
    client.post(form_page.url, form_data(client, form_page))
    tempi = Category.objects.get(name="Tempi")
    tempi.is_active = False
    tempi.save()

    response = client.post(form_page.url, form_data(client, form_page, category=tempi.pk))

    assert "id_category_error" in response.content.decode()
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999999999"])
def test_a_malformed_category_is_refused(client, form_page, value):
    client.post(form_page.url, form_data(client, form_page))

    response = client.post(form_page.url, form_data(client, form_page, category=value))

    assert "id_category_error" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_new_office_settings_apply_to_the_next_submission(client, form_page):
    client.post(form_page.url, form_data(client, form_page))
    office = ComplaintSettings.for_site(form_page.get_site())
    office.answer_within_days = 10
    office.reference_prefix = "URP-"
    office.save()

    client.post(form_page.url, form_data(client, form_page))

    latest = Complaint.objects.latest("pk")
    assert latest.answer_by == timezone.localdate() + datetime.timedelta(days=10)
    assert latest.reference.startswith("URP-")


def test_a_new_extra_question_is_asked_at_the_next_request(client, form_page):
    assert "Bed number" not in client.get(form_page.url).content.decode()
    ComplaintFormField.objects.create(page=form_page, label="Bed number", field_type="singleline", required=False)

    assert "Bed number" in client.get(form_page.url).content.decode()
    client.post(form_page.url, {**form_data(client, form_page), "extra_bed_number": "12"})
    assert Complaint.objects.get().extra_answers == {"Bed number": "12"}


def test_preview_shows_the_editors_unsaved_question(admin_client, form_page):
    admin_client.get(form_page.url)  # the live form is remembered
    draft = ComplaintFormPage.objects.get(pk=form_page.pk)
    draft.form_fields.add(ComplaintFormField(label="Draft question", field_type="singleline"))

    response = draft.make_preview_request()

    assert "Draft question" in response.content.decode()
    assert "Draft question" not in admin_client.get(form_page.url).content.decode()


@override_settings(TASKS=DATABASE_QUEUE)
def test_one_task_per_event_is_written_with_the_complaint_and_a_worker_sends_it(client, form_page):
    flagged = make_operator("handler", notify_on_new=True)

    client.post(form_page.url, form_data(client, form_page))

    task = DBTaskResult.objects.get()
    assert task.task_path == "wagtail_complaints.tasks.send_emails"
    assert sorted(task.args_kwargs["args"][0]) == sorted(Email.objects.values_list("pk", flat=True))
    assert Email.objects.count() == 2 and not mail.outbox

    # What the worker runs (db_worker itself closes the connection, which a test transaction can't survive).
    task.task.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])

    assert sorted(m.to[0] for m in mail.outbox) == sorted(["maria@example.com", flagged.user.email])
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_failed_submission_leaves_neither_outbox_rows_nor_a_task(client, form_page, monkeypatch):
    def notify_then_fail(self, complaint):
        original_notify(self, complaint)
        raise RuntimeError("the database went away")

    original_notify = ComplaintFormPage.notify
    monkeypatch.setattr(ComplaintFormPage, "notify", notify_then_fail)

    with pytest.raises(RuntimeError):
        client.post(form_page.url, form_data(client, form_page))

    assert not Complaint.objects.exists()
    assert not Email.objects.exists()
    assert not DBTaskResult.objects.exists()
