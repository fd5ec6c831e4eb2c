"""What the public form remembers between requests is never staler than the office's last change:
whether the change is a model save, a bulk `update()`, made by another app server (through the
shared cache), or something that bypasses Django altogether (bounded by INTAKE_CACHE_MAX_AGE)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from example_site.client_address import forwarded_client_address
from wagtail_complaints import intake_cache
from wagtail_complaints.models import Category, Complaint, ComplaintSettings, Operator

from .factories import complaint_form_data as form_data
from .factories import make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(committing_client):
    return committing_client


def operator_emails():
    return sorted(m.to[0] for m in mail.outbox if m.to[0] != "maria@example.com")


def test_a_category_deactivated_by_a_bulk_update_is_refused_at_the_next_submission(client, form_page):
    client.post(form_page.url, form_data(client, form_page))  # remembered now
    Category.objects.filter(name="Tempi").update(is_active=False)

    response = client.post(form_page.url, form_data(client, form_page))

    assert "id_category_error" in response.content.decode()
    assert Complaint.objects.count() == 1


def test_office_settings_changed_by_a_bulk_update_apply_to_the_next_submission(client, form_page):
    client.post(form_page.url, form_data(client, form_page))
    ComplaintSettings.for_site(form_page.get_site())
    ComplaintSettings.objects.update(reference_prefix="URP-")

    client.post(form_page.url, form_data(client, form_page))

    assert Complaint.objects.latest("pk").reference.startswith("URP-")


def test_an_operator_flagged_after_the_first_submission_hears_of_the_next(client, form_page):
    quiet = make_operator("handler")
    client.post(form_page.url, form_data(client, form_page))
    assert operator_emails() == []

    Operator.objects.filter(pk=quiet.pk).update(notify_on_new=True)
    mail.outbox.clear()
    client.post(form_page.url, form_data(client, form_page))

    assert operator_emails() == [quiet.user.email]


def test_an_operators_new_address_and_coverage_are_used_at_the_next_submission(client, form_page):
    flagged = make_operator("handler", notify_on_new=True)
    client.post(form_page.url, form_data(client, form_page))
    flagged.user.email = "new-address@hospital.example"
    flagged.user.save()
    mail.outbox.clear()

    client.post(form_page.url, form_data(client, form_page))
    assert operator_emails() == ["new-address@hospital.example"]

    flagged.categories.add(Category.objects.get(name="Informazione"))  # no longer covers "Tempi"
    mail.outbox.clear()
    client.post(form_page.url, form_data(client, form_page))
    assert operator_emails() == []


def test_an_operator_logging_in_does_not_throw_away_what_is_remembered(client, form_page):
    operator = make_operator("handler", notify_on_new=True)
    client.post(form_page.url, form_data(client, form_page))
    before = intake_cache.generation()

    assert client.login(username=operator.user.username, password="password")  # saves last_login

    assert intake_cache.generation() == before


def test_a_change_another_app_server_signals_reaches_this_one(client, form_page):
    """Another process saved a category: its signal bumped the generation in the shared cache (Redis)."""
    client.post(form_page.url, form_data(client, form_page))
    tempi = Category.objects.get(name="Tempi")
    with connection.cursor() as cursor:  # the other process's write, unseen by this one's signals
        cursor.execute(f"UPDATE {Category._meta.db_table} SET is_active = %s WHERE id = %s", [False, tempi.pk])
    cache.set(intake_cache.GENERATION_KEY, intake_cache.generation() + 1, timeout=None)

    response = client.post(form_page.url, form_data(client, form_page))

    assert "id_category_error" in response.content.decode()


@override_settings(WAGTAIL_COMPLAINTS_INTAKE_CACHE_MAX_AGE=60)
def test_a_change_nobody_signals_is_picked_up_after_the_max_age(client, form_page, monkeypatch):
    flagged = make_operator("handler", notify_on_new=True)
    client.post(form_page.url, form_data(client, form_page))
    # A user deactivated with a bulk update of Django's own User model: no signal, no bump.
    get_user_model().objects.filter(pk=flagged.user.pk).update(is_active=False)
    mail.outbox.clear()
    client.post(form_page.url, form_data(client, form_page))
    assert operator_emails() == [flagged.user.email]  # still remembered: at most INTAKE_CACHE_MAX_AGE

    now = intake_cache.time.monotonic()
    monkeypatch.setattr(intake_cache.time, "monotonic", lambda: now + 61)
    mail.outbox.clear()
    client.post(form_page.url, form_data(client, form_page))

    assert operator_emails() == []


# -- behind a load balancer, the per-address limits count patients ---------------------------


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        ("203.0.113.7", "1", "203.0.113.7"),
        ("1.2.3.4, 203.0.113.7", "1", "203.0.113.7"),  # a client's own header entry is not trusted
        ("1.2.3.4, 203.0.113.7, 10.0.0.2", "2", "203.0.113.7"),
        ("not-an-address", "1", "10.0.0.1"),
        ("", "1", "10.0.0.1"),
        ("203.0.113.7", "2", "10.0.0.1"),  # fewer entries than proxies: the connection's address
    ],
)
def test_the_client_address_is_the_one_our_proxies_forwarded(rf, monkeypatch, forwarded, hops, expected):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", hops)
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")

    assert forwarded_client_address(request) == expected


@override_settings(
    WAGTAIL_COMPLAINTS_SUBMIT_RATE="1/h", RATELIMIT_IP_META_KEY="example_site.client_address.forwarded_client_address"
)
def test_two_patients_behind_the_same_load_balancer_are_limited_apart(client, form_page):
    first = client.post(form_page.url, form_data(client, form_page), HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = client.post(form_page.url, form_data(client, form_page), HTTP_X_FORWARDED_FOR="198.51.100.4")
    again = client.post(form_page.url, form_data(client, form_page), HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert (first.status_code, second.status_code, again.status_code) == (200, 200, 429)
    assert Complaint.objects.count() == 2


def test_showing_the_form_again_reads_no_category_or_service_and_a_rename_shows_at_once(client, form_page):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    client.get(form_page.url)  # creates the office settings: a change, so remembered from the next one
    client.get(form_page.url)  # remembered now
    with CaptureQueriesContext(db) as queries:
        page = client.get(form_page.url).content.decode()
    assert ">Waiting times<" in page  # the category's English label (the client reads English)
    assert not [q for q in queries.captured_queries if "wagtail_complaints_category" in q["sql"]]
    assert not [q for q in queries.captured_queries if "wagtail_complaints_service" in q["sql"]]

    label = Category.objects.get(name="Tempi").labels.get(language="en")
    label.label = "Waiting at the desk"
    label.save()
    assert ">Waiting at the desk<" in client.get(form_page.url).content.decode()

    Category.objects.get(name="Tempi").labels.filter(language="en").update(label="Waiting for care")
    assert ">Waiting for care<" in client.get(form_page.url).content.decode()
