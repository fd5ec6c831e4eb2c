"""The statistics screen and the yearly export against a hand-written SQL query, on PostgreSQL.

Generates N complaints with their history (transition times, answers, notes, audit trail) spread
over a few years in a throwaway database (created, then dropped), then times, for the last full
year: the statistics screen through the Django test client (logged in as a health-authority
viewer), the per-category monthly export (XLSX), the annual report command, and one raw SQL query
computing the per-category monthly counts, and prints times, query counts and the ratios.

The screen, the export and the report read the daily roll-ups (wagtail_complaints/stats/models.py);
the complaints are loaded with COPY, bypassing the models, so the roll-ups are rebuilt once
(`rebuild_complaint_statistics`, timed and printed). The live aggregation that reads the complaints
(`stats.aggregation.Statistics`) is timed beside it on the same tables.

Target (issue 10): at 1,000,000 complaints the screen is no slower than the raw query, and its
query count does not depend on N.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/stats.py
    DATABASE_URL=... .venv/bin/python benchmarks/stats.py --n 1000000
"""

import argparse
import datetime
import io
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DATABASE_NAME", f"bench_wc_stats_{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RAW_SQL = """
    SELECT category_id, date_trunc('month', received_at AT TIME ZONE %s) AS month, count(*)
    FROM wagtail_complaints_complaint
    WHERE received_at >= %s AND received_at < %s
    GROUP BY 1, 2
"""


FIRST_NAMES = ["Maria", "Giuseppe", "Anna", "Luca", "Francesca", "Marco", "Giulia", "Paolo", "Sara", "Andrea"]
SURNAMES = [f"{stem}{end}{tail}" for stem in ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
                                        "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "DeLuca", "Mancini")
            for end in ("", "ni", "tti", "llo", "ri", "ne", "one", "ana", "elli", "ini", "sco", "zzi", "ccio")
            for tail in ("", "a", "e", "i", "o", "ba", "de", "gi", "lo", "mu", "na", "pe", "ra", "si", "to", "va")]
WORDS = ("attesa troppo lunga pronto soccorso reparto personale medico infermiere visita esame prenotazione "
         "telefono sportello parcheggio pulizia bagno cibo rumore letto dolore referto ritardo cortesia "
         "informazioni dimissione ambulatorio cup ticket").split()


def copy_rows(model, rows, columns):
    """COPY rows into a model's table: the fastest way PostgreSQL takes a million rows."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def generate(n, years, seed=5):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry, Site

    from wagtail_complaints.models import Category, Complaint, Message, Service

    rng = random.Random(seed)
    site = Site.objects.get(is_default_site=True)
    services = [Service.objects.create(name=f"Servizio {i}").pk for i in range(20)]
    macros = list(Category.objects.filter(parent=None))
    categories = [c.pk for c in macros] + [
        Category.objects.create(name=f"Sotto-voce {i}", parent=macros[i % len(macros)], is_active=i != 0).pk
        for i in range(15)
    ]
    now = timezone.now()
    span = years * 365 * 86400
    channels = ["web"] * 6 + ["email", "phone", "letter", "in_person"]
    outcomes = ["upheld", "partly_upheld", "not_upheld", "not_upheld", "not_competent"]

    fields = [f for f in Complaint._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["extra_answers"] = "{}"
    DAY = datetime.timedelta(days=1)

    def complaints():
        for i in range(n):
            received = now - datetime.timedelta(seconds=rng.uniform(0, span))
            row = dict(defaults)
            row.update(
                reference=f"B-{i:08d}",
                site_id=site.pk,
                channel=rng.choice(channels),
                category_id=rng.choice(categories),
                service_id=rng.choice(services) if rng.random() < 0.9 else None,
                # Varied names and texts, so that a search matches a realistic few rows.
                description=" ".join(rng.choice(WORDS) for _ in range(12)) + ".",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(SURNAMES),
                email=f"p{i}@example.com",
                received_at=received,
                answer_by=(received + 30 * DAY).date(),
                access_nonce=secrets.token_hex(8),
                access_token_hash=f"{i:064x}",
                status="pending",
            )
            taken = received + datetime.timedelta(hours=rng.lognormvariate(2.5, 1))
            if taken < now:
                row.update(status="taken_in_charge", taken_in_charge_at=taken)
                answered = taken + DAY * rng.lognormvariate(2.4, 0.6)
                if answered < now:
                    row.update(status="awaiting_reply", first_answered_at=answered, last_answered_at=answered)
                    closed = answered + DAY * rng.uniform(1, 12)
                    if closed < now:
                        row.update(status="closed", closed_at=closed, outcome=rng.choice(outcomes))
                        if rng.random() < 0.3:
                            row["rating"] = rng.randint(1, 5)
                        if rng.random() < 0.05:
                            row.update(status="awaiting_reply", closed_at=None, outcome="", reopen_count=1)
            yield [row[f.attname] for f in fields]

    copy_rows(Complaint, complaints(), columns)

    # History: an answer per answered complaint, and its audit-trail entries.
    content_type = ContentType.objects.get_for_model(Complaint)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, reference, taken_in_charge_at, first_answered_at, closed_at "
            "FROM wagtail_complaints_complaint WHERE taken_in_charge_at IS NOT NULL"
        )
        handled = cursor.fetchall()
    copy_rows(
        Message,
        (
            (pk, "answer", "Gentile utente, ...", answered, None, None)
            for pk, _ref, _taken, answered, _closed in handled
            if answered
        ),
        ["complaint_id", "kind", "body", "created_at", "contacted_at", "author_id"],
    )

    def entries():
        for pk, reference, taken, answered, closed in handled:
            for action, at in (("take_in_charge", taken), ("answer", answered), ("close", closed)):
                if at:
                    yield (content_type.pk, reference, f"wagtail_complaints.{action}", "{}", at, secrets.token_hex(16),
                           False, False, str(pk))

    copy_rows(
        ModelLogEntry,
        entries(),
        ["content_type_id", "label", "action", "data", "timestamp", "uuid", "content_changed", "deleted", "object_id"],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(handled)


def timed(function, runs):
    """(median seconds, query count, median seconds spent in SQL) over `runs` runs after a warm-up."""
    function()
    times, sql_times = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        sql_times.append(sum(float(query["time"]) for query in queries.captured_queries))
    return statistics.median(times), len(queries), statistics.median(sql_times)


def profile_screen(screen):
    """The slowest queries of one statistics screen, and its Python functions by their own time."""
    import cProfile
    import pstats

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        screen()
    queries = sorted(captured.captured_queries, key=lambda query: float(query["time"]), reverse=True)
    in_sql = sum(float(query["time"]) for query in queries)
    print(f"\nOne statistics screen: {len(queries)} queries, {in_sql * 1000:.1f} ms in SQL; the slowest:")
    for query in queries[:10]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {' '.join(query['sql'].split())[:150]}")
    profiler = cProfile.Profile()
    profiler.runcall(screen)
    print("\nPython, by own time (one screen):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(12)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="How many complaints (default 10,000).")
    parser.add_argument("--years", type=int, default=3, help="Spread over this many years (default 3).")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="Also print where one statistics screen spends its time (queries, Python)."
    )
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    if connection.vendor != "postgresql":
        teardown_databases(old_config, verbosity=0)
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the throwaway database is created there.")
    try:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Permission

        from wagtail_complaints.stats import rollups, tables
        from wagtail_complaints.stats.aggregation import Period, Statistics
        from wagtail_complaints.stats.models import DailyFigures, DailyResponseTimes
        from wagtail_complaints.stats.rolled_up import RolledUpStatistics

        start = time.perf_counter()
        handled = generate(args.n, args.years)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        rollups.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rebuilt = time.perf_counter() - start
        rollup_rows = (DailyFigures.objects.count(), DailyResponseTimes.objects.count())

        viewer = get_user_model().objects.create_user("asl", "asl@example.com", "x")
        viewer.user_permissions.add(
            *Permission.objects.filter(codename__in=["access_admin", "view_complaint"]),
        )
        client = Client()
        client.force_login(viewer)
        year = timezone.localdate().year - 1
        screen_url = reverse("wagtail_complaints_stats:index") + f"?year={year}"
        export_url = reverse("wagtail_complaints_stats:table", args=["category_months"]) + f"?year={year}&export=xlsx"

        def screen():
            assert client.get(screen_url).status_code == 200

        def export():
            response = client.get(export_url)
            assert response.status_code == 200
            b"".join(response.streaming_content)

        def report():
            with tempfile.TemporaryDirectory() as folder:
                call_command("complaint_report", "--year", str(year), "--output-dir", folder, stdout=io.StringIO())

        bounds = (f"{year}-01-01", f"{year + 1}-01-01")

        def figures(statistics_class):
            def compute():
                built = tables.build_all(statistics_class(Period.year(year)))
                assert built

            return compute

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(
                    RAW_SQL,
                    [str(timezone.get_default_timezone()), *(timezone.make_aware(datetime.datetime.fromisoformat(b))
                                                            for b in bounds)],
                )
                cursor.fetchall()

        results = {name: timed(function, args.runs) for name, function in [
            ("raw SQL: per-category monthly counts", raw),
            ("statistics screen (whole page)", screen),
            ("yearly export: categories x months, XLSX", export),
            ("annual report command: 9 tables, XLSX + CSV", report),
            ("every table's figures, from the roll-ups", figures(RolledUpStatistics)),
            ("every table's figures, live aggregation", figures(Statistics)),
        ]}
        if args.profile:
            profile_screen(screen)
    finally:
        teardown_databases(old_config, verbosity=0)

    baseline = results["raw SQL: per-category monthly counts"][0]
    print(f"PostgreSQL, {args.n:,} complaints over {args.years} years ({handled:,} handled), "
          f"generated in {generated:.1f} s; year {year}; median of {args.runs} runs")
    print(f"roll-ups rebuilt in {rebuilt:.1f} s: {rollup_rows[0]:,} daily-figure rows, "
          f"{rollup_rows[1]:,} response-time rows")
    print(f"{'':46} {'time':>10} {'in SQL':>10} {'queries':>8} {'x raw SQL':>10}")
    for name, (seconds, queries, sql) in results.items():
        print(f"{name:46} {seconds * 1000:7.1f} ms {sql * 1000:7.1f} ms {queries:8d} {seconds / baseline:10.1f}")
    print(json.dumps({name: {"ms": round(s * 1000, 1), "sql_ms": round(q * 1000, 1), "queries": n}
                      for name, (s, n, q) in results.items()}))


if __name__ == "__main__":
    main()
