"""Each hospital numbers its complaints on its own, with its own prefix; references stay unique."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints.models import Category, Complaint, ComplaintFormPage, ComplaintSettings, ReferenceCounter

from .factories import complaint_form_data, make_complaint

YEAR = timezone.localdate().year


def second_hospital(prefix="SM-"):
    """Santa Maria: its own site (answered at 127.0.0.1), home page and complaint form page."""
    home = Page.objects.get(depth=1).add_child(instance=Page(title="Ospedale Santa Maria", slug="santa-maria"))
    site = Site.objects.create(hostname="127.0.0.1", port=80, root_page=home, site_name="Santa Maria")
    page = home.add_child(instance=ComplaintFormPage(title="Reclami", slug="reclami"))
    page.save_revision().publish()
    settings = ComplaintSettings.for_site(site)
    settings.reference_prefix = prefix
    settings.save()
    return site, ComplaintFormPage.objects.get(pk=page.pk)


def first_hospital(prefix="SL-"):
    site = Site.objects.get(is_default_site=True)
    settings = ComplaintSettings.for_site(site)
    settings.reference_prefix = prefix
    settings.save()
    page = site.root_page.add_child(instance=ComplaintFormPage(title="Reclami", slug="reclami-san-luca"))
    page.save_revision().publish()
    return site, ComplaintFormPage.objects.get(pk=page.pk)


def file_on(client, page, host):
    client.defaults["HTTP_HOST"] = host
    path = page.relative_url(page.get_site())
    data = complaint_form_data(client, type("Page", (), {"url": path}))
    response = client.post(path, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return Complaint.objects.get(submission_key=data["submission_key"])


@pytest.mark.django_db
def test_each_hospital_counts_on_its_own(committing_client):
    san_luca, san_luca_page = first_hospital()
    santa_maria, santa_maria_page = second_hospital()
    first = file_on(committing_client, san_luca_page, "localhost")
    second = file_on(committing_client, san_luca_page, "localhost")
    other = file_on(committing_client, santa_maria_page, "127.0.0.1")
    assert (first.site, other.site) == (san_luca, santa_maria)
    assert [first.reference, second.reference] == [f"SL-{YEAR}-000001", f"SL-{YEAR}-000002"]
    assert other.reference == f"SM-{YEAR}-000001"


@pytest.mark.django_db
def test_operator_registration_numbers_in_the_sites_series(client, handler, category):
    first_hospital()
    santa_maria, _page = second_hospital()
    make_complaint(category=category, site=Site.objects.get(is_default_site=True))
    client.force_login(handler)
    client.defaults.update(HTTP_SEC_FETCH_SITE="same-origin", HTTP_HOST="127.0.0.1")
    response = client.post(
        reverse("wagtail_complaints:add"),
        {
            # An operator of both hospitals chooses where the complaint belongs.
            "site": santa_maria.pk,
            "channel": "phone",
            "received_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
            "category": category.pk,
            "description": "Telefonata sul parcheggio",
            "first_name": "Luigi",
            "last_name": "Verdi",
            "phone": "333 1234567",
            "contact_preference": "phone",
            "language": "it",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Complaint.objects.get(last_name="Verdi").reference == f"SM-{YEAR}-000001"


@pytest.mark.django_db
def test_two_hospitals_cannot_share_a_prefix():
    first_hospital("SL-")
    site, _page = second_hospital("SM-")
    settings = ComplaintSettings.for_site(site)
    settings.reference_prefix = "SL-"
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "uses this prefix too" in " ".join(error.value.message_dict["reference_prefix"])


@pytest.mark.django_db
def test_a_prefix_never_gives_a_number_twice(category):
    # References under a prefix that has no counter yet (a prefix given back, imported data).
    make_complaint(category=category)
    Complaint.objects.filter().update(reference=f"SL-{YEAR}-000007")
    ReferenceCounter.objects.filter(prefix="SL-").delete()
    complaint = Complaint(category=category)
    complaint.received_at = timezone.now()
    complaint.assign_reference(prefix="SL-")
    assert complaint.reference == f"SL-{YEAR}-000008"


@pytest.mark.django_db
def test_the_same_number_under_two_prefixes_is_two_references(category):
    a = make_complaint(category=category)
    complaint = Complaint(category=category, received_at=timezone.now())
    complaint.assign_reference(prefix="SM-")
    assert a.reference == f"{YEAR}-000001"
    assert complaint.reference == f"SM-{YEAR}-000001"
    assert set(ReferenceCounter.objects.values_list("prefix", "year", "last_number")) == {
        ("", YEAR, 1),
        ("SM-", YEAR, 1),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upgrading_keeps_the_count_for_every_prefix_in_use():
    """An installation numbered before this change goes on from where it was, under each prefix."""
    executor = MigrationExecutor(connection)
    before = [("wagtail_complaints", "0010_to_be_classified_reply_address")]
    after = executor.loader.graph.leaf_nodes("wagtail_complaints")
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        old_apps.get_model("wagtail_complaints", "ReferenceCounter").objects.create(year=YEAR, last_number=41)
        settings = old_apps.get_model("wagtail_complaints", "ComplaintSettings")
        settings.objects.create(site_id=Site.objects.get(is_default_site=True).pk, reference_prefix="URP-")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert set(ReferenceCounter.objects.values_list("prefix", "year", "last_number")) == {
        ("", YEAR, 41),
        ("URP-", YEAR, 41),
    }
    assert ReferenceCounter.next_number(YEAR, "URP-") == 42
    assert ReferenceCounter.next_number(YEAR, "") == 42
    assert ReferenceCounter.next_number(YEAR, "SM-") == 1
    assert Category.objects.exists()
