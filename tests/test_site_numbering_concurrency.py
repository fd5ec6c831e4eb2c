"""Two hospitals filing at the same moment: each series stays consecutive (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from wagtail.models import Page, Site

from wagtail_complaints.models import Category, Complaint, ComplaintSettings

from .factories import make_complaint

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks and concurrent connections"
)

PER_SITE = 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_filings_on_two_sites_are_consecutive_per_site():
    category = Category.objects.first()
    san_luca = Site.objects.get(is_default_site=True)
    home = Page.objects.get(depth=1).add_child(instance=Page(title="Santa Maria", slug="santa-maria"))
    santa_maria = Site.objects.create(hostname="127.0.0.1", root_page=home, site_name="Santa Maria")
    for site, prefix in ((san_luca, "SL-"), (santa_maria, "SM-")):
        office = ComplaintSettings.for_site(site)
        office.reference_prefix = prefix
        office.save()
    sites = [san_luca, santa_maria] * PER_SITE
    barrier = threading.Barrier(len(sites))
    errors = []

    def file_one(site):
        try:
            barrier.wait(timeout=10)
            # As filing does: the prefix is the complaint's site's.
            prefix = ComplaintSettings.for_site(site).reference_prefix
            make_complaint(category=category, site=site, reference_prefix=prefix)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_one, args=(site,)) for site in sites]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    year = timezone.localdate().year
    for site, prefix in ((san_luca, "SL-"), (santa_maria, "SM-")):
        references = sorted(Complaint.objects.filter(site=site).values_list("reference", flat=True))
        assert references == [f"{prefix}{year}-{n:06d}" for n in range(1, PER_SITE + 1)]
