"""The retention policy: complaints closed longer ago than the site keeps them lose their personal
data (`manage.py apply_complaint_retention`, also a task), and every statistic stays the same."""

import datetime
import html
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from wagtail_complaints.models import Attachment, Category, Complaint, ComplaintLogEntry, ComplaintSettings, Email, Message, Service
from wagtail_complaints.privacy.tasks import apply_complaint_retention
from wagtail_complaints.workflow import Status

from .privacy_data import MARKERS, make_full_complaint

pytestmark = pytest.mark.django_db

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
PERIODS = [{"year": "2025"}, {"year": "2025", "month": "3"}, {"year": "2025", "month": "11"}, {}]


@pytest.fixture
def office(db):
    office = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    office.keep_personal_data_days = 30
    office.save()
    return office


def build(handler, received, closed_after=None, reopen_count=0, outcome="upheld", rating=3, **fields):
    """A complaint with all its personal data, received and (perhaps) closed at the given times."""
    complaint = make_full_complaint(handler, close=closed_after is not None, **fields)
    updates = {
        "received_at": received,
        "answer_by": (received + 30 * DAY).date(),
        "taken_in_charge_at": received + DAY,
        "first_answered_at": received + 10 * DAY,
        "last_answered_at": received + 10 * DAY,
        "reopen_count": reopen_count,
    }
    if closed_after is not None:
        updates.update(closed_at=received + closed_after * DAY, outcome=outcome, rating=rating)
    Complaint.objects.filter(pk=complaint.pk).update(**updates)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def complaints(handler, office):
    tempi = Category.objects.get(name="Tempi")
    other = Category.objects.exclude(pk=tempi.pk).first()
    ps = Service.objects.create(name="Pronto soccorso")
    lab = Service.objects.create(name="Laboratorio")
    now = timezone.now()
    return {
        "old": [
            build(handler, datetime.datetime(2025, 1, 10, 9, tzinfo=UTC), 20, category=tempi, service=ps),
            build(handler, datetime.datetime(2025, 3, 5, 9, tzinfo=UTC), 45, reopen_count=1, outcome="not_upheld",
                  rating=1, category=other, service=lab, channel="phone"),
            build(handler, datetime.datetime(2025, 3, 31, 23, 30, tzinfo=UTC), 3, outcome="withdrawn", rating=None,
                  category=tempi, service=None, channel="email"),
            build(handler, datetime.datetime(2025, 11, 20, 9, tzinfo=UTC), 12, outcome="partly_upheld", rating=5,
                  category=other, service=ps),
        ],
        # Closed 5 days ago: kept. Open: kept, whatever its age.
        "recent": build(handler, now - 40 * DAY, 35, category=tempi, service=lab),
        "open": build(handler, datetime.datetime(2025, 2, 1, 9, tzinfo=UTC), None, category=other, service=ps),
    }


def every_statistics_table(client):
    """Each table the statistics screen offers (month and year, and the key figures), as CSV."""
    exports = {}
    for params in PERIODS:
        page = client.get(reverse("wagtail_complaints_stats:index"), params).content.decode()
        links = {html.unescape(link) for link in re.findall(r'href="([^"]*export=csv[^"]*)"', page)}
        assert len(links) >= 9, links  # summary, monthly, yearly, categories, ... states
        for link in sorted(links):
            response = client.get(link)
            assert response.status_code == 200
            exports[link] = b"".join(response.streaming_content).decode()
    return exports


def test_retention_keeps_every_statistic_exactly(client, administrator, complaints):
    client.force_login(administrator)
    before = every_statistics_table(client)
    assert any("summary" in link for link in before) and any("category_months" in link for link in before)
    out = io.StringIO()
    call_command("apply_complaint_retention", "--batch-size", "2", stdout=out)
    assert "Personal data removed from 4 complaints." in out.getvalue()
    assert every_statistics_table(client) == before


def test_retention_removes_the_personal_data_of_old_closed_complaints(client, administrator, complaints):
    attachment_files = [a.file.name for a in Attachment.objects.filter(complaint__in=complaints["old"])]
    storage = Attachment._meta.get_field("file").storage
    assert attachment_files and all(storage.exists(name) for name in attachment_files)
    old_tokens = [c.access_token for c in complaints["old"]]
    call_command("apply_complaint_retention", stdout=io.StringIO())

    for complaint in Complaint.objects.filter(pk__in=[c.pk for c in complaints["old"]]):
        assert complaint.personal_data_removed_at is not None
        assert complaint.personal_data_removed_because == "retention"
        for field in ("first_name", "last_name", "email", "phone", "patient_name", "relationship",
                      "description", "closing_note", "rating_comment"):
            assert getattr(complaint, field) == "", field
        assert complaint.extra_answers == {}
        assert complaint.status == Status.CLOSED and complaint.outcome and complaint.closed_at
        assert not Message.objects.filter(complaint=complaint).exclude(body="").exists()
        assert Message.objects.filter(complaint=complaint).count() == 3  # the thread's shape stays
        assert not Email.objects.filter(complaint=complaint).exclude(recipient="").exists()
        assert not complaint.attachments.exists()
        assert ComplaintLogEntry.objects.filter(
            complaint_id=complaint.pk, action="wagtail_complaints.remove_personal_data"
        ).count() == 1
    assert not any(storage.exists(name) for name in attachment_files)
    # The old private links open nothing.
    for token in old_tokens:
        assert client.get(reverse("wagtail_complaints_public:follow_up", args=[token])).status_code == 404

    for kept in (complaints["recent"], complaints["open"]):
        kept = Complaint.objects.get(pk=kept.pk)
        assert kept.personal_data_removed_at is None
        assert kept.description == MARKERS["description"]
        assert kept.attachments.exists()

    # The complaint screen says so, and the history has the entry.
    client.force_login(administrator)
    content = client.get(reverse("wagtail_complaints:inspect", args=[complaints["old"][0].pk])).content.decode()
    removed_on = timezone.localdate().strftime("%b")
    assert "Personal data removed on" in content and "under the retention policy" in content
    assert removed_on in content
    for name in ("description", "answer", "reply", "attachment_name", "rating_comment", "closing_note"):
        assert MARKERS[name] not in content, name
    assert "Reopen" not in content  # nobody is left to answer


def test_a_dry_run_lists_and_changes_nothing(complaints):
    out = io.StringIO()
    call_command("apply_complaint_retention", "--dry-run", stdout=out)
    listed = set(out.getvalue().split()[:4])
    assert listed == {c.reference for c in complaints["old"]}
    assert "4 complaints would lose their personal data." in out.getvalue()
    assert not Complaint.objects.filter(personal_data_removed_at__isnull=False).exists()
    assert Complaint.objects.filter(description=MARKERS["description"]).count() == 6


def test_running_again_does_nothing_more(complaints):
    call_command("apply_complaint_retention", stdout=io.StringIO())
    removed = dict(Complaint.objects.filter(personal_data_removed_at__isnull=False).values_list("pk", "personal_data_removed_at"))
    entries = ComplaintLogEntry.objects.filter(action="wagtail_complaints.remove_personal_data").count()
    out = io.StringIO()
    call_command("apply_complaint_retention", stdout=out)
    assert "Personal data removed from 0 complaints." in out.getvalue()
    assert dict(Complaint.objects.filter(personal_data_removed_at__isnull=False).values_list("pk", "personal_data_removed_at")) == removed
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.remove_personal_data").count() == entries


def test_the_default_keeps_personal_data_for_ten_years(handler):
    assert ComplaintSettings().keep_personal_data_days == 3650
    complaint = build(handler, timezone.now() - 3000 * DAY, 10)
    assert apply_complaint_retention.enqueue().return_value == 0
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - 3651 * DAY)
    assert apply_complaint_retention.enqueue().return_value == 1
    assert Complaint.objects.get(pk=complaint.pk).personal_data_removed_at is not None


def test_each_site_keeps_for_its_own_period(handler, office):
    other_site = Site.objects.create(hostname="other.example", root_page=Site.objects.get(is_default_site=True).root_page)
    ComplaintSettings.for_site(other_site)  # default: ten years
    here = build(handler, timezone.now() - 100 * DAY, 10)
    there = build(handler, timezone.now() - 100 * DAY, 10, site=other_site)
    mail.outbox.clear()
    call_command("apply_complaint_retention", stdout=io.StringIO())
    assert Complaint.objects.get(pk=here.pk).personal_data_removed_at is not None
    assert Complaint.objects.get(pk=there.pk).personal_data_removed_at is None
    assert mail.outbox == []  # nobody is e-mailed about it


def test_an_anonymised_complaint_gets_no_new_private_link(client, handler, complaints):
    call_command("apply_complaint_retention", stdout=io.StringIO())
    complaint = Complaint.objects.get(pk=complaints["old"][0].pk)
    client.force_login(handler)
    content = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert "Re-issue the private link" not in content
    response = client.post(reverse("wagtail_complaints_followup:reissue_link", args=[complaint.pk]))
    assert response.status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).access_nonce == complaint.access_nonce
