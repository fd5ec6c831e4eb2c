"""Removing a complaint's personal data leaves no copy behind: not in the history of corrections,
not in the e-mail intake's original messages, and a later correction cannot put any back."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from wagtail_complaints import actions
from wagtail_complaints.mailin.models import IncomingEmail, Result
from wagtail_complaints.models import Complaint, Outcome, PersonalDataRemoval
from wagtail_complaints.privacy.anonymise import remove_personal_data

from .mail_helpers import eml, pipe
from .test_backoffice_integrity import client_for, corrections_logged, drawn_form, edit_url, fresh, inspect_url

pytestmark = pytest.mark.django_db


def closed(complaint, handler):
    complaint = actions.take_in_charge(fresh(complaint), handler)
    return actions.close(complaint, handler, Outcome.UPHELD)


def test_the_history_forgets_the_corrected_personal_values_and_keeps_the_rest(handler, complaint, category):
    client = client_for(handler)
    other_category = type(category).objects.exclude(pk=category.pk).filter(parent=None).first()
    form = drawn_form(client, complaint)
    client.post(edit_url(complaint), {**form, "phone": "0461 123456", "category": other_category.pk})

    remove_personal_data(closed(complaint, handler), PersonalDataRemoval.REQUEST, by=handler)

    assert corrections_logged(complaint).get().data["changes"] == [
        {"field": "category", "before": category.label(), "after": other_category.label()},
        {"field": "phone", "before": "", "after": ""},
    ]
    assert "0461 123456" not in client.get(inspect_url(complaint)).content.decode()


def test_an_anonymised_complaint_cannot_be_corrected(handler, complaint):
    client = client_for(handler)
    form = drawn_form(client, complaint)
    remove_personal_data(closed(complaint, handler), PersonalDataRemoval.REQUEST, by=handler)

    shown = client.get(edit_url(complaint))
    posted = client.post(edit_url(complaint), {**form, "phone": "0461 123456", "first_name": "Mario"})

    assert shown.status_code == posted.status_code == 302
    assert shown["Location"] == inspect_url(complaint)
    assert "nothing left to correct" in str(list(get_messages(posted.wsgi_request))[0])
    assert (fresh(complaint).phone, fresh(complaint).first_name) == ("", "")
    assert not corrections_logged(complaint).exists()


def test_the_original_e_mail_goes_with_the_personal_data(client, handler):
    pipe(eml("html_only.eml"))
    incoming = IncomingEmail.objects.get()
    assert incoming.result == Result.NEW_COMPLAINT
    original_name = incoming.original.name
    storage = incoming.original.storage

    remove_personal_data(closed(incoming.complaint, handler), PersonalDataRemoval.REQUEST, by=handler)

    incoming.refresh_from_db()
    assert not incoming.original and not storage.exists(original_name)
    assert (incoming.sender, incoming.subject) == ("", "")
    client.force_login(handler)
    page = client.get(reverse("wagtail_complaints_mailin:inspect", args=[incoming.pk])).content.decode()
    assert "removed together with the complaint's personal data" in page
    assert "padiglione B" not in page
    assert client.get(reverse("wagtail_complaints_mailin:original", args=[incoming.pk])).status_code == 404
    # The same message delivered again is still recognised, and files no second complaint.
    pipe(eml("html_only.eml"))
    assert Complaint.objects.count() == 1 and IncomingEmail.objects.count() == 1
