"""The learning changes that touch a complaint, each in one transaction with its audit-trail entry.

Referrals and decisions are recorded on closed complaints only, by handlers only (checked here, on
the server, whatever view calls them); linking an improvement action is written in the history of
every complaint it names.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..workflow import Status
from .models import Referral
from .policies import may_refer

LOG_ACTIONS = {
    "refer": "wagtail_complaints_learning.refer",
    "decide": "wagtail_complaints_learning.decide",
    "link_action": "wagtail_complaints_learning.link_action",
    "unlink_action": "wagtail_complaints_learning.unlink_action",
}


def _check(complaint, by):
    if not may_refer(by):
        raise PermissionDenied
    if complaint.status != Status.CLOSED:
        raise ValidationError(_("Only a closed complaint can be referred to a second-level body."))


@transaction.atomic
def refer(complaint, by, body, referred_on):
    _check(complaint, by)
    referral = Referral.objects.create(complaint=complaint, body=body, referred_on=referred_on, created_by=by)
    log(
        complaint,
        LOG_ACTIONS["refer"],
        user=by,
        data={"referral": referral.pk, "body": body.name, "kind": body.kind, "referred_on": referred_on.isoformat()},
    )
    return referral


@transaction.atomic
def record_decision(referral, by, decision, decided_on):
    if not may_refer(by):
        raise PermissionDenied
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    before = referral.decision
    referral.decision, referral.decided_on = decision, decided_on
    referral.save(update_fields=["decision", "decided_on"])
    log(
        referral.complaint,
        LOG_ACTIONS["decide"],
        user=by,
        data={
            "referral": referral.pk,
            "body": referral.body.name,
            "before": before,
            "decision": decision,
            "decided_on": decided_on.isoformat() if decided_on else None,
        },
    )
    return referral


def log_linked_complaints(action, by, before, after):
    """One history line on each complaint an improvement action now names, or no longer names."""
    for complaint in after - before:
        log(complaint, LOG_ACTIONS["link_action"], user=by, data={"action": action.pk, "title": action.title})
    for complaint in before - after:
        log(complaint, LOG_ACTIONS["unlink_action"], user=by, data={"action": action.pk, "title": action.title})
