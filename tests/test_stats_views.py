"""The statistics screen and its exports, through the admin as each kind of user sees it."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wagtail_complaints.models import Category, Complaint, Service
from wagtail_complaints.stats.tables import TABLES

from .factories import make_complaint
from .test_stats import data  # noqa: F401  (the known-answer data set)

INDEX = "wagtail_complaints_stats:index"


def user_with(*permissions, username):
    user = get_user_model().objects.create_user(username, f"{username}@hospital.example", "password")
    for dotted in permissions:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def viewer_client(client, db):
    client.force_login(user_with("wagtailadmin.access_admin", "wagtail_complaints.view_complaint", username="asl"))
    return client


@pytest.fixture
def editor_client(client, db):
    # A plain Wagtail editor: may use the admin, may not see complaints.
    client.force_login(user_with("wagtailadmin.access_admin", username="editor"))
    return client


def table_url(name, **params):
    url = reverse("wagtail_complaints_stats:table", args=[name])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# -- who sees it --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse(INDEX))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_editor_without_complaint_permissions_is_refused_and_sees_no_menu_item(editor_client):
    assert editor_client.get(reverse(INDEX)).status_code in (302, 403)
    assert editor_client.get(table_url("summary", export="csv")).status_code in (302, 403)
    home = editor_client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert reverse(INDEX) not in home.content.decode()


def test_a_viewer_sees_the_menu_item_and_the_screen(viewer_client, data):  # noqa: F811
    home = viewer_client.get(reverse("wagtailadmin_home"))
    assert reverse(INDEX) in home.content.decode()
    response = viewer_client.get(reverse(INDEX), {"year": 2025})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content and 'role="img"' in content
    for name in TABLES:
        assert f'id="wc-stats-{name}"' in content
        assert table_url(name) in content
    assert "stats_print.css" in content
    # Aggregates only: no complainant's details on the screen.
    assert "Rossi" not in content and "maria@example.com" not in content


def test_handlers_and_administrators_see_it_too(client, db):
    handler = user_with(
        "wagtailadmin.access_admin", "wagtail_complaints.view_complaint", "wagtail_complaints.change_complaint",
        username="handler",
    )
    client.force_login(handler)
    assert client.get(reverse(INDEX)).status_code == 200
    administrator = get_user_model().objects.create_superuser("boss", "boss@hospital.example", "password")
    client.force_login(administrator)
    assert client.get(reverse(INDEX)).status_code == 200


# -- the screen ---------------------------------------------------------------------------------


def test_default_period_is_the_current_year_month_by_month(viewer_client, db):
    response = viewer_client.get(reverse(INDEX))
    assert response.status_code == 200
    period = response.context["period"]
    assert period.start == datetime.date(timezone.localdate().year, 1, 1) and period.is_year
    monthly = next(s for s in response.context["sections"] if s["table"].name == "monthly")
    assert len(monthly["rows"]) == 12


def test_a_month_and_a_range(viewer_client, data):  # noqa: F811
    response = viewer_client.get(reverse(INDEX), {"year": 2025, "month": 2})
    summary = next(s for s in response.context["sections"] if s["table"].name == "summary")
    assert summary["table"].rows[0]["current"] == 1 and summary["table"].rows[0]["previous"] == 1
    response = viewer_client.get(reverse(INDEX), {"start": "2025-01-01", "end": "2025-03-31"})
    period = response.context["period"]
    assert (period.start, period.end) == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    assert response.context["sections"][0]["table"].rows[0]["current"] == 3  # A B C


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1800"},
        {"month": "13"},
        {"start": "2025-05-01"},
        {"start": "2025-05-01", "end": "2025-04-01"},
        {"start": "2000-01-01", "end": "2025-01-01"},
        {"start": "not-a-date", "end": "2025-01-01"},
        {"category": "999999"},
        {"channel": "<script>"},
    ],
)
def test_bad_input_shows_errors_and_the_default_period(viewer_client, db, params):
    response = viewer_client.get(reverse(INDEX), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"].start.year == timezone.localdate().year
    assert "<script>" not in response.content.decode()
    export = viewer_client.get(table_url("summary"), {**params, "export": "csv"})
    assert export.status_code == 400


def test_unknown_table_is_not_found(viewer_client, db):
    assert viewer_client.get(table_url("nothing")).status_code == 404


def test_filters_on_the_screen(viewer_client, data):  # noqa: F811
    response = viewer_client.get(reverse(INDEX), {"year": 2025, "category": data["tempi"].pk, "channel": "phone"})
    assert response.context["sections"][0]["table"].rows[0]["current"] == 1  # B


# -- exports ------------------------------------------------------------------------------------


def test_every_table_exports_to_csv_and_xlsx_without_personal_data(viewer_client, data):  # noqa: F811
    for name in TABLES:
        response = viewer_client.get(table_url(name), {"year": 2025, "export": "csv"})
        assert response.status_code == 200, name
        assert f"complaints-{name}-2025.csv" in response["Content-Disposition"]
        text = b"".join(response.streaming_content).decode()
        assert "Rossi" not in text and "maria@example.com" not in text and "Maria" not in text
        response = viewer_client.get(table_url(name), {"year": 2025, "export": "xlsx"})
        assert response.status_code == 200, name
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        cells = [str(c) for row in workbook.active.iter_rows(values_only=True) for c in row]
        assert "Rossi" not in cells and "maria@example.com" not in cells


def test_monthly_csv_has_the_known_figures(viewer_client, data):  # noqa: F811
    response = viewer_client.get(table_url("monthly"), {"year": 2025, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 13
    assert rows[1][:6] == ["2025-01", "1", "1", "0", "1", "1"]
    assert rows[2][:6] == ["2025-02", "1", "1", "2", "1", "1"]
    assert rows[11][0] == "2025-11" and rows[11][5] == "2"


def test_category_xlsx_has_both_levels_and_the_inactive_category(viewer_client, data):  # noqa: F811
    response = viewer_client.get(table_url("categories"), {"year": 2025, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    by_name = {row[0]: row for row in rows[1:]}
    tempi = data["tempi"].label()  # in the language the request was answered in
    assert by_name[tempi][1:] == ("Macro-category", 2, 40)
    assert by_name[data["waiting"].label()][1:] == ("Sub-category", 1, 20)
    parking = next(name for name in by_name if name.startswith(data["parking"].label()))
    assert by_name[parking][2] == 1 and "(" in parking  # marked as no longer in use


def test_the_table_view_renders_as_a_report(viewer_client, data):  # noqa: F811
    response = viewer_client.get(table_url("services"), {"year": 2025})
    assert response.status_code == 200
    assert "Pronto soccorso" in response.content.decode()


# -- speed --------------------------------------------------------------------------------------


def _queries_for(client, count):
    category = Category.objects.get(name="Tempi")
    service = Service.objects.first() or Service.objects.create(name="Radiologia")
    start = datetime.datetime(2025, 1, 1, 9, tzinfo=datetime.timezone.utc)
    for n in range(count):
        received = start + datetime.timedelta(days=n * 7 % 365)
        complaint = make_complaint(category=category, service=service, received_at=received)
        # Every response time has values, so the SQLite percentile fallback runs its queries too.
        Complaint.objects.filter(pk=complaint.pk).update(
            status="closed",
            outcome="upheld",
            taken_in_charge_at=received + datetime.timedelta(days=1),
            first_answered_at=received + datetime.timedelta(days=3),
            closed_at=received + datetime.timedelta(days=n % 20 + 4),
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(INDEX), {"year": 2025}).status_code == 200
    with CaptureQueriesContext(connection) as export_queries:
        assert client.get(table_url("category_months"), {"year": 2025, "export": "xlsx"}).status_code == 200
    return len(queries), len(export_queries)


def test_query_count_does_not_grow_with_complaints(viewer_client, db):
    few = _queries_for(viewer_client, 5)
    many = _queries_for(viewer_client, 45)  # 50 in all
    assert few == many
    assert few[0] < 60


# -- readable charts (issue 16b) ----------------------------------------------------------------


def test_chart_labels_are_at_least_12_px_at_desktop_size(viewer_client, data):  # noqa: F811
    import re

    from wagtail_complaints.stats import charts

    content = viewer_client.get(reverse(INDEX), {"year": 2025}).content.decode()
    sizes = {int(size) for size in re.findall(r'<svg viewBox="0 0 640 \d+"[^>]* font-size="(\d+)"', content)}
    assert sizes and min(sizes) >= 12
    # One SVG unit is one pixel at desktop size: the chart's box is its own width, never wider.
    css = open("wagtail_complaints/static/wagtail_complaints/stats.css").read()
    assert f"flex: 1 1 {charts.WIDTH}px" in css and f"max-width: {charts.WIDTH}px" in css
