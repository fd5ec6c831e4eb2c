"""The learning figures of a `Statistics` period: referrals to the second level and improvement actions.

Small functions beside the core's `Statistics` (never inside it), each a few aggregate queries
whatever the number of complaints; the statistics screen, the annual workbook and the public
report all read them, so the three always agree.
"""

from django.db.models import Count, F, Q

from ..stats.aggregation import share
from .models import ActionState, BodyKind, Decision, ImprovementAction, Referral


def referrals_in_period(statistics):
    """Referrals made in the period (by the date referred) of the complaints the filters select."""
    period = statistics.period
    return Referral.objects.filter(
        complaint__in=statistics.complaints().values("pk"), referred_on__gte=period.start, referred_on__lte=period.end
    )


def referral_figures(statistics):
    """{'complaints': complaints referred, 'by_kind': {kind: {'referred': n, decision: n, ...}}}.

    A complaint taken to two bodies counts once in 'complaints' and once under each body's kind.
    """
    referrals = referrals_in_period(statistics)
    by_kind = {kind: {"referred": 0, **{decision: 0 for decision in Decision.values}} for kind in BodyKind.values}
    for kind, decision, n in referrals.values_list("body__kind", "decision").annotate(n=Count("pk")).order_by():
        by_kind[kind]["referred"] += n
        by_kind[kind][decision] += n
    complaints = referrals.aggregate(n=Count("complaint", distinct=True))["n"]
    return {"complaints": complaints, "by_kind": by_kind}


def actions_for(statistics):
    """The improvement actions that belong to the statistics' filters (site, category, service)."""
    filters = statistics.filters
    actions = ImprovementAction.objects.for_site(filters.site).order_by()
    if filters.category is not None:
        category = filters.category
        actions = actions.filter(
            Q(category=category)
            | Q(category__parent=category)
            | Q(complaints__category=category)
            | Q(complaints__category__parent=category)
        )
    if filters.service is not None:
        actions = actions.filter(Q(service=filters.service) | Q(complaints__service=filters.service))
    if filters.category is not None or filters.service is not None:
        actions = ImprovementAction.objects.filter(pk__in=actions.values("pk")).order_by()  # joins made rows twice
    return actions


def actions_done_in_period(statistics):
    period = statistics.period
    return actions_for(statistics).filter(state=ActionState.DONE, done_on__gte=period.start, done_on__lte=period.end)


def action_figures(statistics):
    """Complaints received in the period that led to an action, and the actions done in it (on time or late)."""
    received = statistics.received_count()
    # From the few complaints linked to an action to theirs by id, not a join over every complaint received.
    linked = ImprovementAction.complaints.through.objects.values("complaint_id")
    with_action = statistics.received_in(statistics.period).filter(pk__in=linked).count()
    done = actions_done_in_period(statistics).aggregate(
        done=Count("pk"), on_time=Count("pk", filter=Q(done_on__lte=F("due_date")))
    )
    today = statistics.today
    open_now = actions_for(statistics).exclude(state=ActionState.DONE).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    return {
        "complaints_with_action": with_action,
        "complaints_with_action_share": share(with_action, received),
        "done": done["done"],
        "done_on_time": done["on_time"],
        "done_on_time_share": share(done["on_time"], done["done"]),
        "open_now": open_now["open"],
        "overdue_now": open_now["overdue"],
    }


def public_actions_done(statistics):
    """The wording of the actions done in the period that an editor marked public, oldest first."""
    return list(
        actions_done_in_period(statistics).filter(is_public=True).order_by("done_on", "pk").values_list("public_text", flat=True)
    )
