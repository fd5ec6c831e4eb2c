"""Statistics: a small data set whose every figure is worked out by hand (site time zone: Rome).

    A  received 2025-01-31 23:30 UTC = 1 Feb 00:30 in Rome (February!), sub-category, rated 4
    B  received 2025-01-15, answered late (day 40), reopened once and closed again, rated 2
    C  received 2025-03-10 under an inactive sub-category, no service, withdrawn on day 5
    D  received 2025-06-30 22:30 UTC = 1 Jul 00:30 in Rome (July!), reopened, open now
    E  received 2025-12-31 23:30 UTC = 1 Jan 2026 in Rome: not in 2025
    F  received 2024-11-05 (previous period), closed 2025-01-10
    G  received 2025-11-20, pending and overdue
"""

import datetime

import pytest

from wagtail_complaints.models import Category, Complaint, Service
from wagtail_complaints.stats import rollups
from wagtail_complaints.stats.aggregation import Filters, Period, Statistics, percentile_from_ordered
from wagtail_complaints.stats.rolled_up import RolledUpStatistics

from .factories import make_complaint

UTC = datetime.timezone.utc
TODAY = datetime.date(2026, 1, 15)
DAY = datetime.timedelta(days=1)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def build(received, category, service=None, channel="web", taken=None, answered=None, closed=None, **fields):
    """A complaint with its transition times given as days after receipt."""
    complaint = make_complaint(
        received_at=received,
        category=category,
        service=service,
        channel=channel,
        answer_by=(received.astimezone(datetime.timezone(datetime.timedelta(hours=1))) + 30 * DAY).date(),
    )
    updates = dict(fields)
    if taken is not None:
        updates["taken_in_charge_at"] = received + taken * DAY
        updates["status"] = "taken_in_charge"
    if answered is not None:
        updates["first_answered_at"] = updates["last_answered_at"] = received + answered * DAY
        updates["status"] = "awaiting_reply"
    if closed is not None:
        updates["closed_at"] = received + closed * DAY
        updates["status"] = "closed"
    Complaint.objects.filter(pk=complaint.pk).update(**updates)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def data(db):
    tempi = Category.objects.get(name="Tempi")
    waiting = Category.objects.create(name="Attesa al pronto soccorso", parent=tempi)
    structures = Category.objects.get(name="Aspetti strutturali")
    parking = Category.objects.create(name="Parcheggio", parent=structures, is_active=False)
    information = Category.objects.get(name="Informazione")
    other = Category.objects.get(name="Altro")
    emergency = Service.objects.create(name="Pronto soccorso")
    radiology = Service.objects.create(name="Radiologia")
    cardiology = Service.objects.create(name="Cardiologia")
    complaints = {
        "A": build(
            at(2025, 1, 31, 23, 30), waiting, emergency, taken=1, answered=3, closed=10, outcome="upheld", rating=4
        ),
        "B": build(
            at(2025, 1, 15, 10), tempi, radiology, "phone", taken=2, answered=40, closed=45,
            outcome="not_upheld", rating=2, reopen_count=1,
        ),
        "C": build(at(2025, 3, 10, 9), parking, None, "email", taken=1, closed=5, outcome="withdrawn"),
        "D": build(at(2025, 6, 30, 22, 30), information, cardiology, taken=4, answered=6, reopen_count=1),
        "E": build(at(2025, 12, 31, 23, 30), other, emergency),
        "F": build(at(2024, 11, 5, 10), tempi, radiology, taken=1, answered=20, closed=66, outcome="partly_upheld"),
        "G": build(at(2025, 11, 20, 10), other, emergency),
    }
    # D's answer-by date is computed in winter time above; set it to the real one.
    Complaint.objects.filter(pk=complaints["D"].pk).update(answer_by=datetime.date(2025, 7, 31))
    # Times were written with queryset updates (as a bulk load would): count them again.
    rollups.rebuild()
    return {
        "complaints": complaints,
        "tempi": tempi,
        "waiting": waiting,
        "structures": structures,
        "parking": parking,
        "information": information,
        "other": other,
        "emergency": emergency,
        "radiology": radiology,
        "cardiology": cardiology,
    }


# Every known answer holds for both ways of computing it: scanning the complaints, and the roll-ups.
STATISTICS = {"live": Statistics, "rolled up": RolledUpStatistics}
computed_by = {"class": Statistics}


@pytest.fixture(params=STATISTICS, autouse=True)
def statistics_class(request):
    computed_by["class"] = STATISTICS[request.param]
    yield
    computed_by["class"] = Statistics


def statistics(period=None, **filters):
    return computed_by["class"](period or Period.year(2025), Filters(**filters), today=TODAY)


# -- periods ------------------------------------------------------------------------------------


def test_periods_and_their_previous_periods():
    assert Period.year(2025).previous() == Period.year(2024)
    assert Period.month(2025, 3).previous() == Period.month(2025, 2)
    assert Period.month(2025, 1).previous() == Period.month(2024, 12)
    march_to_may = Period(datetime.date(2025, 3, 1), datetime.date(2025, 5, 31))
    assert march_to_may.previous() == Period(datetime.date(2024, 12, 1), datetime.date(2025, 2, 28))
    ten_days = Period(datetime.date(2025, 3, 5), datetime.date(2025, 3, 14))
    assert ten_days.previous() == Period(datetime.date(2025, 2, 23), datetime.date(2025, 3, 4))
    assert len(Period.year(2025).months()) == 12
    assert Period.month(2024, 2).end == datetime.date(2024, 2, 29)
    assert Period.year(2025).slug() == "2025" and Period.month(2025, 3).slug() == "2025-03"
    with pytest.raises(ValueError):
        Period(datetime.date(2025, 3, 5), datetime.date(2025, 3, 4))


def test_period_bounds_are_the_sites_midnights():
    start, end = Period.month(2025, 7).bounds()
    assert start == at(2025, 6, 30, 22)  # 00:00 in Rome, summer time
    assert end == at(2025, 7, 31, 22)


# -- the summary --------------------------------------------------------------------------------


def test_summary_figures(data):
    figures = statistics().summary()
    now, before = figures["current"], figures["previous"]
    assert now["received"] == 5  # A B C D G; E belongs to 2026, F to 2024
    assert now["taken_in_charge"] == 4  # A B C D
    assert now["answered"] == 3  # A B D
    assert now["closed"] == 4  # A B C, and F from 2024
    assert now["open_at_end"] == 2  # D G
    assert now["reopened"] == 2 and now["closed_once"] == 4 and now["reopen_rate"] == 50.0
    assert now["withdrawn"] == 1
    assert now["due"] == 4 and now["on_time"] == 2 and now["on_time_share"] == 50.0  # A D on time, B late, G overdue
    assert now["ratings"] == 2 and now["average_rating"] == 3.0
    assert (before["received"], before["taken_in_charge"], before["answered"], before["closed"]) == (1, 1, 1, 0)
    assert before["open_at_end"] == 1
    assert before["reopen_rate"] == 0.0 and before["average_rating"] is None  # F closed, never reopened
    assert figures["overdue_now"] == 2  # D and G; E is not due yet


def test_response_times_are_percentiles_of_the_real_transition_times(data):
    times = statistics().response_times()
    now, before = times["current"], times["previous"]
    assert (now["take_in_charge"].count, now["take_in_charge"].median, now["take_in_charge"].p90) == (4, 1.5, 3.4)
    assert (now["first_answer"].count, now["first_answer"].median, now["first_answer"].p90) == (3, 6.0, 33.2)
    # Withdrawn C is not the office's time to close.
    assert (now["close"].count, now["close"].median, now["close"].p90) == (2, 27.5, 41.5)
    assert (before["close"].count, before["close"].median, before["close"].p90) == (1, 66.0, 66.0)
    assert before["take_in_charge"].median == 1.0 and before["first_answer"].median == 20.0


def test_response_times_of_an_empty_period(data):
    times = statistics(Period.year(2019)).response_times()["current"]
    assert times["close"].count == 0 and times["close"].median is None and times["close"].p90 is None


def test_percentile_fallback_matches_percentile_cont():
    values = [1, 2, 3, 4, 10]
    assert percentile_from_ordered(values, 5, 0.5) == 3
    assert percentile_from_ordered(values, 5, 0.9) == pytest.approx(4 + 6 * 0.6)
    assert percentile_from_ordered([7], 1, 0.9) == 7
    assert percentile_from_ordered([], 0, 0.5) is None


def test_months_follow_the_site_time_zone(data):
    rows = {row["bucket"].month: row for row in statistics().monthly()}
    assert len(rows) == 12
    assert [rows[m]["received"] for m in range(1, 13)] == [1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    assert [rows[m]["taken_in_charge"] for m in (1, 2, 3, 7)] == [1, 1, 1, 1]
    assert [rows[m]["answered"] for m in (1, 2, 7)] == [0, 2, 1]
    assert [rows[m]["closed"] for m in (1, 2, 3)] == [1, 1, 2]
    assert [rows[m]["open_at_end"] for m in range(1, 13)] == [1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


def test_a_month_period(data):
    figures = statistics(Period.month(2025, 2)).summary()
    assert figures["current"]["received"] == 1  # A, received 23:30 UTC on 31 January
    assert figures["previous"]["received"] == 1  # B, in January
    assert figures["current"]["answered"] == 2
    january = statistics(Period.month(2025, 1)).summary()["current"]
    assert january["received"] == 1 and january["closed"] == 1 and january["open_at_end"] == 1


def test_years(data):
    rows = [(r["bucket"].year, r["received"], r["taken_in_charge"], r["answered"], r["closed"], r["open_at_end"])
            for r in statistics().yearly()]
    assert rows == [(2024, 1, 1, 1, 0, 1), (2025, 5, 4, 3, 4, 2), (2026, 1, 0, 0, 0, 3)]


# -- breakdowns ---------------------------------------------------------------------------------


def test_by_category_both_levels_with_the_inactive_one_in_use(data):
    rows = {(category.name, level): count for category, level, count in statistics().by_category()}
    assert rows[("Tempi", 0)] == 2 and rows[("Attesa al pronto soccorso", 1)] == 1
    assert rows[("Aspetti strutturali", 0)] == 1 and rows[("Parcheggio", 1)] == 1
    assert rows[("Informazione", 0)] == 1 and rows[("Altro", 0)] == 1
    assert rows[("Aspetti economici", 0)] == 0  # active, unused: still listed
    assert sum(count for (name, level), count in rows.items() if level == 0) == 5
    # The inactive category disappears from a period where nobody used it.
    names = [category.name for category, level, count in statistics(Period.year(2024)).by_category()]
    assert "Parcheggio" not in names and "Attesa al pronto soccorso" in names


def test_by_service_channel_outcome_state(data):
    stats = statistics()
    services = {(s.name if s else None): n for s, n in stats.by_service()}
    assert services == {"Pronto soccorso": 2, "Radiologia": 1, "Cardiologia": 1, None: 1}
    channels = {value: n for value, label, n in stats.by_choice("channel", [("web", ""), ("phone", ""), ("email", "")])}
    assert channels == {"web": 3, "phone": 1, "email": 1}
    outcomes = stats.count_by("outcome")
    assert outcomes == {"": 2, "upheld": 1, "not_upheld": 1, "withdrawn": 1}
    assert stats.count_by("status") == {"pending": 1, "awaiting_reply": 1, "closed": 3}


def test_macro_categories_month_by_month(data):
    cells, macros = statistics().macro_category_by_month()
    assert cells[data["tempi"].pk] == {datetime.date(2025, 1, 1): 1, datetime.date(2025, 2, 1): 1}
    assert cells[data["structures"].pk] == {datetime.date(2025, 3, 1): 1}
    assert cells[data["information"].pk] == {datetime.date(2025, 7, 1): 1}
    assert len(macros) == 10


# -- filters ------------------------------------------------------------------------------------


def test_filters(data):
    assert statistics(category=data["tempi"]).summary()["current"]["received"] == 2  # macro includes its subs
    assert statistics(category=data["waiting"]).summary()["current"]["received"] == 1
    assert statistics(service=data["emergency"]).summary()["current"]["received"] == 2
    assert statistics(channel="phone").summary()["current"]["received"] == 1
    tempi = statistics(category=data["tempi"]).summary()
    assert tempi["current"]["closed"] == 3 and tempi["previous"]["received"] == 1  # A B F; F
    from wagtail.models import Site

    other_site = Site.objects.create(hostname="other.example", root_page=Site.objects.get().root_page)
    assert statistics(site=other_site).summary()["current"]["received"] == 0


def test_long_ranges_group_by_month_and_agree_with_the_short_ones(data):
    # Over 36 months the months come from one GROUP BY on truncated dates instead of conditional counts.
    period = Period(datetime.date(2023, 1, 1), datetime.date(2026, 6, 30))
    long = {row["bucket"]: row for row in statistics(period).monthly()}
    assert len(long) == 42
    short = statistics(Period.year(2025)).monthly()
    for row in short:
        assert long[row["bucket"]] == row
    assert long[datetime.date(2024, 11, 1)]["received"] == 1 and long[datetime.date(2026, 1, 1)]["received"] == 1
    assert long[datetime.date(2026, 6, 1)]["open_at_end"] == 3


def test_a_range_of_days_counts_only_its_days(data):
    # 1-14 February: A (received 1 Feb in Rome, answered on the 4th, closed on the 11th); B answered on the 24th.
    rows = statistics(Period(datetime.date(2025, 2, 1), datetime.date(2025, 2, 14))).monthly()
    assert [(r["received"], r["taken_in_charge"], r["answered"], r["closed"], r["open_at_end"]) for r in rows] == [
        (1, 1, 1, 1, 1)
    ]


# -- outcomes by the month closed (issue 16b) ---------------------------------------------------


def test_outcomes_are_counted_by_the_month_they_were_closed_in(data):
    from wagtail_complaints.stats.tables import build

    stats = statistics()
    # F was received in 2024 and closed in January 2025: it counts in 2025; D, E, G are not closed.
    assert {value: n for value, label, n in stats.closed_by_outcome()} == {
        "upheld": 1, "partly_upheld": 1, "not_upheld": 1, "withdrawn": 1, "not_competent": 0,
    }
    table = build("outcome_months", stats)
    assert len(table.rows) == 13  # twelve months and the total
    by_month = {row["month"]: row for row in table.rows}
    assert (by_month["2025-01"]["partly_upheld"], by_month["2025-01"]["total"]) == (1, 1)
    assert by_month["2025-02"]["upheld"] == 1  # A: closed 11 Feb in Rome
    assert (by_month["2025-03"]["not_upheld"], by_month["2025-03"]["withdrawn"]) == (1, 1)
    assert by_month["2025-06"]["total"] == 0
    assert by_month["Total"]["total"] == 4
    closed = {row["value"]: row["closed"] for row in build("closed_outcomes", stats).rows}
    assert closed["Partly upheld"] == 1


def test_outcomes_by_month_closed_follow_the_filters(data):
    stats = statistics(service=data["radiology"])
    assert {value: n for value, label, n in stats.closed_by_outcome() if n} == {"partly_upheld": 1, "not_upheld": 1}
