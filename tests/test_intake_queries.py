"""A submission costs a fixed number of queries, however many categories, services and complaints exist."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail_complaints.models import Category, Service

from .factories import make_complaint

pytestmark = pytest.mark.django_db


def submission_queries(client, page):
    html = client.get(page.url).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
    data = {
        "category": Category.objects.get(name="Tempi").pk,
        "service": Service.objects.order_by("pk").first().pk,
        "description": "Attesa",
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria@example.com",
        "contact_preference": "email",
        "privacy_accepted": "on",
        "submission_key": key,
    }
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
    many = submission_queries(client, form_page)

    assert many == few
