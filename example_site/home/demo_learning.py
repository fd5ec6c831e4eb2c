"""Demo data of the learning app: second-level bodies (load_demo), and a year of improvement actions
and referrals on the demo complaints (load_demo_complaints). Idempotent, like the rest of the demo."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Site

from wagtail_complaints.learning.actions import LOG_ACTIONS
from wagtail_complaints.learning.models import (
    ActionState,
    BodyKind,
    Decision,
    ImprovementAction,
    Referral,
    SecondLevelBody,
)
from wagtail_complaints.models import Category, Complaint, ComplaintLogEntry, Outcome
from wagtail_complaints.workflow import Status

BODIES = [
    ("Commissione mista conciliativa", BodyKind.CONCILIATION),
    ("Difensore civico regionale", BodyKind.OMBUDSMAN),
    ("Tribunale ordinario", BodyKind.COURT),
]

# (category name, what will change, owner, done how many days ago (None: not done), due in days from
#  creation, public wording for "you said, we did" or "")
ACTIONS = [
    ("Attesa al pronto soccorso", "Infermiere di triage in sala d'attesa nelle ore di punta", "Direttore del pronto soccorso",
     340, 30, "Ci avete detto che in pronto soccorso si aspettava a lungo senza notizie: ora un infermiere "
     "aggiorna la sala d'attesa ogni ora e il tempo di attesa stimato è sul monitor."),
    ("Pulizia", "Secondo passaggio di pulizia dei bagni nei reparti di degenza", "Direzione medica di presidio",
     200, 45, "Ci avete segnalato bagni poco puliti: i bagni dei reparti vengono ora puliti due volte al giorno, "
     "con un foglio firme sulla porta."),
    ("Cortesia del personale", "Corso sulla comunicazione con i familiari per il turno di notte", "Ufficio formazione",
     120, 30, "Ci avete detto che di notte nessuno vi spiegava cosa succedeva: tutto il personale del turno di notte "
     "ha seguito un corso sulla comunicazione con i familiari."),
    ("Informazione", "Nuovo foglio sulla preparazione agli esami, consegnato dal CUP", "Responsabile CUP",
     60, 40, "Ci avete segnalato indicazioni sbagliate sulla preparazione agli esami: il CUP consegna ora un foglio "
     "scritto per ogni esame."),
    ("Parcheggio", "Controlli della polizia locale sui posti riservati ai disabili", "Ufficio tecnico", 150, 20, ""),
    ("Vitto", "Carrelli termici per la distribuzione dei pasti", "Servizio ristorazione", None, 90, ""),
    ("Liste d'attesa per visite ed esami", "Agenda separata per le visite di controllo", "Direzione sanitaria", None, 60, ""),
]


def load_bodies():
    site = Site.objects.filter(is_default_site=True).first()
    for name, kind in BODIES:
        SecondLevelBody.objects.get_or_create(name=name, defaults={"kind": kind, "site": site})


def load_actions_and_referrals(rng=None, now=None):
    """Returns (actions, referrals) added; nothing when the demo already has them."""
    if ImprovementAction.objects.exists() or Referral.objects.exists():
        return 0, 0
    load_bodies()
    rng = rng or random.Random(2009)  # the year of the NHS complaints regulations
    now = now or timezone.now()
    handler = get_user_model().objects.filter(username="operatore").first()
    site = Site.objects.filter(is_default_site=True).first()
    entries = []
    actions = 0
    for category_name, title, owner, done_days_ago, due_in, public_text in ACTIONS:
        category = Category.objects.filter(name=category_name).first()
        if category is None:
            continue
        today = timezone.localdate(now)
        done_on = today - datetime.timedelta(days=done_days_ago) if done_days_ago is not None else None
        created = (done_on or today) - datetime.timedelta(days=due_in + rng.randint(-10, 5))
        due_date = created + datetime.timedelta(days=due_in)
        action = ImprovementAction.objects.create(
            title=title,
            owner=owner,
            due_date=due_date,
            state=ActionState.DONE if done_on else rng.choice([ActionState.PLANNED, ActionState.IN_PROGRESS]),
            done_on=done_on,
            site=site,
            category=category,
            is_public=bool(public_text),
            public_text=public_text,
            created_by=handler,
            created_at=timezone.make_aware(datetime.datetime.combine(created, datetime.time(10))),
        )
        complaints = list(
            Complaint.objects.filter(Q(category=category), received_at__date__lte=created).order_by("-received_at")[:5]
        )
        action.complaints.set(complaints)
        entries += [log_entry(c, action.created_at, "link_action", handler, {"action": action.pk, "title": title}) for c in complaints]
        actions += 1
    referrals = refer_some_closed_complaints(rng, now, handler, entries)
    ComplaintLogEntry.objects.bulk_create(entries, batch_size=1000)
    return actions, referrals


def refer_some_closed_complaints(rng, now, handler, entries):
    """About one closed complaint in twenty-five goes to the second level, mostly the conciliation committee."""
    bodies = {body.kind: body for body in SecondLevelBody.objects.all()}
    weights = [(BodyKind.CONCILIATION, 70), (BodyKind.OMBUDSMAN, 25), (BodyKind.COURT, 5)]
    decisions = [(Decision.NOT_UPHELD, 55), (Decision.PARTLY_UPHELD, 30), (Decision.UPHELD, 15)]
    today = timezone.localdate(now)
    count = 0
    closed = Complaint.objects.filter(status=Status.CLOSED, outcome__in=[Outcome.NOT_UPHELD, Outcome.PARTLY_UPHELD])
    for complaint in closed.order_by("closed_at"):
        if rng.random() > 0.06:
            continue
        referred_on = timezone.localdate(complaint.closed_at) + datetime.timedelta(days=rng.randint(5, 40))
        if referred_on > today:
            continue
        kind = rng.choices(*zip(*weights))[0]
        body = bodies.get(kind) or next(iter(bodies.values()))
        decided_on = referred_on + datetime.timedelta(days=rng.randint(30, 90))
        decision = rng.choices(*zip(*decisions))[0] if decided_on <= today else Decision.PENDING
        referral = Referral.objects.create(
            complaint=complaint,
            body=body,
            referred_on=referred_on,
            decision=decision,
            decided_on=decided_on if decision != Decision.PENDING else None,
            created_by=handler,
        )
        at = timezone.make_aware(datetime.datetime.combine(referred_on, datetime.time(11)))
        entries.append(log_entry(complaint, at, "refer", handler, {
            "referral": referral.pk, "body": body.name, "kind": body.kind, "referred_on": referred_on.isoformat()
        }))
        if referral.decided_on:
            at = timezone.make_aware(datetime.datetime.combine(referral.decided_on, datetime.time(12)))
            entries.append(log_entry(complaint, at, "decide", handler, {
                "referral": referral.pk, "body": body.name, "before": Decision.PENDING, "decision": decision,
                "decided_on": referral.decided_on.isoformat(),
            }))
        count += 1
    return count


def log_entry(complaint, at, action, user, data):
    return ComplaintLogEntry(
        content_type=ContentType.objects.get_for_model(Complaint),
        label=complaint.reference,
        action=LOG_ACTIONS[action],
        data=data,
        timestamp=at,
        user=user,
        complaint=complaint,
    )
