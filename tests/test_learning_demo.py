"""The demo's learning data: second-level bodies, improvement actions, referrals and the report page."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from wagtail.models import ModelLogEntry, Site

from wagtail_complaints.models import ComplaintLogEntry
from wagtail_complaints.learning.models import ComplaintsReportPage, ImprovementAction, Referral, SecondLevelBody
from wagtail_complaints.learning.report import public_report

pytestmark = pytest.mark.django_db


def quietly(*args, **kwargs):
    call_command(*args, stdout=open("/dev/null", "w"), **kwargs)


@override_settings(LANGUAGE_CODE="it")
def test_the_demo_has_actions_referrals_and_a_report_page_in_three_languages(client):
    quietly("load_demo")
    quietly("load_demo_complaints", count=300)
    counts = (ImprovementAction.objects.count(), Referral.objects.count(), ModelLogEntry.objects.count(), ComplaintLogEntry.objects.count())
    quietly("load_demo")
    quietly("load_demo_complaints", count=300)

    assert (ImprovementAction.objects.count(), Referral.objects.count(), ModelLogEntry.objects.count(), ComplaintLogEntry.objects.count()) == counts
    assert SecondLevelBody.objects.count() == 3 and ComplaintsReportPage.objects.count() == 3
    assert ImprovementAction.objects.filter(is_public=True, state="done").count() >= 3
    assert Referral.objects.exists() and ImprovementAction.objects.filter(complaints__isnull=False).exists()
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints_learning.refer").count() == Referral.objects.count()
    for url in ("/relazione-reclami/", "/en/complaints-report/", "/es/informe-reclamaciones/"):
        response = client.get(url)
        assert response.status_code == 200, url
    # The year the demo is mostly about, chosen with the page's own year field.
    this_year = timezone.localdate().year
    response = client.get("/en/complaints-report/", {"year": this_year})
    report = response.context["report"]
    # The demo's report page speaks for its own hospital (San Luca), not for the whole installation.
    san_luca = Site.objects.get(is_default_site=True)
    assert report.received > 0 and report.received == public_report(this_year, site=san_luca).received
    assert report.received < public_report(this_year).received
    assert "You said, we did" in response.content.decode()
