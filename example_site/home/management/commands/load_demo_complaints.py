"""A year of realistic demo complaints, so the back office and the statistics are not empty.

Each complaint goes through the life cycle `actions.py` would give it — taken in charge,
answered, closed with an outcome, sometimes reopened or withdrawn, sometimes rated — with the
same transition times, thread messages and audit-trail entries, written in bulk for speed.
No e-mails are queued: these people do not exist. Running it again changes nothing.
"""

import datetime
import random
import secrets
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Site

from example_site.home import demo_learning
from example_site.home.management.commands.serve_demo_at import second_hospital_site

from wagtail_complaints.actions import LOG_ACTIONS
from wagtail_complaints.models import (
    Category,
    CategoryLabel,
    Channel,
    Complaint,
    ComplaintFormPage,
    ComplaintLogEntry,
    ComplaintSettings,
    Message,
    MessageKind,
    Outcome,
    ReferenceCounter,
    Service,
)
from wagtail_complaints.workflow import Status

KEY_PREFIX = "demo-"

# (macro-category, sub-category, English, Spanish, still in use)
SUB_CATEGORIES = [
    ("Tempi", "Attesa al pronto soccorso", "Emergency department waits", "Espera en urgencias", True),
    ("Tempi", "Liste d'attesa per visite ed esami", "Waiting lists", "Listas de espera", True),
    ("Aspetti alberghieri e comfort", "Pulizia", "Cleanliness", "Limpieza", True),
    ("Aspetti alberghieri e comfort", "Vitto", "Food", "Comida", True),
    ("Umanizzazione e aspetti relazionali", "Cortesia del personale", "Staff courtesy", "Trato del personal", True),
    # Retired half-way through the year: old complaints keep it, new ones cannot choose it.
    ("Aspetti strutturali", "Parcheggio", "Car park", "Aparcamiento", False),
]

DESCRIPTIONS = {
    "Tempi": [
        "Ho atteso più di sette ore in pronto soccorso con mia madre di 85 anni senza ricevere informazioni.",
        "La visita cardiologica prenotata a gennaio mi è stata fissata a settembre.",
        "Il referto dell'esame è arrivato con tre settimane di ritardo rispetto a quanto comunicato.",
    ],
    "Aspetti alberghieri e comfort": [
        "Il bagno della stanza non è stato pulito per due giorni.",
        "I pasti arrivavano freddi e non rispettavano la dieta prescritta.",
    ],
    "Umanizzazione e aspetti relazionali": [
        "Un'infermiera del turno di notte ha risposto in modo sgarbato alle nostre domande.",
        "Nessuno si è presentato né ci ha spiegato cosa stava succedendo a mio padre.",
    ],
    "Aspetti strutturali": [
        "Il parcheggio riservato ai disabili era occupato da auto senza contrassegno.",
        "L'ascensore del padiglione B è fuori servizio da settimane.",
    ],
    "Informazione": ["Al CUP mi hanno dato indicazioni sbagliate sulla preparazione all'esame."],
    "Aspetti organizzativi, burocratici e amministrativi": [
        "Per ritirare la cartella clinica mi hanno fatto tornare tre volte.",
    ],
    "Aspetti tecnici e professionali": ["Dopo la dimissione non mi sono state date indicazioni sulla terapia."],
    "Aspetti economici": ["Mi è stato chiesto il ticket per una prestazione esente."],
    "Adeguamento alla normativa": ["Il consenso informato mi è stato fatto firmare senza spiegazioni."],
    "Altro": ["Vorrei segnalare un problema che non rientra nelle altre voci."],
}

ANSWERS = [
    "Gentile utente, ci scusiamo per il disagio. Abbiamo verificato con il responsabile del servizio "
    "e adottato le misure necessarie perché non si ripeta.",
    "Gentile utente, abbiamo approfondito quanto segnalato con il reparto. Le alleghiamo la relazione "
    "del direttore dell'unità operativa.",
    "Gentile utente, la sua segnalazione è stata inoltrata all'ente competente, che le risponderà direttamente.",
]
NOTES = [
    "Chiesta relazione al coordinatore infermieristico.",
    "Sentito il direttore sanitario di presidio.",
    "In attesa del riscontro dell'ufficio tecnico.",
]
REOPEN_REASONS = ["La risposta non mi soddisfa: il problema si è ripresentato.", "Non mi avete risposto nel merito."]
FIRST_NAMES = ["Giuseppe", "Maria", "Antonio", "Anna", "Giovanni", "Rosa", "Luca", "Francesca", "Paolo", "Chiara"]
LAST_NAMES = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"]

CHANNELS = [(Channel.WEB, 55), (Channel.EMAIL, 18), (Channel.PHONE, 15), (Channel.LETTER, 6), (Channel.IN_PERSON, 6)]
OUTCOMES = [(Outcome.UPHELD, 32), (Outcome.PARTLY_UPHELD, 25), (Outcome.NOT_UPHELD, 35), (Outcome.NOT_COMPETENT, 8)]
RATING_BY_OUTCOME = {
    Outcome.UPHELD: [1, 2, 3, 5, 6],
    Outcome.PARTLY_UPHELD: [2, 3, 5, 3, 2],
    Outcome.NOT_UPHELD: [6, 4, 3, 1, 1],
    Outcome.NOT_COMPETENT: [3, 3, 3, 2, 1],
}


def pick(rng, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


class Command(BaseCommand):
    help = "Add a year of realistic demo complaints so the statistics have something to show (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=600, help="How many complaints (default 600).")
        parser.add_argument("--seed", type=int, default=1994, help="Random seed: the same seed, the same data.")

    def handle(self, *args, count, seed, **options):
        if Complaint.objects.filter(submission_key__startswith=KEY_PREFIX).exists():
            self.stdout.write("Demo complaints are already there.")
        else:
            handlers = get_user_model().objects.filter(username__in=["operatore", "operatore-sm"])
            if not Service.objects.exists() or handlers.count() < 2 or second_hospital_site() is None:
                call_command("load_demo", stdout=self.stdout)
            rng, now = random.Random(seed), timezone.now()
            # Two thirds at San Luca, a third at the smaller Santa Maria: `count` in all.
            hospitals = [
                (Site.objects.get(is_default_site=True), "operatore", KEY_PREFIX, count - count // 3),
                (second_hospital_site(), "operatore-sm", f"{KEY_PREFIX}sm-", count // 3),
            ]
            created = 0
            with transaction.atomic():
                for site, handler, key_prefix, share in hospitals:
                    created += DemoComplaints(rng, now, site, handler, key_prefix).create(share)
                # bulk_create bypasses the statistics' roll-ups: count the new complaints in them.
                call_command("rebuild_complaint_statistics", stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"{created} demo complaints added."))
        # Improvement actions and second-level referrals on those complaints (learning app).
        with transaction.atomic():
            actions, referrals = demo_learning.load_actions_and_referrals(random.Random(seed))
        if actions or referrals:
            self.stdout.write(self.style.SUCCESS(f"{actions} improvement actions and {referrals} referrals added."))


class DemoComplaints:
    """One hospital's demo complaints, filed on its form page and handled by its handler."""

    def __init__(self, rng, now, site, handler, key_prefix=KEY_PREFIX):
        self.rng = rng
        self.now = now
        self.site = site
        self.key_prefix = key_prefix
        self.office = ComplaintSettings.for_site(self.site)
        self.page = ComplaintFormPage.objects.child_of(site.root_page).filter(locale__language_code="it").first()
        User = get_user_model()
        self.handler = User.objects.get(username=handler)
        self.administrator = User.objects.filter(username="admin").first() or self.handler
        offered = self.page.services.filter(is_active=True) if self.page else Service.objects.none()
        self.services = list(offered) or list(Service.objects.filter(is_active=True))
        self.categories = self.classification()
        self.content_type = ContentType.objects.get_for_model(Complaint)
        self.messages = []
        self.log_entries = []
        self.created = []
        # Audit data naming another complaint, filled in once references are given: [(data, complaint)].
        self.references_to_fill = []

    def classification(self):
        """Sub-categories for a two-level classification, one of them retired: [(category, weight)]."""
        # Not "To be classified": that one is for e-mails nobody has classified yet.
        macros = {c.name: c for c in Category.objects.filter(parent=None, needs_classification=False)}
        weighted = [(macro, 4) for macro in macros.values()]
        for macro_name, name, english, spanish, active in SUB_CATEGORIES:
            if macro_name not in macros:
                continue
            sub, created = Category.objects.get_or_create(
                name=name, parent=macros[macro_name], defaults={"is_active": active}
            )
            if created:
                CategoryLabel.objects.create(category=sub, language="en", label=english, sort_order=0)
                CategoryLabel.objects.create(category=sub, language="es", label=spanish, sort_order=1)
            weighted.append((sub, 10))
        macros_tempi = macros.get("Tempi")
        if macros_tempi:
            weighted.append((macros_tempi, 14))  # waiting times: the most common complaint everywhere
        return weighted

    def create(self, count):
        received = sorted(self.received_times(count))
        complaints = [self.complaint(n, at) for n, at in enumerate(received)]
        self.assign_references(complaints)
        for data, other in self.references_to_fill:
            data["other"] = other.reference
        Complaint.objects.bulk_create(complaints, batch_size=500)
        for complaint in complaints:
            if complaint.demo_original is not None:
                Complaint.objects.filter(pk=complaint.pk).update(duplicate_of=complaint.demo_original.pk)
        for complaint in complaints:
            self.history(complaint)
        Message.objects.bulk_create(self.messages, batch_size=1000)
        ComplaintLogEntry.objects.bulk_create(self.log_entries, batch_size=1000)
        return len(complaints)

    def received_times(self, count):
        # Office hours mostly; a little more in winter, when emergency departments are full.
        start = self.now - datetime.timedelta(days=365)
        times = []
        while len(times) < count:
            at = start + datetime.timedelta(seconds=self.rng.uniform(0, 365 * 86400))
            local = timezone.localtime(at)
            if local.month in (12, 1, 2) or self.rng.random() < 0.8:
                if 7 <= local.hour <= 21 or self.rng.random() < 0.15:
                    times.append(at)
        return times

    def complaint(self, n, received_at):
        rng = self.rng
        category = pick(rng, self.categories)
        if not category.is_active and received_at > self.now - datetime.timedelta(days=180):
            category = category.parent  # retired six months ago
        channel = pick(rng, CHANNELS)
        macro = category.parent or category
        # A draft first: the state is a protected FSM field, so it is set once, at construction.
        complaint = SimpleNamespace(
            site=self.site,
            page=self.page if channel == Channel.WEB else None,
            channel=channel,
            category=category,
            service=rng.choice(self.services) if self.services and rng.random() < 0.9 else None,
            description=rng.choice(DESCRIPTIONS.get(macro.name, DESCRIPTIONS["Altro"])),
            event_date=timezone.localdate(received_at) - datetime.timedelta(days=rng.randint(0, 20)),
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            language=pick(rng, [("it", 90), ("en", 6), ("es", 4)]),
            on_behalf=rng.random() < 0.25,
            received_at=received_at,
            answer_by=timezone.localdate(received_at) + datetime.timedelta(days=self.office.answer_within_days),
            submission_key=f"{self.key_prefix}{n:06d}",
            registered_by=None if channel == Channel.WEB else self.handler,
            status=Status.PENDING,
            reopen_count=0,
            first_answered_at=None,
            rated_at=None,
            closed_at=None,
        )
        complaint.email = f"{complaint.first_name}.{complaint.last_name}{n}@example.com".lower()
        if channel == Channel.PHONE:
            complaint.phone = f"+39 06 {rng.randint(1000000, 9999999)}"
        if complaint.on_behalf:
            complaint.patient_name = f"{rng.choice(FIRST_NAMES)} {complaint.last_name}"
            complaint.relationship = rng.choice(["figlio", "figlia", "coniuge", "genitore"])
        if channel == Channel.WEB:
            complaint.privacy_notice_version = "2025-01"
            complaint.privacy_accepted_at = received_at
        original = self.original_for(complaint, n)
        original_side = None
        if original is not None:
            original_side = self.follow(complaint, original)
        else:
            self.life_cycle(complaint)
            self.maybe_flag_for_safety(complaint, n)
        events = complaint.__dict__.pop("events")
        complaint = Complaint(**vars(complaint), access_nonce=secrets.token_urlsafe(32))
        complaint.access_token_hash = Complaint.hash_token(complaint.access_token)
        complaint.events = events
        complaint.demo_original = original
        if original_side is not None:
            self.references_to_fill.append((original_side, complaint))
        self.created.append(complaint)
        return complaint

    # -- patient safety and duplicates (their own random draws: the rest of the demo stays as it was)

    def maybe_flag_for_safety(self, complaint, n):
        draw = random.Random(f"demo-safety-{n}")
        taken = getattr(complaint, "taken_in_charge_at", None)  # a pending complaint has no such time
        if taken is None or draw.random() >= 0.03:
            return
        at = taken + datetime.timedelta(hours=draw.uniform(1, 48))
        if at <= self.now:
            complaint.safety_flagged_at, complaint.safety_flagged_by = at, self.handler
            complaint.events.append((at, "flag_safety", self.handler, None, None, {}))

    def original_for(self, complaint, n):
        """About one complaint in fifty repeats one received in the week before and already closed."""
        if random.Random(f"demo-duplicate-{n}").random() >= 0.02:
            return None
        week_before = complaint.received_at - datetime.timedelta(days=7)
        for candidate in reversed(self.created[-30:]):
            if candidate.received_at < week_before:
                break
            if (
                candidate.demo_original is None
                and candidate.closed_at is not None
                and candidate.outcome not in ("", Outcome.WITHDRAWN)
                and candidate.reopen_count == 0
            ):
                return candidate
        return None

    def follow(self, complaint, original):
        """The handler recognises the duplicate on opening it; it closes with its original (actions.py)."""
        complaint.events = []
        complaint.category, complaint.service = original.category, original.service
        taken = complaint.received_at + datetime.timedelta(hours=2)
        if taken > self.now:
            return None
        complaint.status, complaint.taken_in_charge_at = Status.TAKEN_IN_CHARGE, taken
        complaint.assigned_to = self.handler
        complaint.events.append((taken, "take_in_charge", self.handler, Status.PENDING, Status.TAKEN_IN_CHARGE, {}))
        marked = {}
        complaint.events.append((taken, "mark_duplicate", self.handler, None, None, marked))
        self.references_to_fill.append((marked, original))
        original_side = {"role": "original"}
        original.events.append((taken, "mark_duplicate", self.handler, None, None, original_side))
        closed = max(original.closed_at, taken + datetime.timedelta(minutes=1))
        if closed <= self.now:
            complaint.status, complaint.closed_at, complaint.outcome = Status.CLOSED, closed, original.outcome
            closed_data = {"outcome": original.outcome}
            complaint.events.append(
                (closed, "close_as_duplicate", self.handler, Status.TAKEN_IN_CHARGE, Status.CLOSED, closed_data)
            )
            self.references_to_fill.append((closed_data, original))
        return original_side

    def assign_references(self, complaints):
        """Numbers in order of receipt, reserved from each year's counter as filing would."""
        prefix = self.office.reference_prefix
        by_year = {}
        for complaint in complaints:
            by_year.setdefault(timezone.localtime(complaint.received_at).year, []).append(complaint)
        for year, batch in by_year.items():
            counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
            used = Complaint.objects.filter(reference__startswith=f"{prefix}{year}-").aggregate(n=Max("reference"))["n"]
            first = max(counter.last_number, int(used.rsplit("-", 1)[1]) if used else 0) + 1
            for offset, complaint in enumerate(batch):
                complaint.reference = f"{prefix}{year}-{first + offset:06d}"
            counter.last_number = first + len(batch) - 1
            counter.save()

    # -- the life cycle: the same fields the transitions in workflow.py set ---------------------

    def life_cycle(self, complaint):
        rng, now = self.rng, self.now
        complaint.events = []  # (time, action, by, from state, to state, data): read by history()

        def happens(at):
            return at <= now

        taken = complaint.received_at + datetime.timedelta(hours=rng.lognormvariate(2.5, 1.0))
        if not happens(taken):
            return
        complaint.status, complaint.taken_in_charge_at = Status.TAKEN_IN_CHARGE, taken
        complaint.assigned_to = self.handler
        complaint.events.append((taken, "take_in_charge", self.handler, Status.PENDING, Status.TAKEN_IN_CHARGE, {}))
        if rng.random() < 0.3:
            complaint.events.append((taken + datetime.timedelta(hours=2), "note", self.handler, None, None, {}))

        if rng.random() < 0.04:  # the complainant withdraws before any answer
            withdrawn = taken + datetime.timedelta(days=rng.uniform(1, 10))
            if happens(withdrawn):
                self.close(complaint, withdrawn, Outcome.WITHDRAWN, by_complainant=True)
            return

        # Mostly within the 30 days; a tail of late answers.
        answered = taken + datetime.timedelta(days=rng.lognormvariate(2.4, 0.6))
        if not happens(answered):
            return
        self.answer(complaint, answered)
        if rng.random() < 0.15:
            reply = answered + datetime.timedelta(days=rng.uniform(0.2, 0.9))  # before it is closed
            if happens(reply):
                complaint.events.append((reply, "reply", None, None, None, {}))

        closed = answered + datetime.timedelta(days=rng.uniform(1, 12))
        if not happens(closed):
            return
        self.close(complaint, closed, pick(rng, OUTCOMES))

        if rng.random() < 0.08:  # reopened by the unsatisfied complainant
            reopened = closed + datetime.timedelta(days=rng.uniform(1, 20))
            if not happens(reopened):
                return
            if complaint.rated_at and complaint.rated_at > reopened:
                complaint.rating = complaint.rated_at = None  # they reopened instead of rating
            complaint.status, complaint.closed_at, complaint.outcome = Status.AWAITING_REPLY, None, ""
            complaint.reopen_count += 1
            complaint.last_reopened_at = reopened
            complaint.events.append((reopened, "reopen", None, Status.CLOSED, Status.AWAITING_REPLY, {}))
            again = reopened + datetime.timedelta(days=rng.uniform(2, 15))
            if happens(again):
                self.answer(complaint, again)
                closed_again = again + datetime.timedelta(days=rng.uniform(1, 6))
                if happens(closed_again):
                    self.close(complaint, closed_again, pick(rng, OUTCOMES))

    def answer(self, complaint, at):
        source = complaint.status
        complaint.status = Status.AWAITING_REPLY
        complaint.last_answered_at = at
        complaint.first_answered_at = complaint.first_answered_at or at
        complaint.events.append((at, "answer", self.handler, source, Status.AWAITING_REPLY, {}))

    def close(self, complaint, at, outcome, by_complainant=False):
        source = complaint.status
        complaint.status, complaint.closed_at, complaint.outcome = Status.CLOSED, at, outcome
        if by_complainant:
            complaint.events.append((at, "withdraw", None, source, Status.CLOSED, {}))
            return
        complaint.closing_note = "Pratica conclusa."
        complaint.events.append((at, "close", self.handler, source, Status.CLOSED, {"outcome": outcome}))
        rated = at + datetime.timedelta(days=self.rng.uniform(0.5, 10))
        # Rated once (actions.rate), and only while closed: before any reopening.
        if complaint.rated_at is None and self.rng.random() < 0.4 and rated <= self.now:
            complaint.rating = self.rng.choices(range(1, 6), RATING_BY_OUTCOME[outcome])[0]
            complaint.rated_at = rated

    # -- thread and audit trail, as actions.py writes them ---------------------------------------

    def history(self, complaint):
        if complaint.registered_by_id is not None:
            self.log(complaint, complaint.received_at, "register", self.handler, channel=complaint.channel)
        for at, action, by, source, target, data in complaint.events:
            states = {"from": source, "to": target} if source else {}
            if action == "answer":
                by_phone = complaint.channel == Channel.PHONE
                kind = MessageKind.PHONE_ANSWER if by_phone else MessageKind.ANSWER
                message = self.message(complaint, kind, by, self.rng.choice(ANSWERS), at)
                if by_phone:
                    message.contacted_at = at
                data = {"by_phone": by_phone}
            elif action == "note":
                self.message(complaint, MessageKind.NOTE, by, self.rng.choice(NOTES), at)
            elif action == "reply":
                self.message(complaint, MessageKind.COMPLAINANT_REPLY, None, "Grazie, attendo notizie.", at)
            elif action == "reopen":
                self.message(complaint, MessageKind.REOPEN_REASON, None, self.rng.choice(REOPEN_REASONS), at)
            self.log(complaint, at, action, by, **data, **states)
        if complaint.rated_at:
            self.log(complaint, complaint.rated_at, "rate", None, rating=complaint.rating)

    def message(self, complaint, kind, author, body, at):
        message = Message(complaint=complaint, kind=kind, author=author, body=body, created_at=at)
        self.messages.append(message)
        return message

    def log(self, complaint, at, action, user, **data):
        if user is None:
            data["actor"] = "complainant"
        self.log_entries.append(
            ComplaintLogEntry(
                content_type=self.content_type,
                label=complaint.reference,
                action=LOG_ACTIONS[action],
                data=data,
                timestamp=at,
                user=user,
                complaint=complaint,
            )
        )
