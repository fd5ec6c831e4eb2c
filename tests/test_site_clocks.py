"""Each hospital's clock: calendar or working days, public holidays, and an acknowledgement deadline.

Dates of 2026: Tuesday 2 June (Festa della Repubblica), Friday 25 and Saturday 26 December
(Christmas, Santo Stefano); in England Monday 28 December is Boxing Day (observed).
"""

import datetime
import re
from unittest import mock

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from wagtail_complaints import actions
from wagtail_complaints.deadlines import SiteClock
from wagtail_complaints.models import Complaint, ComplaintSettings
from wagtail_complaints.stats.aggregation import Period, Statistics
from wagtail_complaints.stats.tables import summary_table

from .factories import complaint_form_data, make_complaint, make_form_page

pytestmark = pytest.mark.django_db

D = datetime.date


def office(**fields):
    settings = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def working(**fields):
    return office(count_days_as="working", **fields)


def logged_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_SEC_FETCH_SITE"] = "same-origin"
    return client


def received_on(day, hour=10):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


# -- counting -----------------------------------------------------------------------------------


def test_calendar_days_count_weekends_and_holidays():
    clock = SiteClock(office(answer_within_days=30))
    assert clock.answer_by(received_on(D(2026, 12, 1))) == D(2026, 12, 31)
    assert clock.add_days(D(2026, 6, 1), 3) == D(2026, 6, 4)  # 2 June counts too


def test_working_days_skip_the_weekend():
    clock = SiteClock(working(answer_within_days=3))
    # Thursday 4 June 2026: Friday 5, Monday 8, Tuesday 9.
    assert clock.answer_by(received_on(D(2026, 6, 4))) == D(2026, 6, 9)
    # Filed on Saturday: the count starts on Monday.
    assert clock.add_days(D(2026, 6, 6), 1) == D(2026, 6, 8)


def test_working_days_skip_the_countrys_public_holidays():
    clock = SiteClock(working(answer_within_days=3))
    # Monday 1 June: Tuesday 2 June is the Festa della Repubblica, so Wednesday 3, Thursday 4, Friday 5.
    assert clock.answer_by(received_on(D(2026, 6, 1))) == D(2026, 6, 5)
    # Wednesday 23 December: Thursday 24, (Christmas, Santo Stefano, Sunday), Monday 28, Tuesday 29.
    assert clock.add_days(D(2026, 12, 23), 3) == D(2026, 12, 29)
    assert clock.holiday(D(2026, 6, 2)) and not clock.is_working_day(D(2026, 12, 26))


def test_each_country_has_its_own_holidays():
    italy = SiteClock(working(answer_within_days=3))
    england = SiteClock(working(answer_within_days=3, holiday_country="GB", holiday_subdivision="ENG"))
    # England also rests on Monday 28 December (Boxing Day observed) but works on 2 June.
    assert italy.add_days(D(2026, 12, 23), 3) == D(2026, 12, 29)
    assert england.add_days(D(2026, 12, 23), 3) == D(2026, 12, 30)
    assert england.add_days(D(2026, 6, 1), 3) == D(2026, 6, 4)


def test_a_region_adds_its_own_holidays():
    rome = SiteClock(working(answer_within_days=1, holiday_subdivision="RM"))
    milan = SiteClock(working(answer_within_days=1, holiday_subdivision="MI"))
    # Monday 29 June 2026: Saints Peter and Paul, Rome's patron saints.
    assert rome.add_days(D(2026, 6, 26), 1) == D(2026, 6, 30)
    assert milan.add_days(D(2026, 6, 26), 1) == D(2026, 6, 29)


def test_unknown_country_or_region_is_refused_with_a_clear_error():
    settings = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    settings.holiday_country = "XX"
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "holiday_country" in error.value.message_dict
    settings.holiday_country = "it"
    settings.holiday_subdivision = "ZZZ"
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "RM" in " ".join(error.value.message_dict["holiday_subdivision"])
    assert settings.holiday_country == "IT"  # normalised while cleaning


# -- where the dates are given ------------------------------------------------------------------


def test_web_form_counts_working_days_and_sets_the_acknowledgement_deadline(committing_client):
    working(answer_within_days=10, acknowledge_within_days=3, holiday_country="GB", holiday_subdivision="ENG")
    page = make_form_page()
    response = committing_client.post(page.url, complaint_form_data(committing_client, page))
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    today = timezone.localdate()
    english_holidays = holidays.country_holidays("GB", subdiv="ENG", years=[today.year, today.year + 1])

    def working_days_between(start, end):
        days = (start + datetime.timedelta(days=n) for n in range(1, (end - start).days + 1))
        return sum(1 for day in days if day.weekday() < 5 and day not in english_holidays)

    assert working_days_between(today, complaint.answer_by) == 10
    assert complaint.answer_by.weekday() < 5 and complaint.answer_by not in english_holidays
    assert working_days_between(today, complaint.acknowledge_by) == 3
    assert (complaint.answer_by - today).days > 10  # at least a weekend in ten working days


def test_italian_default_has_no_acknowledgement_deadline(committing_client, form_page):
    committing_client.post(form_page.url, complaint_form_data(committing_client, form_page))
    complaint = Complaint.objects.get()
    assert complaint.acknowledge_by is None
    assert complaint.answer_by == timezone.localdate() + datetime.timedelta(days=30)


def register(client, received, category):
    return client.post(
        reverse("wagtail_complaints:add"),
        {
            "channel": "letter",
            "received_at": received.strftime("%Y-%m-%d %H:%M"),
            "category": category.pk,
            "description": "Lettera sul parcheggio",
            "first_name": "Luigi",
            "last_name": "Verdi",
            "email": "luigi@example.com",
            "contact_preference": "email",
            "language": "it",
        },
    )


def test_registration_counts_from_the_day_received_by_the_sites_rules(client, handler, category):
    working(answer_within_days=3, acknowledge_within_days=2)
    response = register(logged_in(client, handler), received_on(D(2026, 6, 1)), category)
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint = Complaint.objects.get(last_name="Verdi")
    assert complaint.answer_by == D(2026, 6, 5)  # over 2 June
    assert complaint.acknowledge_by == D(2026, 6, 4)


def extend(client, complaint, new_date):
    return client.post(
        reverse("wagtail_complaints:extend", args=[complaint.pk]),
        {"answer_by": new_date.isoformat(), "reason": "Attendiamo il primario", "drawn_answer_by": complaint.answer_by.isoformat()},
        follow=True,
    )


def next_weekday(day, weekday):
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def test_extension_to_a_closed_day_is_refused_where_working_days_count(client, handler, category):
    working()
    complaint = make_complaint(category=category, assigned_to=handler, status="taken_in_charge")
    saturday = next_weekday(complaint.answer_by, 5)
    response = extend(logged_in(client, handler), complaint, saturday)
    content = response.content.decode()
    assert "is not a working day at this hospital" in content
    assert Complaint.objects.get(pk=complaint.pk).answer_by == complaint.answer_by
    monday = saturday + datetime.timedelta(days=2)
    if not SiteClock(ComplaintSettings.for_site(complaint.site)).is_working_day(monday):
        monday = SiteClock(ComplaintSettings.for_site(complaint.site)).next_working_day(monday)
    extend(client, complaint, monday)
    assert Complaint.objects.get(pk=complaint.pk).answer_by == monday


def test_extension_to_a_weekend_is_fine_where_calendar_days_count(client, handler, category):
    complaint = make_complaint(category=category, assigned_to=handler, status="taken_in_charge")
    saturday = next_weekday(complaint.answer_by, 5)
    extend(logged_in(client, handler), complaint, saturday)
    assert Complaint.objects.get(pk=complaint.pk).answer_by == saturday


# -- acknowledgement: shown, and counted --------------------------------------------------------


def test_complaint_screen_and_inbox_show_the_acknowledgement_deadline(client, handler, viewer, category):
    today = timezone.localdate()
    late = make_complaint(category=category, acknowledge_by=today - datetime.timedelta(days=2))
    client = logged_in(client, viewer)  # a viewer opening it takes nothing in charge
    inbox = client.get(reverse("wagtail_complaints:index")).content.decode()
    assert "Acknowledge by" in inbox and "acknowledgement overdue by 2 days" in inbox
    screen = client.get(reverse("wagtail_complaints:inspect", args=[late.pk])).content.decode()
    assert "Acknowledge by" in screen and "acknowledgement overdue by 2 days" in screen
    assert "Taking the complaint in charge acknowledges it." in screen

    client = logged_in(client, handler)
    screen = client.get(reverse("wagtail_complaints:inspect", args=[late.pk])).content.decode()  # takes it in charge
    assert Complaint.objects.get(pk=late.pk).status == "taken_in_charge"
    assert "acknowledged late, on" in screen
    inbox = client.get(reverse("wagtail_complaints:index")).content.decode()
    assert "acknowledgement overdue" not in inbox


def test_no_acknowledgement_line_where_the_site_sets_none(client, viewer, complaint):
    client = logged_in(client, viewer)
    assert "Acknowledge by" not in client.get(reverse("wagtail_complaints:index")).content.decode()
    assert "Acknowledge by" not in client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()


def test_statistics_count_the_share_acknowledged_on_time(handler, category):
    today = D(2026, 6, 30)
    period = Period(D(2026, 6, 1), D(2026, 6, 30))

    def filed(day, acknowledge_within, taken_after=None, **fields):
        complaint = make_complaint(
            category=category,
            received_at=received_on(day),
            acknowledge_by=day + datetime.timedelta(days=acknowledge_within) if acknowledge_within else None,
            **fields,
        )
        if taken_after is not None:
            Complaint.objects.filter(pk=complaint.pk).update(
                status="taken_in_charge", taken_in_charge_at=received_on(day) + datetime.timedelta(days=taken_after)
            )
        return complaint

    filed(D(2026, 6, 1), 3, taken_after=1)  # on time
    filed(D(2026, 6, 2), 3, taken_after=3)  # on time, on the last day
    filed(D(2026, 6, 3), 3, taken_after=5)  # late
    filed(D(2026, 6, 4), 3)  # not taken, past the deadline: late
    filed(D(2026, 6, 28), 3)  # not taken, still within: not yet due
    filed(D(2026, 6, 5), 3, status="closed", outcome="withdrawn")  # withdrawn untouched: left out
    filed(D(2026, 6, 6), None, taken_after=9)  # its site sets no deadline: left out
    filed(D(2026, 5, 10), 3, taken_after=1)  # previous period

    figures = Statistics(period, today=today).acknowledgement()
    assert figures["current"] == {"due": 4, "on_time": 2, "share": 50.0}
    assert figures["previous"] == {"due": 1, "on_time": 1, "share": 100.0}
    rows = {str(row["figure"]): row for row in summary_table(Statistics(period, today=today)).rows}
    row = rows["Acknowledged (taken in charge) within the acknowledgement deadline (%)"]
    assert (row["current"], row["previous"], row["change"]) == (50.0, 100.0, -50.0)


def test_statistics_show_no_acknowledgement_figure_without_deadlines(category):
    make_complaint(category=category)
    period = Period.year(timezone.localdate().year)
    figures = [str(row["figure"]) for row in summary_table(Statistics(period)).rows]
    assert not [figure for figure in figures if figure.startswith("Acknowledged")]


def test_taking_in_charge_is_what_acknowledges(handler, category):
    complaint = make_complaint(category=category, acknowledge_by=timezone.localdate())
    assert complaint.acknowledged_on_time is None  # due today, not yet late
    complaint = actions.take_in_charge(complaint, handler)
    assert complaint.acknowledged_on == timezone.localdate()
    assert complaint.acknowledged_on_time is True


def test_the_health_authority_reads_the_acknowledgement_share_on_the_statistics_screen(client, viewer, handler, category):
    received = timezone.now() - datetime.timedelta(days=10)
    on_time = make_complaint(category=category, received_at=received, acknowledge_by=timezone.localdate(received) + datetime.timedelta(days=3))
    make_complaint(category=category, received_at=received, acknowledge_by=timezone.localdate(received) + datetime.timedelta(days=3))
    # Through the workflow, a day after receipt: the statistics read what the transitions recorded.
    with mock.patch("django.utils.timezone.now", return_value=received + datetime.timedelta(days=1)):
        actions.take_in_charge(on_time, handler)
    client.force_login(viewer)
    page = client.get(reverse("wagtail_complaints_stats:index"), {"year": timezone.localdate(received).year})
    content = page.content.decode()
    assert page.status_code == 200
    row = re.search(r"Acknowledged \(taken in charge\) within the acknowledgement deadline \(%\)</th>\s*<td>([^<]*)</td>", content)
    assert row is not None and row.group(1).strip() in ("50.0", "50,0")
