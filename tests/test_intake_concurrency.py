"""Reference numbers stay unique when many patients file at the same moment (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from wagtail_complaints.models import Category, Complaint

from .factories import make_complaint

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks and concurrent connections"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_filings_get_distinct_consecutive_references():
    from django.db import connections

    category = Category.objects.first()
    barrier = threading.Barrier(8)
    errors = []

    def file_one():
        try:
            barrier.wait(timeout=10)
            make_complaint(category=category)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(int(ref.rsplit("-", 1)[1]) for ref in Complaint.objects.values_list("reference", flat=True))
    assert numbers == list(range(1, 9))
