"""The demo content loads on an empty database, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Page

from wagtail_complaints.models import ComplaintFormPage, Operator, Service

pytestmark = pytest.mark.django_db


@override_settings(LANGUAGE_CODE="it")
def test_load_demo_is_idempotent(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (Page.objects.count(), Service.objects.count(), Operator.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (Page.objects.count(), Service.objects.count(), Operator.objects.count()) == counts

    assert ComplaintFormPage.objects.count() == 3
    for url in ("/reclami/", "/en/complaints/", "/es/reclamaciones/"):
        assert client.get(url).status_code == 200
    assert set(Operator.objects.values_list("role", flat=True)) == {"administrator", "handler", "viewer"}
