"""The roll-ups give the same figures as scanning the complaints, whatever happened to them.

Random complaints (sites, categories of both levels, services or none, channels) go through the
real actions at random times: taken in charge, answered (some by phone), closed with every
outcome, reopened and closed again, withdrawn, rated, answer-by dates extended, categories
corrected, personal data removed, flagged as possible safety incidents (and unflagged); one
site sets an acknowledgement deadline. Every figure of the screen is then compared, for years,
months, a range of days and every filter, between `Statistics` (the live aggregation) and
`RolledUpStatistics` (the roll-ups kept up to date by those same transactions).
"""

import datetime
import io
import random
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints import actions, corrections, related
from wagtail_complaints.deadlines import SiteClock, office_of
from wagtail_complaints.learning.figures import action_figures
from wagtail_complaints.learning.models import ImprovementAction
from wagtail_complaints.models import Category, Complaint, ComplaintSettings, Outcome, PersonalDataRemoval, Service
from wagtail_complaints.privacy.anonymise import remove_personal_data
from wagtail_complaints.stats import rollups
from wagtail_complaints.stats.aggregation import Filters, Period, Statistics
from wagtail_complaints.stats.models import DailyFigures
from wagtail_complaints.stats.rolled_up import RolledUpStatistics
from wagtail_complaints.workflow import COMPLAINANT

from .factories import make_complaint, make_operator

UTC = datetime.timezone.utc
TODAY = datetime.date(2026, 3, 15)
START = datetime.datetime(2024, 1, 1, tzinfo=UTC)
SPAN_SECONDS = (datetime.datetime(2026, 3, 10, tzinfo=UTC) - START).total_seconds()
CLOSING_OUTCOMES = [value for value in Outcome.values if value != Outcome.WITHDRAWN]
CHANNELS = ["web", "web", "web", "email", "phone", "letter", "in_person"]


class Clock:
    """timezone.now() for the actions: moves forward by random amounts within a complaint's life."""

    def __init__(self, rng):
        self.rng = rng
        self.now = START

    def advance(self, max_days):
        # Microseconds too: the percentiles must stay exact on real time stamps.
        self.now += datetime.timedelta(seconds=self.rng.uniform(60, max_days * 86400))
        return self.now

    def __call__(self):
        return self.now


def random_history(rng, count):
    """`count` complaints through the real actions; returns the sites, categories and services used."""
    default_site = Site.objects.get(is_default_site=True)
    other_site = Site.objects.create(hostname="ospedale-nord.example", port=80, root_page=Page.objects.get(depth=2))
    sites = [default_site, other_site]
    # The northern hospital promises an acknowledgement within two working days; the default site none.
    northern_office = ComplaintSettings.for_site(other_site)
    northern_office.acknowledge_within_days = 2
    northern_office.save()
    clocks = {site.pk: SiteClock(office_of(site)) for site in sites}
    macros = list(Category.objects.filter(parent=None, needs_classification=False))
    subs = [Category.objects.create(name=f"Sotto-voce {i}", parent=macros[i % len(macros)]) for i in range(4)]
    categories = macros[:5] + subs
    services = [Service.objects.create(name=f"Servizio {i}") for i in range(4)]
    handler = make_operator("handler").user
    clock = Clock(rng)
    earlier = []
    with mock.patch("django.utils.timezone.now", clock):
        for _ in range(count):
            clock.now = START + datetime.timedelta(seconds=rng.uniform(0, SPAN_SECONDS), microseconds=rng.randrange(10**6))
            site = rng.choice(sites)
            complaint = make_complaint(
                received_at=clock.now,
                acknowledge_by=clocks[site.pk].acknowledge_by(clock.now),
                site=site,
                category=rng.choice(categories),
                service=rng.choice(services) if rng.random() < 0.8 else None,
                channel=rng.choice(CHANNELS),
            )
            if rng.random() < 0.08 and mark_as_duplicate(rng, complaint, handler, earlier):
                if rng.random() < 0.3:
                    actions.flag_patient_safety(complaint, handler)  # counted with its original, not here
                continue  # it follows its original, and the statistics count only that one
            earlier.append(complaint)
            live_through(rng, clock, complaint, handler, categories)
    # Improvement actions the complaints led to: some several complaints, one a duplicate's too.
    complaints = list(Complaint.objects.order_by("pk"))
    for i in range(6):
        action = ImprovementAction.objects.create(
            title=f"Azione {i}", owner="Direzione sanitaria", due_date=TODAY, site=rng.choice([None, *sites])
        )
        action.complaints.set(rng.sample(complaints, rng.randint(1, 8)))
    ImprovementAction.objects.first().complaints.add(Complaint.objects.filter(duplicate_of__isnull=False).first())
    return {"sites": sites, "categories": categories, "macros": macros[:5], "services": services}


def mark_as_duplicate(rng, complaint, handler, earlier):
    """Mark `complaint` a duplicate of an earlier one of its site; False when the rules refuse."""
    candidates = [c for c in earlier if c.site_id == complaint.site_id]
    if not candidates:
        return False
    try:
        actions.mark_duplicate(complaint, handler, Complaint.objects.get(pk=rng.choice(candidates).pk))
    except related.LinkRefused:
        return False
    return True


def live_through(rng, clock, complaint, handler, categories):
    if rng.random() < 0.1:
        return  # still pending
    if rng.random() < 0.05:
        clock.advance(3)
        actions.withdraw(complaint, COMPLAINANT, reason="Risolto")
        return
    clock.advance(3)
    complaint = actions.take_in_charge(complaint, handler)
    if rng.random() < 0.15:
        complaint = actions.flag_patient_safety(complaint, handler)
        if rng.random() < 0.3:
            complaint = actions.unflag_patient_safety(complaint, handler, "No incident after review.")
    if rng.random() < 0.15:
        complaint = actions.correct(
            complaint, handler, {"category": rng.choice(categories)}, corrections.snapshot(complaint, ["category"])
        )
    if rng.random() < 0.15:
        complaint = actions.extend_answer_by(
            complaint, handler, complaint.answer_by + datetime.timedelta(days=15), "Serve il parere del primario",
            complaint.answer_by,
        )
    if rng.random() < 0.15:
        return  # in charge, never answered
    clock.advance(45)
    by_phone = rng.random() < 0.2
    complaint, _message = actions.answer(
        complaint, handler, "Gentile utente, ...", by_phone=by_phone, contacted_at=clock.now if by_phone else None
    )
    for _round in range(rng.choice([1, 1, 1, 2, 3])):
        if rng.random() < 0.2:
            break  # waiting for the complainant
        clock.advance(15)
        if rng.random() < 0.08:
            complaint, _message = actions.withdraw(complaint, COMPLAINANT)
            return
        complaint = actions.close(complaint, handler, rng.choice(CLOSING_OUTCOMES))
        if rng.random() < 0.5:
            break
        clock.advance(20)
        complaint, _message = actions.reopen(complaint, rng.choice([COMPLAINANT, handler]), "Non sono soddisfatto")
        clock.advance(10)
        complaint, _message = actions.answer(complaint, handler, "Le rispondiamo di nuovo.")
    complaint.refresh_from_db()
    if complaint.status == "closed":
        if rng.random() < 0.4:
            actions.rate(complaint, rng.randint(1, 5))
        if rng.random() < 0.2:
            remove_personal_data(complaint, PersonalDataRemoval.RETENTION)


PERIODS = [
    Period.year(2024),
    Period.year(2025),
    Period.year(2026),
    Period.month(2025, 3),
    Period.month(2025, 10),  # the change from summer time
    Period.month(2026, 2),
    Period(datetime.date(2025, 2, 10), datetime.date(2025, 6, 20)),
    Period(datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)),  # more than 36 months: grouped series
]


def every_figure(statistics):
    """What the screen, the exports and the report show, as plain values."""
    return {
        "summary": statistics.summary(),
        "monthly": statistics.monthly(),
        "yearly": statistics.yearly(),
        "by_category": [(c.pk, level, n) for c, level, n in statistics.by_category()],
        "by_service": [(s.pk if s else None, n) for s, n in statistics.by_service()],
        "by_channel": statistics.by_choice("channel", [("web", ""), ("email", ""), ("phone", ""), ("letter", ""),
                                                         ("in_person", "")]),
        "by_outcome": statistics.by_choice("outcome", [(value, "") for value in ["", *Outcome.values]]),
        "by_status": statistics.by_choice("status", [(s, "") for s in ["pending", "taken_in_charge", "awaiting_reply",
                                                                        "closed"]]),
        "category_months": (statistics.macro_category_by_month()[0],
                            [c.pk for c in statistics.macro_category_by_month()[1]]),
        "closed_by_outcome": statistics.closed_by_outcome(),
        "outcomes_by_month_closed": statistics.outcomes_by_month_closed(),
        "acknowledgement": statistics.acknowledgement(),
        "safety_and_duplicates": [statistics.safety_and_duplicates(key) for key in ("current", "previous")],
        "actions": action_figures(statistics),
    }


def filter_sets(used):
    yield Filters()
    for site in used["sites"]:
        yield Filters(site=site)
    yield Filters(category=used["macros"][0])  # with its sub-categories
    yield Filters(category=used["categories"][-1])  # a sub-category
    yield Filters(service=used["services"][0])
    yield Filters(channel="phone")
    yield Filters(site=used["sites"][0], category=used["macros"][1], channel="web")
    # What a hospital's own operators read (their sites only), and a regional reader of both.
    yield Filters(sites=(used["sites"][1].pk,))
    yield Filters(sites=(used["sites"][0].pk,), service=used["services"][1])
    yield Filters(sites=tuple(site.pk for site in used["sites"]))


@pytest.fixture
def history(db, settings, request):
    settings.TIME_ZONE = "Europe/Rome"
    return random_history(random.Random(20260315), getattr(request, "param", 40))


@pytest.mark.parametrize("history", [160], indirect=True)
def test_the_rollups_give_the_live_figures_for_random_histories(history):
    assert Complaint.objects.filter(reopen_count__gt=0).exists()  # the data covers what it should
    assert Complaint.objects.filter(outcome=Outcome.WITHDRAWN).exists()
    assert Complaint.objects.exclude(original_answer_by=None).exists()
    assert Complaint.objects.exclude(rating=None).exists()
    assert Complaint.objects.filter(duplicate_of__isnull=False, status="closed").exists()  # left out of every figure
    assert Complaint.objects.filter(duplicate_of__isnull=False).exclude(status="closed").exists()
    assert Complaint.objects.filter(duplicate_of__isnull=True, safety_flagged_at__isnull=False).exists()
    assert Complaint.objects.filter(duplicate_of__isnull=False, safety_flagged_at__isnull=False).exists()
    acknowledged = Complaint.objects.exclude(acknowledge_by=None).exclude(taken_in_charge_at=None)
    assert acknowledged.filter(taken_in_charge_at__date__gt=models.F("acknowledge_by")).exists()  # late ones too
    assert acknowledged.filter(taken_in_charge_at__date__lte=models.F("acknowledge_by")).exists()
    assert Complaint.objects.exclude(acknowledge_by=None).filter(taken_in_charge_at=None).exists()
    compared = with_action = 0
    for period in PERIODS:
        for filters in filter_sets(history):
            live = every_figure(Statistics(period, filters, today=TODAY))
            rolled_up = every_figure(RolledUpStatistics(period, filters, today=TODAY))
            for name, figures in live.items():
                assert rolled_up[name] == figures, (period, filters, name)
            # The complaints that led to an action, as a join over every complaint received would count them.
            joined = Statistics(period, filters, today=TODAY).received_in(period).filter(
                improvement_actions__isnull=False).distinct().count()
            assert rolled_up["actions"]["complaints_with_action"] == joined, (period, filters)
            with_action += joined
            compared += 1
    assert compared == len(PERIODS) * 11
    assert with_action  # the actions' complaints were counted somewhere


def test_the_rollups_kept_up_to_date_equal_a_rebuild(history):
    tables, count = rollups.compute()
    assert count == 40
    assert rollups.stored() == tables
    stdout = io.StringIO()
    call_command("rebuild_complaint_statistics", "--check", stdout=stdout)
    assert "match" in stdout.getvalue()

    call_command("rebuild_complaint_statistics", stdout=stdout)
    once = rollups.stored()
    call_command("rebuild_complaint_statistics", stdout=stdout)
    assert rollups.stored() == once == tables  # idempotent
    rollups.rebuild(batch_size=7, chunk_size=10)  # counts added to the tables a chunk at a time
    assert rollups.stored() == tables
    assert "40 complaints" in stdout.getvalue()


def test_a_change_that_bypasses_the_models_is_found_by_the_check_and_repaired_by_a_rebuild(history):
    complaint = Complaint.objects.filter(status="closed").first()
    Complaint.objects.filter(pk=complaint.pk).update(channel="letter" if complaint.channel != "letter" else "phone")
    with pytest.raises(CommandError):
        call_command("rebuild_complaint_statistics", "--check", stdout=io.StringIO())
    call_command("rebuild_complaint_statistics", stdout=io.StringIO())
    call_command("rebuild_complaint_statistics", "--check", stdout=io.StringIO())
    period = Period.year(timezone.localtime(complaint.received_at).year)
    assert every_figure(RolledUpStatistics(period, today=TODAY)) == every_figure(Statistics(period, today=TODAY))


def test_a_transaction_that_fails_leaves_the_rollups_as_they_were(history):
    before = rollups.stored()
    complaint = Complaint.objects.filter(status="pending").first()
    handler = make_operator("handler").user
    with mock.patch("wagtail_complaints.actions.audit", side_effect=RuntimeError("audit trail down")):
        with pytest.raises(RuntimeError):
            actions.take_in_charge(complaint, handler)
    assert rollups.stored() == before
    assert Complaint.objects.get(pk=complaint.pk).status == "pending"


def test_saves_that_touch_no_counted_column_write_no_rollup(history, django_assert_num_queries):
    complaint = Complaint.objects.first()
    handler = make_operator("handler").user
    rows = DailyFigures.objects.count()
    with django_assert_num_queries(1):
        complaint.assigned_to = handler
        complaint.save(update_fields=["assigned_to"])
    assert DailyFigures.objects.count() == rows
