"""Who may do what in the back office, checked on the server for every URL the app registers."""

import pytest
from django.core.files.base import ContentFile
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import ModelLogEntry

from wagtail_complaints import actions
from wagtail_complaints.models import (
    ComplaintLogEntry,
    AnswerTemplate,
    Attachment,
    Category,
    Complaint,
    ComplaintSettings,
    Email,
    Message,
    Operator,
    Service,
)
from wagtail_complaints.permissions import ROLE_GROUPS
from wagtail_complaints.workflow import TRANSITIONS

from .factories import make_complaint, make_operator

pytestmark = pytest.mark.django_db


def app_url_patterns(patterns=None, namespace=None):
    """(namespaced name, converter names) of every URL in a namespace starting 'wagtail_complaints'."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full = ":".join(filter(None, [namespace, inner])) if inner else namespace
            yield from app_url_patterns(entry.url_patterns, full)
        elif isinstance(entry, URLPattern) and entry.name and namespace:
            if namespace.split(":")[-1].startswith("wagtail_complaints"):
                yield f"{namespace}:{entry.name}", list(entry.pattern.converters)


def denied(response):
    """Wagtail's admin answers a PermissionDenied with a redirect to its home page and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def object_for(name, world):
    namespace = name.split(":")[-2]
    return {
        "wagtail_complaints_operators": world["operator"],
        "wagtail_complaints_categories": world["category"],
        "wagtail_complaints_services": world["service"],
        "wagtail_complaints_answer_templates": world["template"],
    }.get(namespace, world["complaint"])


def urls_for(name, converters, world):
    if not converters:
        return [reverse(name)]
    kwargs_list = [{}]
    for converter in converters:
        if converter == "transition":
            values = list(TRANSITIONS)
        elif converter == "token":
            values = ["not-a-real-token"]
        elif converter == "pk" and name.endswith(":attachment"):
            values = [world["attachment"].pk]
        elif converter == "pk":
            values = [object_for(name, world).pk]
        else:
            values = [1]
        kwargs_list = [dict(kwargs, **{converter: value}) for kwargs in kwargs_list for value in values]
    return [reverse(name, kwargs=kwargs) for kwargs in kwargs_list]


def snapshot():
    return {
        "complaints": list(Complaint.objects.order_by("pk").values()),
        "messages": Message.objects.count(),
        "emails": Email.objects.count(),
        "attachments": Attachment.objects.count(),
        "operators": list(Operator.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values()),
        "services": list(Service.objects.order_by("pk").values()),
        "templates": list(AnswerTemplate.objects.order_by("pk").values()),
        "groups": sorted(Group.objects.values_list("name", "user__username")),
        # Reading an attachment is logged (who read which file, issue 16): that is not a change.
        "log": ModelLogEntry.objects.count() + ComplaintLogEntry.objects.exclude(action="wagtail_complaints.download").count(),
    }


EVERYTHING = {
    # A payload that would be a valid form for most views: nothing may come of it for a viewer.
    "expected_status": "taken_in_charge",
    "body": "x",
    "reason": "x",
    "outcome": "upheld",
    "note": "x",
    "name": "x",
    "title": "x",
    "role": "administrator",
    "username": "intruder",
    "description": "changed",
    "first_name": "x",
    "last_name": "x",
    "language": "it",
    "contact_preference": "email",
    "channel": "phone",
    "received_at": "2026-01-01 10:00",
    "is_active": "",
    **{f"{t}-expected_status": "taken_in_charge" for t in TRANSITIONS},
    **{f"{t}-{field}": "x" for t in TRANSITIONS for field in ("body", "reason", "note")},
    "close-outcome": "upheld",
}


@pytest.fixture
def world(db, category, service, handler):
    complaint = make_complaint(category=category, service=service)
    actions.take_in_charge(complaint, handler)
    attachment = Attachment(complaint=complaint, original_name="referto.pdf", content_type="application/pdf", size=9)
    attachment.file.save("referto.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {
        "complaint": complaint,
        "operator": Operator.objects.get(user=handler),
        "category": category,
        "service": service,
        "template": AnswerTemplate.objects.create(title="T", body="B"),
        "attachment": attachment,
    }


def test_the_walk_finds_the_apps_urls():
    names = {name for name, _ in app_url_patterns()}
    for expected in [
        "wagtail_complaints:index",
        "wagtail_complaints:inspect",
        "wagtail_complaints:transition",
        "wagtail_complaints:note",
        "wagtail_complaints:assign",
        "wagtail_complaints:add",
        "wagtail_complaints:edit",
        "wagtail_complaints_operators:add",
        "wagtail_complaints_categories:delete",
        "wagtail_complaints_services:edit",
        "wagtail_complaints_answer_templates:add",
    ]:
        assert expected in names


def test_a_viewer_posting_to_every_url_of_the_app_changes_nothing(client, viewer, world):
    client.force_login(viewer)
    before = snapshot()
    tried = 0
    for name, converters in app_url_patterns():
        for url in urls_for(name, converters, world):
            response = client.post(url, EVERYTHING)
            tried += 1
            assert denied(response) or response.status_code in (404, 405), (url, response.status_code)
    assert tried > 20
    assert snapshot() == before


@pytest.mark.parametrize("namespace", ["operators", "categories", "services", "answer_templates"])
def test_handlers_cannot_manage_the_office_lists(client, handler, world, namespace):
    client.force_login(handler)
    assert denied(client.get(reverse(f"wagtail_complaints_{namespace}:index")))
    assert denied(client.get(reverse(f"wagtail_complaints_{namespace}:add")))
    pk = object_for(f"wagtail_complaints_{namespace}:edit", world).pk
    assert denied(client.post(reverse(f"wagtail_complaints_{namespace}:delete", args=[pk])))


@pytest.mark.parametrize("namespace", ["operators", "categories", "services", "answer_templates"])
def test_administrators_manage_the_office_lists(client, administrator, world, namespace):
    client.force_login(administrator)
    assert client.get(reverse(f"wagtail_complaints_{namespace}:index")).status_code == 200
    assert client.get(reverse(f"wagtail_complaints_{namespace}:add")).status_code == 200


def test_menu_only_shows_what_the_user_can_open(client, handler, administrator, viewer):
    client.force_login(handler)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtail_complaints:index") in page
    assert reverse("wagtail_complaints_operators:index") not in page
    client.force_login(administrator)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtail_complaints_operators:index") in page
    client.force_login(viewer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wagtail_complaints:index") in page
    assert reverse("wagtail_complaints_categories:index") not in page


def test_viewers_read_the_answers_but_not_the_office_notes(client, viewer, handler, world):
    complaint = world["complaint"]
    actions.add_note(complaint, handler, "Nota interna: sentire il primario")
    actions.answer(complaint, handler, "Risposta al paziente")
    client.force_login(viewer)
    page = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    # Issue 15: answer texts only when the office lets viewers see personal data.
    assert "Risposta al paziente" not in page
    office = ComplaintSettings.for_site(complaint.site)
    office.viewers_see_personal_data = True
    office.save()
    page = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert "Risposta al paziente" in page
    assert "sentire il primario" not in page
    client.force_login(handler)
    assert "sentire il primario" in client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()


def test_viewers_cannot_register_or_edit(client, viewer, world):
    client.force_login(viewer)
    assert denied(client.get(reverse("wagtail_complaints:add")))
    assert denied(client.get(reverse("wagtail_complaints:edit", args=[world["complaint"].pk])))


def test_nobody_deletes_complaints(client, administrator, world):
    client.force_login(administrator)
    url = reverse("wagtail_complaints:delete", args=[world["complaint"].pk])
    assert denied(client.get(url))
    assert denied(client.post(url))
    assert Complaint.objects.filter(pk=world["complaint"].pk).exists()


def test_users_without_a_role_see_nothing(client, world):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("editor", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert denied(client.get(reverse("wagtail_complaints:index")))
    assert denied(client.get(reverse("wagtail_complaints:inspect", args=[world["complaint"].pk])))


def test_roles_are_groups_with_exactly_their_permissions(db):
    def codenames(role):
        return set(Group.objects.get(name=ROLE_GROUPS[role]).permissions.values_list("codename", flat=True))

    assert codenames("viewer") == {"access_admin", "view_complaint"}
    assert codenames("handler") == {
        "access_admin",
        "view_complaint",
        "add_complaint",
        "change_complaint",
        "view_personal_data",
    }
    assert {"add_operator", "delete_category", "change_service", "change_complaintsettings"} <= codenames(
        "administrator"
    )


def test_the_roles_migration_can_run_again(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wagtail_complaints.migrations.0003_roles")
    before = sorted(Group.objects.values_list("name", "permissions__codename"))
    migration.create_roles(apps, None)
    assert sorted(Group.objects.values_list("name", "permissions__codename")) == before


def test_a_handler_is_not_a_viewer_and_vice_versa(db):
    operator = make_operator("viewer")
    user = operator.user
    assert not user.has_perm("wagtail_complaints.change_complaint")
    operator.role = "handler"
    operator.save()
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("wagtail_complaints.change_complaint")
    assert list(user.groups.values_list("name", flat=True)) == [ROLE_GROUPS["handler"]]


def test_demo_operators_get_their_powers_from_their_roles(db):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))  # idempotent
    users = {user.username: user for user in get_user_model().objects.all()}
    assert not any(user.is_superuser for user in users.values())
    assert users["admin"].has_perm("wagtail_complaints.add_operator")
    assert users["operatore"].has_perm("wagtail_complaints.change_complaint")
    assert not users["operatore"].has_perm("wagtail_complaints.add_operator")
    assert users["asl"].has_perm("wagtail_complaints.view_complaint")
    assert not users["asl"].has_perm("wagtail_complaints.change_complaint")


def test_the_forms_listing_shows_complaint_pages_only_to_who_may_read_complaints(client, db):
    from django.contrib.auth import get_user_model
    from wagtail.models import Site

    from example_site.home.models import ContactFormPage

    from .factories import make_form_page

    make_form_page(title="Complaints office page")
    Site.objects.get(is_default_site=True).root_page.add_child(
        instance=ContactFormPage(title="Contact us page", slug="contact-us")
    )
    editor = get_user_model().objects.create_user("page-editor", password="x")
    editor.groups.add(Group.objects.get(name="Editors"))  # Wagtail's own group: edits every page
    client.force_login(editor)
    listing = client.get(reverse("wagtailforms:index")).content.decode()
    assert "Contact us page" in listing
    assert "Complaints office page" not in listing

    editor.groups.add(Group.objects.get(name=ROLE_GROUPS["viewer"]))
    listing = client.get(reverse("wagtailforms:index")).content.decode()
    assert "Complaints office page" in listing
