"""The demo complaints: consistent with the workflow, idempotent, and enough to fill the screen."""

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.urls import reverse

from wagtail_complaints.models import Category, Complaint, ComplaintLogEntry, Message, MessageKind
from wagtail_complaints.stats.aggregation import Period, Statistics
from wagtail_complaints.stats.rolled_up import RolledUpStatistics
from wagtail_complaints.workflow import OPEN_STATES, Status

from .test_stats_views import user_with

DEMO_COUNT = 600  # load_demo_complaints' default


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    # The default count, as `make demo` loads it: every random path the demo takes is taken here.
    call_command("load_demo_complaints", stdout=open("/dev/null", "w"))
    return Complaint.objects.filter(submission_key__startswith="demo-")


def test_demo_complaints_follow_the_workflow(demo):
    assert demo.count() == DEMO_COUNT
    assert not demo.filter(taken_in_charge_at__lt=F("received_at")).exists()
    assert not demo.filter(first_answered_at__lt=F("taken_in_charge_at")).exists()
    assert not demo.filter(last_answered_at__lt=F("first_answered_at")).exists()
    assert not demo.filter(closed_at__lt=F("received_at")).exists()
    assert not demo.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not demo.filter(status__in=OPEN_STATES, closed_at__isnull=False).exists()
    assert not demo.filter(status=Status.PENDING, taken_in_charge_at__isnull=False).exists()
    assert not demo.filter(Q(status=Status.CLOSED) & Q(outcome="")).exists()
    assert not demo.filter(~Q(status=Status.CLOSED) & ~Q(outcome="")).exists()
    assert not demo.filter(rating__isnull=False, outcome="withdrawn").exists()
    assert demo.filter(outcome="withdrawn").exists()
    assert demo.filter(reopen_count__gt=0).exists()
    assert demo.filter(rating__isnull=False).exists()
    assert demo.filter(status__in=OPEN_STATES).exists()
    assert demo.filter(category__is_active=False).exists()
    assert Category.objects.filter(is_active=False, parent__isnull=False).exists()
    assert len(set(demo.values_list("reference", flat=True))) == DEMO_COUNT
    answered = demo.filter(first_answered_at__isnull=False).count()
    assert Message.objects.filter(kind__in=[MessageKind.ANSWER, MessageKind.PHONE_ANSWER]).count() >= answered
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.take_in_charge").count() == (
        demo.filter(taken_in_charge_at__isnull=False).count()
    )


def test_running_it_again_changes_nothing(demo):
    messages = Message.objects.count()
    call_command("load_demo_complaints", stdout=open("/dev/null", "w"))
    assert demo.count() == DEMO_COUNT and Message.objects.count() == messages


def test_the_statistics_of_the_demo_are_not_empty(demo, client):
    latest = demo.order_by("-received_at").first().received_at.year
    figures = Statistics(Period.year(latest)).summary()["current"]
    assert figures["received"] > 0 and figures["closed"] > 0
    assert figures["times"]["close"].median is not None
    # The demo is loaded in bulk: its last step rebuilds the roll-ups the screen reads.
    assert RolledUpStatistics(Period.year(latest)).summary() == Statistics(Period.year(latest)).summary()
    client.force_login(user_with("wagtailadmin.access_admin", "wagtail_complaints.view_complaint", username="v"))
    assert client.get(reverse("wagtail_complaints_stats:index"), {"year": latest}).status_code == 200


def test_demo_has_safety_flags_and_duplicates_that_follow_their_original(demo):
    flagged = demo.filter(safety_flagged_at__isnull=False)
    assert flagged.exists()
    assert not flagged.filter(taken_in_charge_at__isnull=True).exists()
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.flag_safety").count() == flagged.count()
    duplicates = demo.filter(duplicate_of__isnull=False).select_related("duplicate_of")
    assert duplicates.exists()
    for duplicate in duplicates:
        original = duplicate.duplicate_of
        assert original.duplicate_of_id is None and original.received_at <= duplicate.received_at
        if duplicate.status == Status.CLOSED:
            assert duplicate.outcome == original.outcome and duplicate.closed_at >= original.closed_at
        entry = ComplaintLogEntry.objects.get(complaint_id=duplicate.pk, action="wagtail_complaints.mark_duplicate")
        assert entry.data["other"] == original.reference
        assert ComplaintLogEntry.objects.filter(
            complaint_id=original.pk, action="wagtail_complaints.mark_duplicate", data__other=duplicate.reference
        ).exists()
