"""The demo content loads on an empty database, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Page, Site

from wagtail_complaints.models import Complaint, ComplaintFormPage, ComplaintSettings, Operator, Service

pytestmark = pytest.mark.django_db

# Where `make demo` says each hospital answers: the same server under the machine's two names.
SAN_LUCA_HOST = {"HTTP_HOST": "127.0.0.1:8000"}
SANTA_MARIA_HOST = {"HTTP_HOST": "localhost:8000"}
demo_server = override_settings(
    LANGUAGE_CODE="it", WAGTAILADMIN_BASE_URL="http://127.0.0.1:8000", ALLOWED_HOSTS=["127.0.0.1", "localhost"]
)


@demo_server
def test_load_demo_is_idempotent(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = (Page.objects.count(), Service.objects.count(), Operator.objects.count(), Site.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert (Page.objects.count(), Service.objects.count(), Operator.objects.count(), Site.objects.count()) == counts

    assert ComplaintFormPage.objects.count() == 6  # two hospitals, three languages each
    for url in ("/reclami/", "/en/complaints/", "/es/reclamaciones/"):
        assert client.get(url, **SAN_LUCA_HOST).status_code == 200
        assert client.get(url, **SANTA_MARIA_HOST).status_code == 200
    assert set(Operator.objects.values_list("role", flat=True)) == {"administrator", "handler", "viewer"}


@demo_server
def test_the_demo_has_two_hospitals_each_with_its_own_office(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    san_luca = Site.objects.get(is_default_site=True)
    santa_maria = Site.objects.get(is_default_site=False)
    assert (san_luca.hostname, san_luca.port) == ("127.0.0.1", 8000)
    assert (santa_maria.hostname, santa_maria.port) == ("localhost", 8000)
    assert "Santa Maria" in client.get("/", **SANTA_MARIA_HOST).content.decode()
    assert "San Luca" in client.get("/", **SAN_LUCA_HOST).content.decode()
    assert "Santa Maria" not in client.get("/", **SAN_LUCA_HOST).content.decode()

    form = client.get("/reclami/", **SANTA_MARIA_HOST).content.decode()
    assert "Oncologia" in form  # its own services
    assert "Oncologia" not in client.get("/reclami/", **SAN_LUCA_HOST).content.decode()
    assert ComplaintSettings.for_site(santa_maria).reference_prefix == "SM-"
    assert ComplaintSettings.for_site(santa_maria).office_name != ComplaintSettings.for_site(san_luca).office_name

    sites = {o.user.username: set(o.sites.values_list("site_name", flat=True)) for o in Operator.objects.all()}
    assert sites["operatore"] == {"Ospedale San Luca"}
    assert sites["operatore-sm"] == sites["admin-sm"] == {"Ospedale Santa Maria"}
    assert sites["asl"] == sites["admin"] == set()  # the authority's: every hospital


def test_the_demo_complaints_fill_both_offices_and_each_handler_sees_their_own(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo_complaints", count=30, stdout=open("/dev/null", "w"))
    santa_maria = Site.objects.get(is_default_site=False)
    assert Complaint.objects.filter(site=santa_maria).count() == 10
    assert Complaint.objects.exclude(site=santa_maria).count() == 20
    assert all(ref.startswith("SM-") for ref in Complaint.objects.filter(site=santa_maria).values_list("reference", flat=True))

    theirs = Complaint.objects.filter(site=santa_maria).first()
    client.login(username="operatore", password="demo-operatore")
    assert client.get(reverse("wagtail_complaints:inspect", args=[theirs.pk])).status_code == 404
    client.login(username="operatore-sm", password="demo-operatore-sm")
    assert client.get(reverse("wagtail_complaints:inspect", args=[theirs.pk])).status_code == 200
    client.login(username="asl", password="demo-asl")
    assert "By hospital" in client.get(reverse("wagtail_complaints_stats:index")).content.decode()


def test_serving_the_demo_elsewhere_moves_both_hospitals(settings):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    settings.WAGTAILADMIN_BASE_URL = "http://localhost:8011"
    call_command("serve_demo_at", stdout=open("/dev/null", "w"))
    san_luca, santa_maria = Site.objects.get(is_default_site=True), Site.objects.get(is_default_site=False)
    assert (san_luca.hostname, san_luca.port) == ("localhost", 8011)
    assert (santa_maria.hostname, santa_maria.port) == ("127.0.0.1", 8011)
