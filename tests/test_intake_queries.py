"""A submission costs a fixed number of queries, however many categories, services and complaints exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail_complaints.models import Category, Service

from .factories import complaint_form_data, make_complaint

pytestmark = pytest.mark.django_db


def submission_queries(client, page):
    data = complaint_form_data(client, page, service=Service.objects.order_by("pk").first().pk, description="Attesa")
    with CaptureQueriesContext(connection) as get_queries:
        client.get(page.url)
    with CaptureQueriesContext(connection) as post_queries:
        response = client.post(page.url, data)
    assert response.status_code == 200
    return len(get_queries), len(post_queries)


def test_query_count_does_not_grow_with_data(client, form_page):
    Service.objects.create(name="Radiologia")
    Category.objects.create(name="Sub", parent=Category.objects.get(name="Tempi"))
    submission_queries(client, form_page)  # warm caches and this year's reference counter
    few = submission_queries(client, form_page)

    for n in range(30):
        macro = Category.objects.create(name=f"Macro {n}")
        Category.objects.create(name=f"Sub {n}", parent=macro)
        Service.objects.create(name=f"Servizio {n}")
    for _ in range(20):
        make_complaint()
    submission_queries(client, form_page)  # the new categories are read once, then remembered
    many = submission_queries(client, form_page)

    assert many == few
