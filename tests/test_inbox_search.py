"""Free-text search in the inbox: what an operator types finds the complaints it should, on
SQLite (contains) and on PostgreSQL (its full-text index), and never leaks what a viewer may not see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail_complaints.workflow import Status

from .factories import make_complaint

pytestmark = pytest.mark.django_db

INDEX = "wagtail_complaints:index"


def found(client, user, q, **params):
    client.force_login(user)
    response = client.get(reverse(INDEX), {"q": q, **params})
    assert response.status_code == 200
    return {c.reference for c in response.context["object_list"]}


@pytest.fixture
def esposito(category):
    return make_complaint(
        category=category, first_name="Maria", last_name="Esposito",
        description="Nessuno rispondeva al telefono del reparto di Cardiologia.",
    )


@pytest.fixture
def bianchi(category):
    return make_complaint(
        category=category, first_name="Giuseppe", last_name="Dell'Acqua Bianchi",
        description="Il bagno era sporco e la cena fredda.",
    )


def test_a_surname_a_first_name_and_both_together(client, handler, esposito, bianchi):
    assert found(client, handler, "Esposito") == {esposito.reference}
    assert found(client, handler, "giuseppe") == {bianchi.reference}
    assert found(client, handler, "Maria Esposito") == {esposito.reference}
    assert found(client, handler, "esposito maria") == {esposito.reference}


def test_the_beginning_of_a_word_is_enough(client, handler, esposito, bianchi):
    assert found(client, handler, "Espos") == {esposito.reference}
    assert found(client, handler, "cardio") == {esposito.reference}
    assert found(client, handler, "acqua") == {bianchi.reference}


def test_words_of_the_text_in_any_order(client, handler, esposito, bianchi):
    assert found(client, handler, "telefono reparto") == {esposito.reference}
    assert found(client, handler, "cena bagno") == {bianchi.reference}
    # Every word must be there: one that is not leaves nothing.
    assert found(client, handler, "bagno telefono") == set()


def test_a_whole_or_partial_reference(client, handler, esposito, bianchi):
    assert found(client, handler, esposito.reference) == {esposito.reference}
    assert found(client, handler, esposito.reference.lower()) == {esposito.reference}
    number = esposito.reference.split("-")[-1]
    assert found(client, handler, number) == {esposito.reference}


def test_punctuation_and_query_syntax_are_only_words(client, handler, esposito, bianchi):
    # tsquery operators typed by an operator must not break the search (or the page).
    for text in ["esposito & !", "'esposito'", "esposito:*", "(esposito | bianchi)", "esposito <-> maria"]:
        assert found(client, handler, text) <= {esposito.reference, bianchi.reference}
    assert found(client, handler, "esposito & !") == {esposito.reference}
    assert found(client, handler, "!!! &&& ***") == set()


def test_search_combines_with_the_filters(client, handler, category):
    old = make_complaint(category=category, last_name="Esposito", status=Status.CLOSED)
    new = make_complaint(category=category, last_name="Esposito")
    assert found(client, handler, "esposito") == {old.reference, new.reference}
    assert found(client, handler, "esposito", status=Status.PENDING) == {new.reference}


def test_viewers_find_by_reference_but_never_by_name_or_text(client, viewer, esposito):
    assert found(client, viewer, "Esposito") == set()
    assert found(client, viewer, "telefono") == set()
    assert found(client, viewer, esposito.reference) == {esposito.reference}
    assert found(client, viewer, esposito.reference.split("-")[-1]) == {esposito.reference}


def test_the_search_runs_in_the_database_in_a_bounded_number_of_queries(client, handler, category):
    client.force_login(handler)

    def search_queries(expected_matches):
        client.get(reverse(INDEX), {"q": "esposito"})  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(INDEX), {"q": "esposito"})
        assert len(response.context["object_list"]) == expected_matches
        return queries

    for n in range(12):
        make_complaint(category=category, last_name="Esposito" if n % 2 else "Rossi")
    few = search_queries(6)
    for n in range(12):
        make_complaint(category=category, last_name="Esposito")
    many = search_queries(18)

    assert len(many) == len(few)
    sql = " ".join(query["sql"] for query in many.captured_queries)
    if connection.vendor == "postgresql":
        # The expression the GIN index was built on (migration 0012), so PostgreSQL can use it.
        assert "to_tsvector" in sql and "to_tsquery" in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text indexes exist on PostgreSQL only")
def test_postgresql_uses_the_full_text_index(handler):
    from wagtail_complaints import inbox_search
    from wagtail_complaints.models import Complaint

    for fields, index in [(inbox_search.HANDLER_FIELDS, "complaint_search_handler"),
                          (inbox_search.VIEWER_FIELDS, "complaint_search_viewer")]:
        queryset = inbox_search.full_text_matches(Complaint.objects.all(), list(fields), ["esposito"])
        with connection.cursor() as cursor:
            # An empty table: as the search itself does (inbox_search), leave the planner only the index.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
            plan = queryset.explain()
        assert index in plan, plan
