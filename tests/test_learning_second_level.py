"""The second level: a closed complaint referred to a body of the office's list, the body's decision,
both in the complaint's history and in the statistics; handlers only, closed complaints only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import registry as log_registry

from wagtail_complaints import actions as core_actions
from wagtail_complaints.learning.models import BodyKind, Decision, Referral, SecondLevelBody
from wagtail_complaints.models import Outcome


@pytest.fixture
def ombudsman(db):
    return SecondLevelBody.objects.create(name="Difensore civico regionale", kind=BodyKind.OMBUDSMAN)


@pytest.fixture
def closed(complaint, handler):
    core_actions.take_in_charge(complaint, handler)
    core_actions.answer(complaint, handler, "We have checked with the ward.")
    return core_actions.close(complaint, handler, Outcome.NOT_UPHELD)


def refer_url(complaint):
    return reverse("wagtail_complaints_learning:refer", args=[complaint.pk])


def history(complaint):
    return [entry.action for entry in log_registry.get_logs_for_instance(complaint)]


def test_a_handler_refers_a_closed_complaint_and_records_the_decision(client, handler, closed, ombudsman):
    client.force_login(handler)
    screen = client.get(reverse("wagtail_complaints:inspect", args=[closed.pk])).content.decode()
    assert refer_url(closed) in screen and "Not referred to a second-level body" in screen

    today = timezone.localdate()
    response = client.post(refer_url(closed), {"body": ombudsman.pk, "referred_on": today.isoformat()})

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.complaint, referral.body, referral.decision) == (closed, ombudsman, Decision.PENDING)
    assert "wagtail_complaints_learning.refer" in history(closed)

    decide_url = reverse("wagtail_complaints_learning:decide", args=[referral.pk])
    refused = client.post(decide_url, {f"referral-{referral.pk}-decision": Decision.PARTLY_UPHELD})
    assert refused.status_code == 200 and "Give the date of the decision" in refused.content.decode()

    client.post(
        decide_url,
        {f"referral-{referral.pk}-decision": Decision.PARTLY_UPHELD, f"referral-{referral.pk}-decided_on": today.isoformat()},
    )
    referral.refresh_from_db()
    assert (referral.decision, referral.decided_on) == (Decision.PARTLY_UPHELD, today)
    assert "wagtail_complaints_learning.decide" in history(closed)
    screen = client.get(reverse("wagtail_complaints:inspect", args=[closed.pk])).content.decode()
    assert "Referred to “Difensore civico regionale”" in screen
    assert "Decision of “Difensore civico regionale”: Partly upheld" in screen


def test_an_open_complaint_cannot_be_referred(client, handler, complaint, ombudsman):
    client.force_login(handler)

    page = client.get(refer_url(complaint)).content.decode()
    response = client.post(refer_url(complaint), {"body": ombudsman.pk, "referred_on": timezone.localdate().isoformat()})

    assert "Only a closed complaint can be referred" in page
    assert response.status_code == 200 and "Only a closed complaint can be referred" in response.content.decode()
    assert not Referral.objects.exists()
    screen = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert refer_url(complaint) not in screen


def test_a_date_in_the_future_or_before_closing_is_refused(client, handler, closed, ombudsman):
    client.force_login(handler)

    future = client.post(refer_url(closed), {"body": ombudsman.pk, "referred_on": "2999-01-01"})
    before = client.post(
        refer_url(closed), {"body": ombudsman.pk, "referred_on": (timezone.localdate() - datetime.timedelta(days=400)).isoformat()}
    )

    assert "cannot be in the future" in future.content.decode()
    assert "after it was closed" in before.content.decode()
    assert not Referral.objects.exists()


def test_only_the_sites_bodies_and_active_ones_are_offered(client, handler, closed, ombudsman):
    from wagtail.models import Site

    other = Site.objects.create(hostname="other.example", root_page_id=Site.objects.get().root_page_id)
    SecondLevelBody.objects.create(name="Tribunale di Altrove", kind=BodyKind.COURT, site=other)
    SecondLevelBody.objects.create(name="Old committee", kind=BodyKind.CONCILIATION, is_active=False)
    client.force_login(handler)

    page = client.get(refer_url(closed)).content.decode()

    assert "Difensore civico regionale" in page
    assert "Tribunale di Altrove" not in page and "Old committee" not in page


def test_viewers_read_referrals_but_cannot_refer_or_decide(client, viewer, handler, closed, ombudsman):
    from wagtail_complaints.learning import actions

    referral = actions.refer(closed, handler, ombudsman, timezone.localdate())
    client.force_login(viewer)

    screen = client.get(reverse("wagtail_complaints:inspect", args=[closed.pk])).content.decode()
    assert "Difensore civico regionale" in screen and refer_url(closed) not in screen
    assert client.get(refer_url(closed)).status_code in (302, 403)  # Wagtail: back to the dashboard
    assert client.post(refer_url(closed), {"body": ombudsman.pk, "referred_on": timezone.localdate().isoformat()}).status_code in (302, 403)
    decide_url = reverse("wagtail_complaints_learning:decide", args=[referral.pk])
    assert client.post(decide_url, {f"referral-{referral.pk}-decision": Decision.UPHELD}).status_code in (302, 403)
    assert Referral.objects.get().decision == Decision.PENDING and Referral.objects.count() == 1
    with pytest.raises(PermissionDenied):
        actions.refer(closed, viewer, ombudsman, timezone.localdate())


def test_administrators_manage_the_bodies_and_a_used_body_is_deactivated(client, administrator, handler, closed, ombudsman):
    from wagtail_complaints.learning import actions

    actions.refer(closed, handler, ombudsman, timezone.localdate())
    client.force_login(handler)
    assert client.get(reverse("wagtail_complaints_learning_bodies:add")).status_code in (302, 403)
    client.force_login(administrator)

    added = client.post(
        reverse("wagtail_complaints_learning_bodies:add"),
        {"name": "Comitato misto consultivo", "kind": BodyKind.CONCILIATION, "site": "", "is_active": "on"},
    )
    client.post(reverse("wagtail_complaints_learning_bodies:delete", args=[ombudsman.pk]))

    assert added.status_code == 302 and SecondLevelBody.objects.filter(name="Comitato misto consultivo").exists()
    ombudsman.refresh_from_db()
    assert ombudsman.is_active is False  # its referral keeps it


def test_the_statistics_count_referrals_by_kind_and_decision(client, viewer, handler, closed, ombudsman, category, service):
    from wagtail_complaints.learning import actions
    from wagtail_complaints.learning.figures import referral_figures
    from wagtail_complaints.stats.aggregation import Period, Statistics

    court = SecondLevelBody.objects.create(name="Tribunale", kind=BodyKind.COURT)
    today = timezone.localdate()
    first = actions.refer(closed, handler, ombudsman, today)
    actions.refer(closed, handler, court, today)
    actions.record_decision(first, handler, Decision.UPHELD, today)

    figures = referral_figures(Statistics(Period.year(today.year)))

    assert figures["complaints"] == 1  # one complaint, taken to two bodies
    assert figures["by_kind"][BodyKind.OMBUDSMAN] == {"referred": 1, "pending": 0, "upheld": 1, "partly_upheld": 0, "not_upheld": 0}
    assert figures["by_kind"][BodyKind.COURT]["pending"] == 1
    assert referral_figures(Statistics(Period.year(today.year - 1)))["complaints"] == 0
    client.force_login(viewer)
    screen = client.get(reverse("wagtail_complaints_stats:index") + f"?year={today.year}").content.decode()
    assert "Referred to the second level" in screen and "Ombudsman" in screen
