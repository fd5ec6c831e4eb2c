"""Escalation: complaints overdue for too long are reported, once each, to the head of their office.

Each site names its office head and after how many days overdue (ComplaintSettings). The daily
run (`manage.py send_complaint_reminders`, or the `send_escalations` task) e-mails each head the
complaints that passed the limit since the last run; an entry in each complaint's history records
it, so no complaint is reported twice for the same answer-by date (an extension starts a new count).
The e-mail names no one and tells nothing of the health matter: reference, category, days, link.
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

from . import actions, links
from .models import Complaint, ComplaintLogEntry, ComplaintSettings, Email
from .notifications import enqueue, operator_language

EVENT = "escalation"
TEMPLATE = "operator/escalation"


def escalation_rules():
    """{site id: (office head's user, days overdue)} for the sites that escalate to someone reachable."""
    offices = ComplaintSettings.objects.filter(
        escalate_after_days__isnull=False, office_head__isnull=False
    ).select_related("office_head__user", "office_head__user__wagtail_userprofile")
    return {
        office.site_id: (office.office_head.user, office.escalate_after_days)
        for office in offices
        if office.office_head.user.is_active and office.office_head.user.email
    }


def overdue_beyond_limit(today, rules):
    """Open complaints overdue by more than their site's limit, locked against a concurrent run."""
    beyond = Q(pk__in=[])
    for site_id, (_head, days) in rules.items():
        beyond |= Q(site_id=site_id, answer_by__lt=today - datetime.timedelta(days=days))
    return list(Complaint.objects.open().filter(beyond).select_for_update().order_by("answer_by", "pk"))


def already_reported(complaints):
    """(complaint id, answer-by date) pairs already reported to an office head."""
    entries = ComplaintLogEntry.objects.filter(
        complaint__in=complaints,
        action=actions.LOG_ACTIONS["escalate"],
    ).values_list("complaint_id", "data")
    return {(complaint_id, (data or {}).get("answer_by")) for complaint_id, data in entries}


@transaction.atomic
def escalate(today=None):
    """Queue one e-mail per office head listing the complaints newly past the limit; returns them."""
    today = today or timezone.localdate()
    rules = escalation_rules()
    if not rules:
        return []
    complaints = overdue_beyond_limit(today, rules)
    reported = already_reported(complaints)
    by_head = defaultdict(list)
    for complaint in complaints:
        if (complaint.pk, complaint.answer_by.isoformat()) in reported:
            continue
        head = rules[complaint.site_id][0]
        by_head[head].append(complaint)
    emails = []
    for head, listed in by_head.items():
        email = Email.objects.create(
            complaint=None,
            event=EVENT,
            template=TEMPLATE,
            recipient=head.email,
            language=operator_language(head),
            context={"complaint_ids": [complaint.pk for complaint in listed], "date": today.isoformat()},
        )
        for complaint in listed:
            actions.audit(
                complaint,
                "escalate",
                None,
                answer_by=complaint.answer_by.isoformat(),
                days_overdue=(today - complaint.answer_by).days,
                office_head=head.get_full_name() or head.get_username(),
            )
        transaction.on_commit(partial(enqueue, email.pk))
        emails.append(email)
    return emails


def digest_context(email):
    """What the escalation e-mail lists, read when it is rendered."""
    today = datetime.date.fromisoformat(email.context.get("date") or timezone.localdate().isoformat())
    complaints = (
        Complaint.objects.filter(pk__in=email.context.get("complaint_ids", []))
        .select_related("category__parent")
        .prefetch_related("category__labels", "category__parent__labels")
        .order_by("answer_by", "pk")
    )
    return {
        "overdue": [
            {"complaint": c, "url": links.admin_url(c), "days": (today - c.answer_by).days} for c in complaints
        ],
        "inbox_url": getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/") + reverse("wagtail_complaints:index"),
    }


@task()
def send_escalations():
    return len(escalate())
