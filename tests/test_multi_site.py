"""One installation for several hospitals: each office sees its own, the health authority all.

Hospital A is the default site (San Luca), hospital B a second site (Santa Maria). A's operators
walk every URL of the app with B's ids and get 404; lists, exports, the home panel, statistics,
privacy look-ups and e-mails never show them B's complaints.
"""

import csv
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints import actions
from wagtail_complaints.mailin.models import IncomingEmail, Result
from wagtail_complaints.models import Attachment, Complaint, ComplaintSettings, Email, Operator

from .factories import make_complaint, make_operator
from .test_backoffice_permissions import EVERYTHING, app_url_patterns, urls_for

pytestmark = pytest.mark.django_db

SHARED_LISTS = (
    # The classification, services, answer templates and e-mail texts are the installation's own.
    "wagtail_complaints_categories",
    "wagtail_complaints_services",
    "wagtail_complaints_answer_templates",
    "wagtail_complaints_email_texts",
    "wagtailsnippetchoosers_wagtail_complaints_emailwording",
)


@pytest.fixture
def hospitals(db):
    san_luca = Site.objects.get(is_default_site=True)
    san_luca.site_name = "San Luca"
    san_luca.save()
    root = Page.get_first_root_node()
    santa_maria_home = root.add_child(instance=Page(title="Ospedale Santa Maria", slug="santa-maria"))
    santa_maria = Site.objects.create(hostname="santamaria.example", root_page=santa_maria_home, site_name="Santa Maria")
    return san_luca, santa_maria


def operator_of(role, *sites, **kwargs):
    operator = make_operator(role, **kwargs)
    operator.sites.set(sites)
    return operator.user


@pytest.fixture
def world(hospitals, category, service):
    san_luca, santa_maria = hospitals
    handler_b = operator_of("handler", santa_maria)
    ours = make_complaint(site=san_luca, category=category, service=service, email="ours@example.com")
    theirs = make_complaint(site=santa_maria, category=category, service=service, email="theirs@example.com")
    actions.take_in_charge(theirs, handler_b)
    actions.add_note(theirs, handler_b, "Nota interna di Santa Maria")
    attachment = Attachment(complaint=theirs, original_name="referto.pdf", content_type="application/pdf", size=9)
    attachment.file.save("referto.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    incoming = IncomingEmail(message_id="<b@santamaria.example>", site=santa_maria, subject="Santa Maria mail", complaint=theirs)
    incoming.result = Result.FAILED
    incoming.original.save("b.eml", ContentFile(b"Subject: Santa Maria mail\n\nciao\n"), save=False)
    incoming.save()
    return {
        "san_luca": san_luca,
        "santa_maria": santa_maria,
        "ours": ours,
        "theirs": theirs,
        "attachment": attachment,
        "incoming": incoming,
        "operator_b": Operator.objects.get(user=handler_b),
        "handler_b": handler_b,
    }


def b_urls(world):
    """Every URL of the app that names one of hospital B's objects."""
    objects = {
        "wagtail_complaints_mailin": world["incoming"],
        "wagtail_complaints_operators": world["operator_b"],
    }
    b_world = {"complaint": world["theirs"], "attachment": world["attachment"], "operator": world["operator_b"]}
    urls = []
    for name, converters in app_url_patterns():
        namespace = name.split(":")[-2]
        if "pk" not in converters or namespace in SHARED_LISTS:
            continue
        if namespace in objects:
            urls += [reverse(name, kwargs={"pk": objects[namespace].pk})]
        else:
            urls += urls_for(name, converters, {**b_world, "category": None, "service": None, "template": None})
    return urls


@pytest.mark.parametrize("role", ["handler", "viewer", "administrator"])
def test_hospital_a_operators_find_none_of_hospital_b_anywhere(client, world, role):
    client.force_login(operator_of(role, world["san_luca"]))
    before = (list(Complaint.objects.order_by("pk").values()), Email.objects.count())
    urls = b_urls(world)
    assert len(urls) > 15
    assert any("/attachments/" in url for url in urls) and any("/e-mails/" in url for url in urls)
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, EVERYTHING).status_code in (404, 405), url
    assert (list(Complaint.objects.order_by("pk").values()), Email.objects.count()) == before


def test_the_same_urls_open_for_hospital_b_and_for_the_authority(client, world):
    inspect = reverse("wagtail_complaints:inspect", args=[world["theirs"].pk])
    attachment = reverse("wagtail_complaints_followup:attachment", args=[world["attachment"].pk])
    for user in (world["handler_b"], operator_of("handler"), operator_of("viewer", world["san_luca"], world["santa_maria"])):
        client.force_login(user)
        assert client.get(inspect).status_code == 200
    client.force_login(world["handler_b"])
    assert client.get(attachment).status_code == 200


def test_lists_exports_panel_and_lookups_of_hospital_a_show_only_a(client, world):
    theirs, ours = world["theirs"].reference, world["ours"].reference
    theirs_url = reverse("wagtail_complaints:inspect", args=[world["theirs"].pk])
    client.force_login(operator_of("administrator", world["san_luca"]))
    pages = {
        "inbox": reverse("wagtail_complaints:index"),
        "inbox search": reverse("wagtail_complaints:index") + f"?q={theirs}",
        "export": reverse("wagtail_complaints:index") + "?export=csv",
        "home panel": reverse("wagtailadmin_home"),
        "e-mail log": reverse("wagtail_complaints_mailin:index"),
        "operators": reverse("wagtail_complaints_operators:index"),
        "privacy": reverse("wagtail_complaints_privacy:requests") + "?email=theirs@example.com",
    }
    for what, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, what
        content = b"".join(response.streaming_content) if response.streaming else response.content
        content = content.decode()
        assert theirs_url not in content, what
        assert what == "inbox search" or theirs not in content, what
        assert "Santa Maria mail" not in content and world["handler_b"].username not in content, what
    assert ours in client.get(pages["inbox"]).content.decode()
    export = client.post(
        reverse("wagtail_complaints_privacy:export"), {"email": "theirs@example.com"}
    )
    assert export.status_code == 302  # "No complaint has this e-mail address": B's stays unseen


def test_the_inbox_of_the_authority_names_the_hospital_and_filters_by_it(client, world):
    client.force_login(operator_of("viewer"))
    inbox = reverse("wagtail_complaints:index")
    content = client.get(inbox).content.decode()
    assert world["theirs"].reference in content and world["ours"].reference in content
    assert "Santa Maria" in content
    only_b = client.get(inbox, {"site": world["santa_maria"].pk}).content.decode()
    assert world["theirs"].reference in only_b and world["ours"].reference not in only_b
    rows = list(csv.reader(io.StringIO(b"".join(client.get(inbox + "?export=csv").streaming_content).decode())))
    assert rows[0][:2] == ["Reference", "Hospital"]
    assert {tuple(row[:2]) for row in rows[1:]} == {
        (world["ours"].reference, "San Luca"),
        (world["theirs"].reference, "Santa Maria"),
    }


def test_a_hospital_a_handler_is_not_offered_hospital_b_in_the_filters(client, world):
    client.force_login(operator_of("handler", world["san_luca"]))
    content = client.get(reverse("wagtail_complaints:index")).content.decode()
    assert 'name="site"' not in content
    # A site filter typed into the address cannot widen the inbox either.
    tampered = client.get(reverse("wagtail_complaints:index"), {"site": world["santa_maria"].pk})
    assert world["theirs"].reference not in tampered.content.decode()


def summary_of(client, **params):
    response = client.get(reverse("wagtail_complaints_stats:table", args=["summary"]), {"export": "csv", **params})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {row[0]: row[1] for row in rows[1:]}


def sites_table(client, **params):
    response = client.get(reverse("wagtail_complaints_stats:table", args=["sites"]), {"export": "csv", **params})
    if response.status_code != 200:
        return response.status_code
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.fixture
def a_year_of_complaints(world, handler):
    san_luca, santa_maria = world["san_luca"], world["santa_maria"]
    year = timezone.localdate().year
    received = timezone.now()
    for site, count in ((san_luca, 3), (santa_maria, 5)):
        for n in range(count):
            complaint = make_complaint(site=site, received_at=received)
            if n % 2:
                actions.take_in_charge(complaint, handler)
                actions.answer(complaint, by=handler, body="Risposta", expected_status="taken_in_charge")
                actions.close(complaint, by=handler, outcome="upheld", expected_status="awaiting_reply")
    return year


def test_the_regional_statistics_are_the_sum_of_the_hospitals(client, world, a_year_of_complaints):
    year = a_year_of_complaints
    client.force_login(operator_of("viewer", world["san_luca"]))
    san_luca = summary_of(client, year=year)
    assert sites_table(client, year=year) == 404  # one hospital: nothing to compare
    client.force_login(operator_of("viewer", world["santa_maria"]))
    santa_maria = summary_of(client, year=year)
    regional_viewer = operator_of("viewer")
    client.force_login(regional_viewer)
    region = summary_of(client, year=year)
    for figure in ("Received", "Closed", "Open at the end of the period", "Overdue now"):
        assert int(region[figure]) == int(san_luca[figure]) + int(santa_maria[figure]), figure
    assert (int(san_luca["Received"]), int(santa_maria["Received"])) == (4, 6)
    by_site = {row["Hospital"]: row for row in sites_table(client, year=year)}
    assert {name: int(row["Received"]) for name, row in by_site.items()} == {"San Luca": 4, "Santa Maria": 6}
    assert {name: int(row["Closed"]) for name, row in by_site.items()} == {"San Luca": 1, "Santa Maria": 2}
    # The site filter narrows to one hospital, and the regional screen shows the breakdown and chart.
    assert summary_of(client, year=year, site=world["santa_maria"].pk)["Received"] == santa_maria["Received"]
    screen = client.get(reverse("wagtail_complaints_stats:index"), {"year": year}).content.decode()
    assert "By hospital" in screen and 'id="chart-sites-title"' in screen


def test_a_viewer_of_one_hospital_cannot_choose_another_in_the_statistics(client, world, a_year_of_complaints):
    client.force_login(operator_of("viewer", world["san_luca"]))
    screen = client.get(reverse("wagtail_complaints_stats:index")).content.decode()
    assert "Santa Maria" not in screen and "By hospital" not in screen
    tampered = client.get(
        reverse("wagtail_complaints_stats:table", args=["summary"]), {"site": world["santa_maria"].pk, "export": "csv"}
    )
    # No site field to choose from: a site typed into the address widens nothing.
    assert tampered.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(tampered.streaming_content).decode())))
    assert {row[0]: row[1] for row in rows[1:]}["Received"] == "4"


def test_a_regional_viewer_of_a_chosen_few_sees_those_only(client, world, a_year_of_complaints):
    third_home = Page.get_first_root_node().add_child(instance=Page(title="Terzo", slug="terzo"))
    third = Site.objects.create(hostname="terzo.example", root_page=third_home, site_name="Terzo")
    make_complaint(site=third)
    client.force_login(operator_of("viewer", world["san_luca"], world["santa_maria"]))
    rows = sites_table(client, year=a_year_of_complaints)
    assert [row["Hospital"] for row in rows] == ["San Luca", "Santa Maria"]
    assert int(summary_of(client, year=a_year_of_complaints)["Received"]) == 10


def test_new_complaint_emails_go_to_the_operators_of_that_hospital(world, django_capture_on_commit_callbacks):
    a = operator_of("handler", world["san_luca"], notify_on_new=True)
    b = operator_of("handler", world["santa_maria"], notify_on_new=True)
    everywhere = operator_of("administrator", notify_on_new=True)
    complaint = Complaint(
        category=world["theirs"].category,
        description="Troppa attesa",
        first_name="Ada",
        last_name="Neri",
        email="ada@example.com",
        language="it",
        received_at=timezone.now(),
        answer_by=timezone.localdate(),
        site=world["santa_maria"],
    )
    complaint.assign_reference()
    with django_capture_on_commit_callbacks(execute=True):
        actions.register(complaint, by=None, office=ComplaintSettings.for_site(world["santa_maria"]))
    notified = set(Email.objects.filter(complaint=complaint, template="operator/new_complaint").values_list("recipient", flat=True))
    assert notified == {b.email, everywhere.email}
    assert a.email not in notified


def test_a_complaint_is_assigned_only_to_a_handler_of_its_hospital(client, world):
    admin = operator_of("administrator")
    handler_a = operator_of("handler", world["san_luca"])
    client.force_login(admin)
    inspect = reverse("wagtail_complaints:inspect", args=[world["theirs"].pk])
    content = client.get(inspect).content.decode()
    assert world["handler_b"].username in content or world["handler_b"].get_full_name() in content
    response = client.post(
        reverse("wagtail_complaints:assign", args=[world["theirs"].pk]),
        {"assigned_to": handler_a.pk, "drawn_assignee": world["theirs"].assigned_to_id or ""},
    )
    assert response.status_code == 200  # the form comes back: not one of the choices
    world["theirs"].refresh_from_db()
    assert world["theirs"].assigned_to_id != handler_a.pk


REGISTRATION = {
    "channel": "phone",
    "description": "Telefonata: lamentela sul parcheggio",
    "first_name": "Luigi",
    "last_name": "Verdi",
    "email": "",
    "phone": "333 1234567",
    "contact_preference": "phone",
    "language": "it",
}


def test_registering_offers_the_operators_hospitals_only(client, world, category):
    data = {**REGISTRATION, "category": category.pk, "received_at": timezone.now().strftime("%Y-%m-%d %H:%M")}
    add = reverse("wagtail_complaints:add")

    client.force_login(operator_of("handler", world["santa_maria"]))
    assert 'name="site"' not in client.get(add).content.decode()
    # Their one hospital, even asked for another (or opened at A's address).
    response = client.post(add, {**data, "site": world["san_luca"].pk})
    assert response.status_code == 302
    assert Complaint.objects.get(last_name="Verdi").site == world["santa_maria"]

    client.force_login(operator_of("administrator"))
    form = client.get(add).content.decode()
    assert 'name="site"' in form and "Santa Maria" in form
    office_b = ComplaintSettings.for_site(world["santa_maria"])
    office_b.answer_within_days = 10
    office_b.save()
    response = client.post(add, {**data, "last_name": "Bruni", "site": world["santa_maria"].pk})
    assert response.status_code == 302
    registered = Complaint.objects.get(last_name="Bruni")
    assert registered.site == world["santa_maria"]
    assert (registered.answer_by - timezone.localdate(registered.received_at)).days == 10


def test_an_administrator_chooses_the_operators_hospitals(client, world):
    client.force_login(operator_of("administrator"))
    response = client.post(
        reverse("wagtail_complaints_operators:add"),
        {"username": "giada", "email": "giada@example.com", "role": "handler", "sites": [world["santa_maria"].pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Operator.objects.get(user__username="giada").sites.all()) == [world["santa_maria"]]


def test_a_hospital_administrator_cannot_grant_all_hospitals(client, world):
    client.force_login(operator_of("administrator", world["san_luca"]))
    add = reverse("wagtail_complaints_operators:add")
    form = client.get(add).content.decode()
    assert "Santa Maria" not in form
    response = client.post(add, {"username": "paolo", "email": "paolo@example.com", "role": "handler"})
    assert response.status_code == 200
    assert "Choose the hospitals this operator works on." in response.content.decode()
    response = client.post(
        add, {"username": "paolo", "email": "paolo@example.com", "role": "handler", "sites": [world["santa_maria"].pk]}
    )
    assert response.status_code == 200 and not Operator.objects.filter(user__username="paolo").exists()


def test_the_forms_listing_names_only_the_own_hospitals_complaint_pages(client, world):
    from django.contrib.auth.models import Group

    from wagtail_complaints.models import ComplaintFormPage

    for site, title in ((world["san_luca"], "San Luca complaints page"), (world["santa_maria"], "Santa Maria complaints page")):
        page = site.root_page.add_child(instance=ComplaintFormPage(title=title, slug="reclami-x"))
        page.save_revision().publish()
    editor = operator_of("handler", world["san_luca"])
    editor.groups.add(Group.objects.get(name="Editors"))  # may edit every page
    client.force_login(editor)
    listing = client.get(reverse("wagtailforms:index")).content.decode()
    assert "San Luca complaints page" in listing
    assert "Santa Maria complaints page" not in listing


def test_reminders_list_each_operator_only_their_hospitals_complaints(world):
    from wagtail_complaints import reminders

    a = operator_of("handler", world["san_luca"], notify_on_new=True)
    b = operator_of("handler", world["santa_maria"], notify_on_new=True)
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    ours = make_complaint(site=world["san_luca"], answer_by=overdue)
    theirs = make_complaint(site=world["santa_maria"], answer_by=overdue)
    digests = {email.recipient: set(email.context["complaint_ids"]) for email in reminders.remind()}
    assert ours.pk in digests[a.email] and theirs.pk not in digests[a.email]
    assert theirs.pk in digests[b.email] and ours.pk not in digests[b.email]


@pytest.mark.parametrize(
    "app_label, model_name",
    [("wagtail_complaints", "complaintsettings"), ("wagtail_complaints_mailin", "mailboxsettings")],
)
def test_a_hospital_administrator_edits_only_their_hospitals_settings(client, world, app_label, model_name):
    def settings_of(site):
        return client.get(reverse("wagtailsettings:edit", args=[app_label, model_name, site.pk]))

    client.force_login(operator_of("administrator", world["san_luca"]))
    assert settings_of(world["san_luca"]).status_code == 200
    refused = settings_of(world["santa_maria"])
    assert refused.status_code in (302, 403) and "Santa Maria" not in refused.content.decode()
    client.force_login(operator_of("administrator"))
    assert settings_of(world["santa_maria"]).status_code == 200


@pytest.mark.parametrize("role", ["handler", "viewer"])
def test_hospital_a_handlers_and_viewers_lists_show_only_a(client, world, role):
    client.force_login(operator_of(role, world["san_luca"]))
    inbox = reverse("wagtail_complaints:index")
    listing = client.get(inbox).content.decode()
    assert world["ours"].reference in listing and world["theirs"].reference not in listing
    export = b"".join(client.get(inbox + "?export=xlsx").streaming_content)
    csv_export = b"".join(client.get(inbox + "?export=csv").streaming_content).decode()
    assert world["theirs"].reference not in csv_export and world["ours"].reference in csv_export
    assert export  # the spreadsheet is built from the same narrowed list
    summary = summary_of(client)
    assert summary["Received"] == "1"


def test_the_home_panel_counts_only_the_own_hospitals_complaints(client, world):
    import re

    overdue = timezone.localdate() - datetime.timedelta(days=2)
    make_complaint(site=world["santa_maria"], answer_by=overdue)
    make_complaint(site=world["santa_maria"], answer_by=overdue)
    make_complaint(site=world["san_luca"], answer_by=overdue)

    def overdue_count(user):
        client.force_login(user)
        panel = client.get(reverse("wagtailadmin_home")).content.decode()
        return int(re.search(r"Overdue</a></td>\s*<td>(?:<strong[^>]*>)?(\d+)", panel).group(1))

    assert overdue_count(operator_of("handler", world["san_luca"])) == 1
    assert overdue_count(operator_of("handler", world["santa_maria"])) == 2
    assert overdue_count(operator_of("viewer")) == 3


def test_a_complaint_with_no_site_belongs_to_the_default_hospital(client, world):
    siteless = make_complaint(site=None)
    inspect = reverse("wagtail_complaints:inspect", args=[siteless.pk])
    client.force_login(operator_of("viewer", world["san_luca"]))
    assert client.get(inspect).status_code == 200
    assert siteless.reference in client.get(reverse("wagtail_complaints:index")).content.decode()
    client.force_login(operator_of("viewer", world["santa_maria"]))
    assert client.get(inspect).status_code == 404
    assert siteless.reference not in client.get(reverse("wagtail_complaints:index")).content.decode()


def test_the_operator_registry_lists_each_operators_hospitals(client, world):
    operator_of("viewer")
    client.force_login(operator_of("administrator"))
    listing = client.get(reverse("wagtail_complaints_operators:index")).content.decode()
    assert "Santa Maria" in listing and "Every hospital" in listing


def test_the_complaint_screen_names_the_hospital_to_who_works_on_several(client, world):
    inspect = reverse("wagtail_complaints:inspect", args=[world["theirs"].pk])
    client.force_login(operator_of("viewer"))
    assert "<dt>Hospital</dt><dd>Santa Maria</dd>" in client.get(inspect).content.decode()
    client.force_login(world["handler_b"])
    assert "<dt>Hospital</dt>" not in client.get(inspect).content.decode()
