"""Daily reminders: each handler gets one e-mail listing their complaints due soon or overdue.

Run it from cron (`manage.py send_complaint_reminders`) or enqueue the `send_reminders` task.
Running it twice on the same day sends nothing new.
"""

import datetime
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from wagtail.models import Site

from . import links
from .models import Complaint, ComplaintSettings, Email
from .notifications import enqueue, new_complaint_operators, operator_language
from .workflow import HANDLE_PERMISSION

EVENT = "reminder"
TEMPLATE = "operator/reminder"


def reminder_days_by_site():
    days = {site.pk: ComplaintSettings.for_site(site).reminder_days for site in Site.objects.all()}
    default = Site.objects.filter(is_default_site=True).first()
    return days, days.get(default.pk) if default else ComplaintSettings().reminder_days


def due_complaints(today):
    """Open complaints whose answer-by date is within their site's reminder window, or past."""
    days_by_site, default_days = reminder_days_by_site()
    due = Q(site__isnull=True, answer_by__lte=today + datetime.timedelta(days=default_days))
    for site_id, days in days_by_site.items():
        due |= Q(site_id=site_id, answer_by__lte=today + datetime.timedelta(days=days))
    # A duplicate waits for its original, which is the one reminded.
    return Complaint.objects.open().filter(due, duplicate_of__isnull=True).select_related("assigned_to", "category").order_by("answer_by")


def recipients(complaint):
    """The handler in charge; for complaints nobody has, those notified of new complaints."""
    user = complaint.assigned_to
    if user is not None and user.is_active and user.email and user.has_perm(HANDLE_PERMISSION):
        return [(user.email, operator_language(user))]
    return new_complaint_operators(complaint)


@transaction.atomic
def remind(today=None):
    """Queue one reminder per recipient; returns the outbox rows created."""
    today = today or timezone.localdate()
    digests = defaultdict(list)
    for complaint in due_complaints(today):
        for address, language in recipients(complaint):
            digests[(address, language)].append(complaint.pk)
    already = set(
        Email.objects.filter(event=EVENT, created_at__date=today).values_list("recipient", flat=True)
    )
    emails = [
        Email.objects.create(
            complaint=None,
            event=EVENT,
            template=TEMPLATE,
            recipient=address,
            language=language,
            context={"complaint_ids": ids, "date": today.isoformat()},
        )
        for (address, language), ids in digests.items()
        if address not in already
    ]
    for email in emails:
        transaction.on_commit(partial(enqueue, email.pk))
    return emails


def digest_context(email):
    """What the reminder template lists, read when the e-mail is rendered."""
    if email.event != EVENT:
        return {}
    today = datetime.date.fromisoformat(email.context.get("date") or timezone.localdate().isoformat())
    complaints = (
        Complaint.objects.filter(pk__in=email.context.get("complaint_ids", []))
        .select_related("category__parent", "service")
        .prefetch_related("category__labels", "category__parent__labels", "service__labels")
        .order_by("answer_by", "pk")
    )
    items = [
        {"complaint": c, "url": links.admin_url(c), "days": (c.answer_by - today).days} for c in complaints
    ]
    return {
        "overdue": [dict(item, days=-item["days"]) for item in items if item["days"] < 0],
        "due_soon": [item for item in items if item["days"] >= 0],
        "inbox_url": getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + reverse("wagtail_complaints:index"),
    }


@task()
def send_reminders():
    return len(remind())
