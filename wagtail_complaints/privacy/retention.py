"""The retention policy: closed complaints lose their personal data after their site's period."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Site

from ..models import Complaint, ComplaintSettings, PersonalDataRemoval
from ..workflow import Status
from .anonymise import remove_personal_data


def due_for_retention(now=None):
    """Closed complaints kept longer than their site's `keep_personal_data_days`, oldest first."""
    now = now or timezone.now()
    due = Q(pk__in=[])
    for site in Site.objects.all():
        days = ComplaintSettings.for_site(site).keep_personal_data_days
        # Complaints with no site follow the default site's policy.
        on_site = (Q(site=site) | Q(site__isnull=True)) if site.is_default_site else Q(site=site)
        due |= on_site & Q(closed_at__lt=now - datetime.timedelta(days=days))
    return (
        Complaint.objects.filter(due, status=Status.CLOSED, personal_data_removed_at__isnull=True)
        .order_by("closed_at", "pk")
    )


def apply_retention(dry_run=False, batch_size=200, now=None):
    """Anonymise every complaint due, `batch_size` per transaction; the references done.

    Safe to interrupt and to run again: each batch commits on its own, and an anonymised
    complaint is never due again. With `dry_run`, only the references that would be done.
    """
    due = due_for_retention(now)
    if dry_run:
        return list(due.values_list("reference", flat=True))
    done = []
    while True:
        with transaction.atomic():
            batch = list(due[:batch_size])
            for complaint in batch:
                if remove_personal_data(complaint, PersonalDataRemoval.RETENTION) is not None:
                    done.append(complaint.reference)
        if len(batch) < batch_size:
            return done
