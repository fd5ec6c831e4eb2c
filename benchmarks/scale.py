"""The inbox, its search and filters, and the statistics screen, at N complaints on PostgreSQL.

Generates N complaints with their history (benchmarks/stats.py's generator) in a throwaway
database, then times each screen through the Django test client, as an operator meets it, and
the raw per-category monthly GROUP BY the statistics are compared with. Prints one JSON line.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/scale.py --n 1000000
"""

import argparse
import json
import sys
import time

from stats import RAW_SQL, generate, timed  # noqa: I001 - sets Django up first

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    if connection.vendor != "postgresql":
        teardown_databases(old_config, verbosity=0)
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the throwaway database is created there.")
    try:
        start = time.perf_counter()
        generate(args.n, args.years)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table that is mostly history
        generated = time.perf_counter() - start

        User = get_user_model()
        handler = User.objects.create_superuser("bench-handler", "h@example.com", "x")
        viewer = User.objects.create_user("bench-asl", "asl@example.com", "x")
        viewer.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_complaint"]))
        operator, asl = Client(), Client()
        operator.force_login(handler)
        asl.force_login(viewer)
        from wagtail_complaints.models import Complaint

        reference = Complaint.objects.order_by("pk").values_list("reference", flat=True)[args.n // 2]
        surname = Complaint.objects.order_by("pk").values_list("last_name", flat=True)[args.n // 3]
        inbox = reverse("wagtail_complaints:index")
        year = timezone.localdate().year - 1

        def page(client, url, **params):
            def get():
                response = client.get(url, params)
                assert response.status_code == 200, response.status_code
            return get

        def raw():
            bounds = [timezone.make_aware(timezone.datetime(y, 1, 1)) for y in (year, year + 1)]
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, [str(timezone.get_default_timezone()), *bounds])
                cursor.fetchall()

        cases = [
            ("inbox, newest first", page(operator, inbox)),
            (f"search: a surname ({surname})", page(operator, inbox, q=surname)),
            ("search: part of a reference", page(operator, inbox, q=reference.split("-")[-1])),
            ("search: a word in a third of all texts", page(operator, inbox, q="telefono")),
            ("filter: overdue", page(operator, inbox, overdue="true")),
            ("filter: due within 7 days", page(operator, inbox, due_within="7")),
            ("statistics screen (ASL viewer)", page(asl, reverse("wagtail_complaints_stats:index"), year=year)),
            ("raw SQL: per-category monthly counts", raw),
        ]
        results = {name: timed(function, args.runs) for name, function in cases}
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
    finally:
        teardown_databases(old_config, verbosity=0)
    print(json.dumps({
        "n": args.n, "generated_s": round(generated, 1), "runs": args.runs, "server": server,
        "results": {name: {"ms": round(s * 1000, 1), "sql_ms": round(q * 1000, 1), "queries": c}
                    for name, (s, c, q) in results.items()},
    }))


if __name__ == "__main__":
    main()
