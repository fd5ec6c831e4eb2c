"""Demo content for the example health authority: two hospitals (San Luca, the default site, and
Santa Maria, a second site), each with pages in three languages, its services, its office and its
operators, and a regional viewer of both.

Safe to run any number of times: everything is looked up before it is created.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Locale, Page, Site

from example_site.home.management.commands.serve_demo_at import (
    SECOND_HOSPITAL_SLUG,
    demo_host_and_port,
    second_hospital_host_and_port,
    second_hospital_site,
)
from example_site.home import demo_learning
from example_site.home.models import ContentPage, HomePage
from wagtail_complaints.learning.models import ComplaintsReportPage
from wagtail_complaints.models import (
    AnswerTemplate,
    ComplaintFormPage,
    ComplaintSettings,
    OfficeText,
    Operator,
    Role,
    Service,
    ServiceLabel,
)

# The office's texts for English and Spanish patients (Italian is the settings' main language).
OFFICE_TEXTS = {
    "en": {
        "office_name": "Patient Relations Office (URP)",
        "office_contact": "Tel. +39 06 1234 5678 · Mon-Fri 9am-1pm · urp@ospedale-sanluca.example",
        "signature": "Dr Anna Bianchi, head of the Patient Relations Office",
        "escalation_text": "You can turn to the Joint Conciliation Committee or to the Regional Ombudsman (Difensore civico).",
    },
    "es": {
        "office_name": "Oficina de Relaciones con el Público (URP)",
        "office_contact": "Tel. +39 06 1234 5678 · lun-vie 9-13 h · urp@ospedale-sanluca.example",
        "signature": "Dra. Anna Bianchi, responsable de la Oficina de Relaciones con el Público",
        "escalation_text": "Puede dirigirse a la Comisión Mixta de Conciliación o al Defensor del Pueblo regional (Difensore civico).",
    },
}

SERVICES = [
    ("Pronto soccorso", "Emergency department", "Urgencias"),
    ("Cardiologia", "Cardiology", "Cardiología"),
    ("Radiologia", "Radiology", "Radiología"),
    ("Ortopedia e traumatologia", "Orthopaedics", "Traumatología"),
    ("Pediatria", "Paediatrics", "Pediatría"),
    ("Ostetricia e ginecologia", "Obstetrics and gynaecology", "Obstetricia y ginecología"),
    ("CUP - Prenotazioni", "Bookings (CUP)", "Citas (CUP)"),
    ("Laboratorio analisi", "Laboratory tests", "Laboratorio de análisis"),
    ("Ambulatori", "Outpatient clinics", "Consultas externas"),
    ("Accettazione e ricoveri", "Admissions", "Admisión e ingresos"),
]

# The second hospital offers some of the same services and some of its own.
SANTA_MARIA_OWN_SERVICES = [
    ("Oncologia", "Oncology", "Oncología"),
    ("Dialisi", "Dialysis", "Diálisis"),
    ("Riabilitazione", "Rehabilitation", "Rehabilitación"),
]
SANTA_MARIA_SERVICES = [
    "Pronto soccorso",
    "Radiologia",
    "CUP - Prenotazioni",
    "Laboratorio analisi",
    *(italian for italian, _english, _spanish in SANTA_MARIA_OWN_SERVICES),
]
SAN_LUCA_SERVICES = [italian for italian, _english, _spanish in SERVICES]

SANTA_MARIA = {
    "title": "Ospedale Santa Maria",
    "translated_titles": {"en": "Santa Maria Hospital", "es": "Hospital Santa María"},
    "intro": "<p>Benvenuti all'Ospedale Santa Maria, presidio dell'Azienda sanitaria locale.</p>",
    "pages": [
        ("Chi siamo", "chi-siamo", "<p>L'ospedale di comunità della valle, con i suoi ambulatori.</p>"),
        ("Informativa privacy", "privacy", "<p>Titolare del trattamento: Ospedale Santa Maria.</p>"),
    ],
    "office": {
        "office_name": "URP - Ospedale Santa Maria",
        "office_contact": "Tel. 0761 765 432 · lun-ven 8.30-12.30 · urp@ospedale-santamaria.example",
        "signature": "Il responsabile dell'URP, dott. Paolo Neri",
        "escalation_text": "Puoi rivolgerti alla Commissione mista conciliativa o al Difensore civico regionale.",
        "reply_address": "urp@ospedale-santamaria.example",
        "reference_prefix": "SM-",
    },
    "office_texts": {
        "en": {
            "office_name": "Patient Relations Office - Santa Maria Hospital",
            "office_contact": "Tel. +39 0761 765 432 · Mon-Fri 8.30am-12.30pm · urp@ospedale-santamaria.example",
            "signature": "Dr Paolo Neri, head of the Patient Relations Office",
            "escalation_text": "You can turn to the Joint Conciliation Committee or to the Regional Ombudsman (Difensore civico).",
        },
        "es": {
            "office_name": "Oficina de Atención al Paciente - Hospital Santa María",
            "office_contact": "Tel. +39 0761 765 432 · lun-vie 8.30-12.30 h · urp@ospedale-santamaria.example",
            "signature": "Dr. Paolo Neri, responsable de la Oficina de Atención al Paciente",
            "escalation_text": "Puede dirigirse a la Comisión Mixta de Conciliación o al Defensor del Pueblo regional (Difensore civico).",
        },
    },
}

FORM_PAGE_TEXT = {
    "it": {
        "title": "Segnala un reclamo",
        "slug": "reclami",
        "intro": "<p>Qualcosa non è andato come doveva? Ci dispiace. Raccontacelo qui: ogni segnalazione "
        "viene letta da una persona dell'Ufficio Relazioni con il Pubblico, che la prende in carico e ti "
        "risponde entro 30 giorni.</p>",
        "thank_you": "<p>Grazie per averci scritto: la tua segnalazione ci aiuta a migliorare.</p>",
        "privacy": "<p>I dati che ci dai servono solo a gestire il tuo reclamo (art. 9 GDPR). "
        "Li trattiamo con riservatezza e li conserviamo per il tempo previsto dalla legge.</p>",
    },
    "en": {
        "title": "Make a complaint",
        "slug": "complaints",
        "intro": "<p>Did something go wrong? We are sorry. Tell us here: a person from the Patient Relations "
        "Office reads every complaint, takes it in charge and answers you within 30 days.</p>",
        "thank_you": "<p>Thank you for writing to us: what you tell us helps us improve.</p>",
        "privacy": "<p>We use the details you give us only to handle your complaint (GDPR art. 9), "
        "treat them confidentially and keep them only as long as the law requires.</p>",
    },
    "es": {
        "title": "Presentar una reclamación",
        "slug": "reclamaciones",
        "intro": "<p>¿Algo no ha ido bien? Lo sentimos. Cuéntenoslo aquí: una persona de la Oficina de "
        "Atención al Paciente lee cada reclamación, se hace cargo y le responde en un plazo de 30 días.</p>",
        "thank_you": "<p>Gracias por escribirnos: lo que nos cuenta nos ayuda a mejorar.</p>",
        "privacy": "<p>Usamos sus datos solo para tramitar su reclamación (art. 9 RGPD), con "
        "confidencialidad y durante el tiempo que exige la ley.</p>",
    },
}

# Answer templates in each language, in the e-mails' register (Italian "tu", Spanish "usted"). No
# greeting and no signature: the e-mail greets the complainant by name and the office signs it.
ANSWER_TEMPLATES = [
    (
        "it",
        "Scuse per l'attesa",
        "Abbiamo letto con attenzione la tua segnalazione {reference} e ci scusiamo per l'attesa che hai "
        "dovuto sopportare. Abbiamo condiviso quanto ci hai raccontato con il responsabile del servizio, "
        "che sta verificando come ridurre i tempi di attesa.\n\n"
        "Se vuoi aggiungere qualcosa puoi risponderci dal tuo link privato.",
    ),
    (
        "it",
        "Segnalazione inoltrata al servizio",
        "Ti ringraziamo per averci scritto. Abbiamo inoltrato la tua segnalazione {reference} al "
        "responsabile del servizio interessato, che ci farà avere le sue osservazioni. Ti daremo una "
        "risposta completa entro il {answer_by}.",
    ),
    (
        "it",
        "Richiesta di informazioni",
        "Per poter verificare quanto ci hai segnalato ({reference}) ci servono alcune informazioni in più: "
        "la data e l'ora approssimative dei fatti e, se lo ricordi, il nome del reparto o dell'ambulatorio.\n\n"
        "Puoi risponderci dal tuo link privato oppure telefonare all'ufficio ({office_name}).",
    ),
    (
        "en",
        "Apology for the wait",
        "We have read your complaint {reference} carefully and we are sorry for the wait you had to put up "
        "with. We have shared what you told us with the head of the service, who is looking at how to "
        "shorten waiting times.\n\n"
        "If you would like to add anything, you can reply through your private link.",
    ),
    (
        "en",
        "Complaint passed to the service",
        "Thank you for writing to us. We have passed your complaint {reference} to the head of the service "
        "concerned, who will send us their comments. We will give you a full answer by {answer_by}.",
    ),
    (
        "en",
        "More information needed",
        "To look into what you told us ({reference}) we need a little more information: the approximate "
        "date and time and, if you remember it, the name of the ward or clinic.\n\n"
        "You can reply through your private link or phone the office ({office_name}).",
    ),
    (
        "es",
        "Disculpas por la espera",
        "Hemos leído con atención su reclamación {reference} y le pedimos disculpas por la espera que tuvo "
        "que soportar. Hemos trasladado lo que nos cuenta al responsable del servicio, que está estudiando "
        "cómo reducir los tiempos de espera.\n\n"
        "Si quiere añadir algo, puede respondernos desde su enlace privado.",
    ),
    (
        "es",
        "Reclamación enviada al servicio",
        "Gracias por escribirnos. Hemos enviado su reclamación {reference} al responsable del servicio "
        "afectado, que nos hará llegar sus observaciones. Le daremos una respuesta completa antes del "
        "{answer_by}.",
    ),
    (
        "es",
        "Necesitamos más información",
        "Para poder comprobar lo que nos cuenta ({reference}) necesitamos algo más de información: la fecha "
        "y la hora aproximadas de los hechos y, si lo recuerda, el nombre de la planta o de la consulta.\n\n"
        "Puede respondernos desde su enlace privado o llamar a la oficina ({office_name}).",
    ),
]

DEMO_USERS = [
    # username, password, first name, last name, role, notify on new, hospital (None: every one)
    ("admin", "demo-admin", "Anna", "Amministratrice", Role.ADMINISTRATOR, False, None),
    ("operatore", "demo-operatore", "Marco", "Rossi", Role.HANDLER, True, "san_luca"),
    ("operatore-sm", "demo-operatore-sm", "Sara", "Conti", Role.HANDLER, True, "santa_maria"),
    ("admin-sm", "demo-admin-sm", "Paolo", "Neri", Role.ADMINISTRATOR, False, "santa_maria"),
    # The health authority's regional viewer: the statistics and lists of both hospitals.
    ("asl", "demo-asl", "Giulia", "Bianchi", Role.VIEWER, False, None),
]
EMAIL_DOMAINS = {None: "asl-demo.example", "san_luca": "ospedale-sanluca.example", "santa_maria": "ospedale-santamaria.example"}

# The report page's English and Spanish translations: title, slug, introduction.
REPORT_PAGE_TEXT = {
    "en": (
        "Complaints report",
        "complaints-report",
        "<p>Every complaint helps us improve. Here is how many we received, how we answered them and what we "
        "changed because of what you told us.</p>",
    ),
    "es": (
        "Informe de reclamaciones",
        "informe-reclamaciones",
        "<p>Cada reclamación nos ayuda a mejorar. Aquí verá cuántas recibimos, cómo las respondimos y qué hemos "
        "cambiado gracias a lo que nos contó.</p>",
    ),
}


class Command(BaseCommand):
    help = "Load the example hospital's demo content (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("it", "en", "es")}
        home = self.home_page(locales["it"])
        san_luca = self.site(home)
        self.services()
        form_page = self.form_page(home, SAN_LUCA_SERVICES)
        for code in ("en", "es"):
            self.translate(home, locales[code], title={"en": "San Luca Hospital", "es": "Hospital San Luca"}[code])
            self.translate_form_page(form_page, locales[code])
        report_page = self.report_page(home)
        for code, (title, slug, intro) in REPORT_PAGE_TEXT.items():
            if report_page.get_translation_or_none(locales[code]) is None:
                translation = report_page.copy_for_translation(locales[code])
                translation.title, translation.slug, translation.intro = title, slug, intro
                translation.save_revision().publish()
        demo_learning.load_bodies()
        santa_maria_home = self.second_home_page(locales["it"])
        santa_maria = self.second_site(santa_maria_home)
        santa_maria_form_page = self.form_page(santa_maria_home, SANTA_MARIA_SERVICES)
        for code in ("en", "es"):
            self.translate(santa_maria_home, locales[code], title=SANTA_MARIA["translated_titles"][code])
            self.translate_form_page(santa_maria_form_page, locales[code])
        self.users({"san_luca": san_luca, "santa_maria": santa_maria})
        self.answer_templates()
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))

    def home_page(self, italian):
        home = HomePage.objects.filter(locale=italian, depth=2).exclude(slug=SECOND_HOSPITAL_SLUG).first()
        if home:
            return home
        root = Page.get_first_root_node()
        # Wagtail's welcome page holds the slug 'home'; the hospital's home replaces it.
        for welcome in Page.objects.filter(depth=2).exclude(content_type__model="homepage"):
            welcome.delete()
        home = root.add_child(
            instance=HomePage(
                title="Ospedale San Luca",
                slug="home",
                locale=italian,
                intro="<p>Benvenuti all'Ospedale San Luca. Siamo qui per prenderci cura di voi.</p>",
            )
        )
        for title, slug, body in [
            ("Chi siamo", "chi-siamo", "<p>Un ospedale pubblico al servizio del territorio dal 1952.</p>"),
            ("Reparti e servizi", "servizi", "<p>Pronto soccorso, cardiologia, radiologia e molto altro.</p>"),
            ("Informativa privacy", "privacy", "<p>Titolare del trattamento: Ospedale San Luca.</p>"),
        ]:
            home.add_child(instance=ContentPage(title=title, slug=slug, body=body, show_in_menus=True))
        return home

    def site(self, home):
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        (site.hostname, site.port), site.root_page = demo_host_and_port(), home
        site.site_name = "Ospedale San Luca"
        site.save()
        office = ComplaintSettings.for_site(site)
        office.office_name = office.office_name or "Ufficio Relazioni con il Pubblico (URP)"
        office.office_contact = office.office_contact or "Tel. 06 1234 5678 · lun-ven 9-13 · urp@ospedale-sanluca.example"
        office.signature = office.signature or "La responsabile dell'URP, dott.ssa Anna Bianchi"
        office.escalation_text = office.escalation_text or (
            "Puoi rivolgerti alla Commissione mista conciliativa o al Difensore civico regionale."
        )
        if not office.office_texts.exists():
            for language, texts in OFFICE_TEXTS.items():
                office.office_texts.add(OfficeText(language=language, **texts))
        # Patients' answers come back as urp+<tag>@…: see "Complaints and replies by e-mail" in the README.
        office.reply_address = office.reply_address or "urp@ospedale-sanluca.example"
        office.save()
        return site

    def second_home_page(self, italian):
        home = HomePage.objects.filter(locale=italian, depth=2, slug=SECOND_HOSPITAL_SLUG).first()
        if home:
            return home
        home = Page.get_first_root_node().add_child(
            instance=HomePage(title=SANTA_MARIA["title"], slug=SECOND_HOSPITAL_SLUG, locale=italian, intro=SANTA_MARIA["intro"])
        )
        for title, slug, body in SANTA_MARIA["pages"]:
            home.add_child(instance=ContentPage(title=title, slug=slug, body=body, show_in_menus=True))
        return home

    def second_site(self, home):
        site = second_hospital_site() or Site(root_page=home)
        (site.hostname, site.port), site.root_page = second_hospital_host_and_port(), home
        site.site_name = SANTA_MARIA["title"]
        site.save()
        office = ComplaintSettings.for_site(site)
        for name, value in SANTA_MARIA["office"].items():
            setattr(office, name, getattr(office, name) or value)
        if not office.office_texts.exists():
            for language, texts in SANTA_MARIA["office_texts"].items():
                office.office_texts.add(OfficeText(language=language, **texts))
        office.save()
        return site

    def services(self):
        for order, (italian, english, spanish) in enumerate(SERVICES + SANTA_MARIA_OWN_SERVICES, start=1):
            service, created = Service.objects.get_or_create(name=italian, defaults={"sort_order": order * 10})
            if created:
                ServiceLabel.objects.create(service=service, language="en", label=english)
                ServiceLabel.objects.create(service=service, language="es", label=spanish)

    def form_page(self, home, services):
        page = ComplaintFormPage.objects.child_of(home).filter(locale=home.locale).first()
        if page:
            return page
        text = FORM_PAGE_TEXT["it"]
        privacy = ContentPage.objects.child_of(home).filter(slug="privacy", locale=home.locale).first()
        page = home.add_child(
            instance=ComplaintFormPage(
                title=text["title"],
                slug=text["slug"],
                intro=text["intro"],
                thank_you_text=text["thank_you"],
                privacy_notice=text["privacy"],
                privacy_page=privacy,
                show_in_menus=True,
            )
        )
        # Each hospital's form offers the services it has.
        page.services.set(Service.objects.filter(name__in=services))
        page.save_revision().publish()
        return page

    def report_page(self, home):
        # The public yearly report (learning app): figures only, "you said, we did".
        page = ComplaintsReportPage.objects.filter(locale=home.locale).first()
        if page:
            return page
        page = home.add_child(
            instance=ComplaintsReportPage(
                title="Relazione sui reclami",
                slug="relazione-reclami",
                intro="<p>Ogni reclamo ci aiuta a migliorare. Ecco quanti ne abbiamo ricevuti, come abbiamo "
                "risposto e che cosa abbiamo cambiato grazie alle vostre segnalazioni.</p>",
                show_in_menus=True,
            )
        )
        page.save_revision().publish()
        return page

    def translate(self, page, locale, title):
        translation = page.get_translation_or_none(locale)
        if translation is None:
            translation = page.copy_for_translation(locale)
            translation.title = title
            translation.save_revision().publish()
        return translation

    def translate_form_page(self, page, locale):
        if page.get_translation_or_none(locale):
            return
        self.translate(page.get_parent(), locale, title=page.get_parent().title)
        text = FORM_PAGE_TEXT[locale.language_code]
        translation = page.copy_for_translation(locale)
        translation.title, translation.slug = text["title"], text["slug"]
        translation.intro, translation.thank_you_text, translation.privacy_notice = (
            text["intro"],
            text["thank_you"],
            text["privacy"],
        )
        translation.save_revision().publish()

    def users(self, hospitals):
        """Operators of each hospital and of the authority. Their powers come from the role's group,
        never from is_superuser; the hospitals they work on from `Operator.sites`."""
        User = get_user_model()
        for username, password, first_name, last_name, role, notify, hospital in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username,
                    email=f"{username}@{EMAIL_DOMAINS[hospital]}",
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                )
            elif user.is_superuser or user.is_staff:
                user.is_superuser = user.is_staff = False
                user.save(update_fields=["is_superuser", "is_staff"])
            # Saving the operator puts the user in the role's group (permissions.apply_role).
            operator, _ = Operator.objects.update_or_create(user=user, defaults={"role": role, "notify_on_new": notify})
            operator.sites.set([hospitals[hospital]] if hospital else [])
            if role == Role.ADMINISTRATOR:
                # The demo administrator may also edit the hospital's pages, through Wagtail's own group.
                moderators = Group.objects.filter(name="Moderators").first()
                if moderators:
                    user.groups.add(moderators)

    def answer_templates(self):
        for language, title, body in ANSWER_TEMPLATES:
            AnswerTemplate.objects.get_or_create(language=language, title=title, defaults={"body": body})
