"""Free-text search in the inbox.

On PostgreSQL the words are looked up in a full-text index (GIN, over an expression: no column to
keep up to date), each word as a prefix, so "espos" finds Esposito and a search stays fast at a
million complaints. Elsewhere (SQLite) every word must be contained in one of the fields (the
ORM's case-insensitive "contains"). On both, "maria esposito" finds Maria Esposito.

Migration 0012 builds its indexes from `search_vector`: PostgreSQL uses an index only for the very
expression it was built on, so a change here needs a migration that rebuilds them.
"""

import re

from django.db import connections
from django.db.models import F, Q, Value
from django.db.models.functions import Replace

# The 'simple' configuration: no stemming and no stop words, so names and words of any of the
# office's languages are found as typed.
CONFIG = "simple"
# Letters and digits only: everything else separates words, and nothing reaches tsquery syntax.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 10
# Up to this many matches, the inbox lists them by id (cheap to count, sort and page through).
MAX_LISTED_MATCHES = 10_000


def words(text):
    return WORD.findall(text.lower())[:MAX_WORDS]


# What a handler searches, and what a viewer may (no names, no texts): one index each.
HANDLER_FIELDS = ("reference", "first_name", "last_name", "description")
VIEWER_FIELDS = ("reference",)


def searched(field):
    # PostgreSQL's parser reads "-000123" in "R2026-000123" as a negative number: split on hyphens.
    return Replace(F(field), Value("-"), Value(" ")) if field == "reference" else F(field)


def search_vector(fields):
    from django.contrib.postgres.search import SearchVector  # needs psycopg: PostgreSQL only

    return SearchVector(*(searched(field) for field in fields), config=CONFIG)


def search(queryset, fields, text):
    """The complaints whose `fields` contain every word of `text` (PostgreSQL: as word prefixes)."""
    if not fields:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return full_text_search(queryset, fields, text)
    return contains_search(queryset, fields, text)


def full_text_matches(queryset, fields, terms):
    """PostgreSQL: the rows whose text vector holds every term as a word prefix."""
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(" & ".join(f"{term}:*" for term in terms), config=CONFIG, search_type="raw")
    return queryset.alias(searched_text=search_vector(fields)).filter(searched_text=query)


def full_text_search(queryset, fields, text):
    terms = words(text)
    if not terms:
        return queryset.none()
    matching = full_text_matches(queryset, fields, terms)
    # Left alone, PostgreSQL walks the newest complaints and computes each one's text vector until
    # 25 match: seconds at a million when few do. So first the matches' ids, from the index alone;
    # only words found in very many complaints keep that walk, which then ends soon.
    ids = ids_from_index(matching, MAX_LISTED_MATCHES + 1)
    return matching if len(ids) > MAX_LISTED_MATCHES else queryset.filter(pk__in=ids)


def ids_from_index(queryset, limit):
    """Up to `limit` primary keys of `queryset`, read through a bitmap scan of its indexes."""
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        # Only for this query: no sequential or ordered scan, which would evaluate each row's text.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        try:
            return list(queryset.order_by().values_list("pk", flat=True)[:limit])
        finally:
            cursor.execute("RESET enable_seqscan; RESET enable_indexscan")


def contains_search(queryset, fields, text):
    terms = words(text)
    if not terms:
        return queryset.none()
    for term in terms:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(matches)
    return queryset
