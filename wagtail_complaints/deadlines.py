"""The clock each site runs on: its deadlines in calendar days or in working days.

Each hospital follows its own rules (ComplaintSettings): Italy answers within 30 calendar days,
England acknowledges within 3 working days, Wales answers within 30 working days. Working days
skip Saturdays, Sundays and the public holidays of the site's country (and region, if given),
as the `holidays` package knows them.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _

from .models.settings import ComplaintSettings, DayCount

SATURDAY = 5


@lru_cache(maxsize=128)
def public_holidays(country, subdivision, year):
    """{date: name} of a year's public holidays; computed once per process and year."""
    return dict(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def holiday_calendar_error(country, subdivision):
    """(field, message) when `country`/`subdivision` name no known calendar of public holidays."""
    supported = holidays.list_supported_countries()
    if country not in supported:
        return "holiday_country", _("Unknown country code: use two letters, e.g. IT, GB, ES.")
    if subdivision and subdivision not in supported[country]:
        return "holiday_subdivision", _("Unknown region or province for this country. Known: %(codes)s.") % {
            "codes": ", ".join(supported[country])
        }
    return None


class SiteClock:
    """Deadlines as one site counts them."""

    def __init__(self, office):
        self.working_days = office.count_days_as == DayCount.WORKING
        self.country = office.holiday_country or "IT"
        self.subdivision = office.holiday_subdivision or ""
        self.answer_within = office.answer_within_days
        self.acknowledge_within = office.acknowledge_within_days

    def holiday(self, day):
        """The name of the public holiday on `day`, or None."""
        return public_holidays(self.country, self.subdivision, day.year).get(day)

    def is_working_day(self, day):
        return day.weekday() < SATURDAY and self.holiday(day) is None

    def add_days(self, start, days):
        """The day `days` days after `start`, counted as this site counts them."""
        if not self.working_days:
            return start + datetime.timedelta(days=days)
        day = start
        while days > 0:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def next_working_day(self, day):
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def answer_by(self, received_at):
        return self.add_days(timezone.localdate(received_at), self.answer_within)

    def acknowledge_by(self, received_at):
        if not self.acknowledge_within:
            return None
        return self.add_days(timezone.localdate(received_at), self.acknowledge_within)


def office_of(site):
    return ComplaintSettings.for_site(site) if site else ComplaintSettings()


def set_deadlines(complaint, office=None):
    """Give a new complaint its answer-by and acknowledge-by dates, from its receipt and its site's rules."""
    clock = SiteClock(office or office_of(complaint.site))
    complaint.answer_by = clock.answer_by(complaint.received_at)
    complaint.acknowledge_by = clock.acknowledge_by(complaint.received_at)
    return complaint
