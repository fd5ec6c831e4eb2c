"""The inbox: columns, filters, search, exports, and a query count that does not grow with the page."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wagtail_complaints.models import Category, ComplaintSettings, Service

from .factories import make_complaint, make_form_page

pytestmark = pytest.mark.django_db

INDEX = "wagtail_complaints:index"


def inbox(client, user, **params):
    client.force_login(user)
    return client.get(reverse(INDEX), params)


def references(response):
    return {c.reference for c in response.context["object_list"]}


def test_inbox_lists_complaints_with_their_columns(client, handler, complaint):
    response = inbox(client, handler)
    assert response.status_code == 200
    content = response.content.decode()
    assert complaint.reference in content
    assert complaint.category.label() in content
    assert "Pronto soccorso" in content
    assert "days left" in content
    assert reverse("wagtail_complaints:inspect", args=[complaint.pk]) in content


def test_overdue_is_shown_clearly(client, handler, category):
    overdue = make_complaint(category=category, answer_by=timezone.localdate() - datetime.timedelta(days=3))
    content = inbox(client, handler).content.decode()
    assert overdue.reference in content
    assert "overdue by 3 days" in content


def test_filters(client, handler, category, service):
    other_category = Category.objects.get(name="Informazione")
    other_service = Service.objects.create(name="Radiologia")
    today = timezone.localdate()
    mine = make_complaint(category=category, service=service, assigned_to=handler)
    by_phone = make_complaint(category=other_category, service=other_service, channel="phone")
    late = make_complaint(category=category, service=other_service, answer_by=today - datetime.timedelta(days=1))
    old = make_complaint(
        category=category,
        service=service,
        received_at=timezone.now() - datetime.timedelta(days=90),
        answer_by=today + datetime.timedelta(days=5),
    )
    page = make_form_page()
    from_page = make_complaint(category=category, service=service, page=page)

    assert references(inbox(client, handler, assigned="me")) == {mine.reference}
    assert mine.reference not in references(inbox(client, handler, assigned="nobody"))
    assert references(inbox(client, handler, channel="phone")) == {by_phone.reference}
    assert references(inbox(client, handler, category=other_category.pk)) == {by_phone.reference}
    assert references(inbox(client, handler, service=other_service.pk)) == {by_phone.reference, late.reference}
    assert references(inbox(client, handler, overdue="true")) == {late.reference}
    assert late.reference not in references(inbox(client, handler, overdue="false"))
    assert references(inbox(client, handler, form_page=page.pk)) == {from_page.reference}
    recent = references(inbox(client, handler, received_from=(today - datetime.timedelta(days=10)).isoformat()))
    assert old.reference not in recent and mine.reference in recent
    assert references(inbox(client, handler, status="pending")) >= {mine.reference, old.reference}
    assert references(inbox(client, handler, status="closed")) == set()
    assert mine.reference in references(inbox(client, handler, due_within=40))


def test_macro_category_includes_its_sub_categories(client, handler, category):
    child = Category.objects.create(name="Attesa al pronto soccorso", parent=category)
    complaint = make_complaint(category=child)
    assert complaint.reference in references(inbox(client, handler, category=category.pk))


def test_bad_filter_values_do_not_break_the_inbox(client, handler, complaint):
    response = inbox(client, handler, category="nope", overdue="maybe", received_from="yesterday", due_within="-4")
    assert response.status_code == 200


def test_search_by_reference_name_and_text(client, handler, category):
    a = make_complaint(category=category, last_name="Esposito", description="Il bagno era sporco")
    b = make_complaint(category=category, last_name="Bianchi", description="Nessuno rispondeva al telefono")
    assert references(inbox(client, handler, q="Esposito")) == {a.reference}
    assert references(inbox(client, handler, q="telefono")) == {b.reference}
    assert references(inbox(client, handler, q=b.reference)) == {b.reference}


def test_viewers_cannot_search_by_name(client, viewer, category):
    make_complaint(category=category, last_name="Esposito", description="Il bagno era sporco")
    assert references(inbox(client, viewer, q="Esposito")) == set()


def test_query_count_does_not_grow_with_the_page_size(client, handler, category, service, monkeypatch):
    from wagtail_complaints.views.admin import ComplaintIndexView

    child = Category.objects.create(name="Attesa", parent=category)
    for n in range(30):
        make_complaint(category=child if n % 2 else category, service=service, assigned_to=handler)
    client.force_login(handler)
    url = reverse(INDEX)
    client.get(url)  # warm per-process caches (content types, site settings)

    def queries_for(page_size):
        monkeypatch.setattr(ComplaintIndexView, "get_paginate_by", lambda self, queryset: page_size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.context["object_list"]) == page_size
        return len(queries)

    assert queries_for(5) == queries_for(25)


def read_csv(response):
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def test_csv_export_follows_the_filters(client, handler, category):
    phone = make_complaint(category=category, channel="phone", first_name="Gino")
    make_complaint(category=category, channel="web")
    response = inbox(client, handler, channel="phone", export="csv")
    assert response.status_code == 200
    rows = read_csv(response)
    assert len(rows) == 2
    assert rows[1][0] == phone.reference
    assert "Gino" in rows[1]
    assert category.label() in rows[1]


def test_xlsx_export(client, handler, complaint):
    response = inbox(client, handler, export="xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[1][0] == complaint.reference


def test_viewer_export_has_no_personal_data(client, viewer, complaint):
    rows = read_csv(inbox(client, viewer, export="csv"))
    flat = " ".join(" ".join(row) for row in rows)
    assert complaint.reference in flat
    assert complaint.email not in flat
    assert complaint.last_name not in flat


def test_viewer_export_with_personal_data_when_allowed(client, viewer, complaint):
    office = ComplaintSettings.for_site(complaint.site)
    office.viewers_see_personal_data = True
    office.save()
    rows = read_csv(inbox(client, viewer, export="csv"))
    assert complaint.email in " ".join(" ".join(row) for row in rows)


def test_home_panel_counts(client, handler, category):
    today = timezone.localdate()
    make_complaint(category=category, assigned_to=handler)
    make_complaint(category=category, answer_by=today - datetime.timedelta(days=2))
    make_complaint(category=category, answer_by=today + datetime.timedelta(days=2))
    client.force_login(handler)
    response = client.get(reverse("wagtailadmin_home"))
    content = response.content.decode()
    assert "My open complaints" in content
    assert "Overdue" in content
    assert "Due within 5 days" in content


def test_home_panel_hidden_without_permission(client, db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("editor", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert "My open complaints" not in client.get(reverse("wagtailadmin_home")).content.decode()


# -- exports as the office reads them (issue 16b) ------------------------------------------------


def test_exports_write_local_time_to_the_second_and_operators_by_full_name(client, handler, category):
    handler.first_name, handler.last_name = "Giulia", "Verdi"
    handler.save()
    received = datetime.datetime(2026, 7, 1, 8, 5, 30, 123456, tzinfo=datetime.timezone.utc)  # 10:05:30 in Rome
    make_complaint(category=category, received_at=received, assigned_to=handler)
    header, row = read_csv(inbox(client, handler, export="csv"))
    assert row[header.index("Received")] == "2026-07-01 10:05:30"
    assert row[header.index("Assigned to")] == "Giulia Verdi"
    workbook = load_workbook(io.BytesIO(b"".join(inbox(client, handler, export="xlsx").streaming_content)))
    header, row = list(workbook.active.values)
    assert row[header.index("Received")] == datetime.datetime(2026, 7, 1, 10, 5, 30)
    assert row[header.index("Assigned to")] == "Giulia Verdi"
