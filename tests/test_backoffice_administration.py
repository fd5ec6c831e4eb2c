"""The administrator's screens (operators' accounts, the office's lists) and routing new complaints."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from wagtail_complaints.models import Category, CategoryLabel, Complaint, ComplaintFormField, ComplaintLogEntry, ComplaintSettings, Operator, Service

from .factories import complaint_form_data, make_complaint, make_form_page, make_operator

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def edit_operator(admin_client, operator, **data):
    data.setdefault("role", operator.role)
    data.setdefault("email", operator.user.email)
    data.setdefault("account_active", "on")
    return admin_client.post(reverse("wagtail_complaints_operators:edit", args=[operator.pk]), data)


# -- operators' accounts ----------------------------------------------------------------------


def test_administrator_deactivates_an_account_and_changes_its_email(admin_client, handler, client):
    operator = Operator.objects.get(user=handler)
    response = edit_operator(admin_client, operator, email="nuovo@hospital.example", account_active="")
    assert response.status_code == 302
    user = User.objects.get(pk=handler.pk)
    assert (user.email, user.is_active) == ("nuovo@hospital.example", False)
    assert not client.login(username=handler.username, password="password")

    edit_operator(admin_client, operator, email="nuovo@hospital.example", account_active="on")
    assert User.objects.get(pk=handler.pk).is_active


def test_administrator_cannot_deactivate_themselves(admin_client, administrator):
    operator = Operator.objects.get(user=administrator)
    response = edit_operator(admin_client, operator, account_active="")
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    assert User.objects.get(pk=administrator.pk).is_active


def test_administrator_sends_a_password_reset_from_the_operator_screen(admin_client, handler):
    operator = Operator.objects.get(user=handler)
    handler.set_unusable_password()  # created without a password: Django's own form would skip them
    handler.save()
    screen = admin_client.get(reverse("wagtail_complaints_operators:edit", args=[operator.pk])).content.decode()
    url = reverse("wagtail_complaints_operators:password_reset", args=[operator.pk])
    assert url in screen

    response = admin_client.post(url, follow=True)
    assert "has been e-mailed to " + handler.email in response.content.decode()
    [email] = mail.outbox
    assert email.to == [handler.email]
    link = re.search(r"https?://\S+/password_reset/confirm/\S+", email.body)
    assert link, email.body
    assert ModelLogEntry.objects.filter(action="wagtail_complaints.password_reset", object_id=str(operator.pk)).exists()


def test_only_administrators_send_password_resets(client, handler, viewer):
    operator = Operator.objects.get(user=viewer)
    client.force_login(handler)
    response = client.post(reverse("wagtail_complaints_operators:password_reset", args=[operator.pk]))
    assert response.status_code in (302, 403)
    assert not mail.outbox
    assert client.get(reverse("wagtail_complaints_operators:password_reset", args=[operator.pk])).status_code in (302, 403, 405)


def test_operators_list_shows_yes_no_icons(admin_client, handler):
    content = admin_client.get(reverse("wagtail_complaints_operators:index")).content.decode()
    assert handler.email in content
    assert "True" not in content and "False" not in content
    assert "icon-success" in content or "icon-check" in content


# -- the category form ------------------------------------------------------------------------


def category_data(**data):
    base = {
        "name": "Nuova",
        "parent": "",
        "is_active": "on",
        "sort_order": "0",
        "labels-TOTAL_FORMS": "1",
        "labels-INITIAL_FORMS": "0",
        "labels-MIN_NUM_FORMS": "0",
        "labels-MAX_NUM_FORMS": "1000",
        "labels-0-language": "",
        "labels-0-label": "",
        "labels-0-id": "",
        "labels-0-ORDER": "1",
        "labels-0-DELETE": "",
    }
    base.update(data)
    return base


def test_category_parent_offers_only_active_macro_categories_in_order(admin_client):
    retired = Category.objects.create(name="Vecchia macro", is_active=False)
    child = Category.objects.filter(parent__isnull=False).first() or Category.objects.create(
        name="Figlia", parent=Category.objects.filter(parent=None).first()
    )
    content = admin_client.get(reverse("wagtail_complaints_categories:add")).content.decode()
    select = re.search(r'<select name="parent".*?</select>', content, re.S).group(0)
    offered = re.findall(r'<option value="(\d+)"', select)
    expected = [str(pk) for pk in Category.objects.filter(parent=None, is_active=True).order_by("sort_order", "name").values_list("pk", flat=True)]
    assert offered == expected
    assert str(retired.pk) not in offered and str(child.pk) not in offered


def test_an_empty_translation_row_is_ignored(admin_client):
    response = admin_client.post(reverse("wagtail_complaints_categories:add"), category_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    category = Category.objects.get(name="Nuova")
    assert not category.labels.exists()


def test_the_translation_language_is_a_choice_of_the_sites_languages(admin_client):
    content = admin_client.get(reverse("wagtail_complaints_categories:add")).content.decode()
    assert re.search(r'<select name="labels-__prefix__-language"', content)
    response = admin_client.post(
        reverse("wagtail_complaints_categories:add"), category_data(**{"labels-0-language": "de", "labels-0-label": "Neu"})
    )
    assert response.status_code == 200
    assert not Category.objects.filter(name="Nuova").exists()
    admin_client.post(
        reverse("wagtail_complaints_categories:add"), category_data(**{"labels-0-language": "es", "labels-0-label": "Nueva"})
    )
    assert CategoryLabel.objects.get(category__name="Nuova").label == "Nueva"


# -- extra questions --------------------------------------------------------------------------


def test_extra_questions_with_the_same_label_keep_both_answers(client):
    page = make_form_page()
    ComplaintFormField.objects.create(page=page, label="Reparto", clean_name="reparto", field_type="singleline")
    ComplaintFormField.objects.create(page=page, label="Reparto", clean_name="reparto_2", field_type="singleline")
    page.save_revision().publish()
    client.post(page.url, complaint_form_data(client, page, extra_reparto="Cardiologia", extra_reparto_2="Radiologia"))
    assert Complaint.objects.get().extra_answers == {"Reparto": "Cardiologia", "Reparto (2)": "Radiologia"}


def test_the_page_editor_refuses_two_questions_with_the_same_label():
    from wagtail_complaints.models import ComplaintFormPage

    assert issubclass(ComplaintFormPage.get_edit_handler().get_form_class(), __import__(
        "wagtail.contrib.forms.forms", fromlist=["WagtailAdminFormPageForm"]
    ).WagtailAdminFormPageForm)


# -- routing ----------------------------------------------------------------------------------


def inbox(client, **params):
    content = client.get(reverse("wagtail_complaints:index"), params).content.decode()
    return set(re.findall(r"\d{4}-\d{6}", content))


def test_inbox_filter_my_categories_and_services(client, category, service):
    other_service = Service.objects.create(name="Radiologia")
    other_category = Category.objects.filter(parent=None).exclude(pk=category.pk).first()
    operator = make_operator("handler")
    operator.categories.set([category])
    operator.services.set([service])
    mine = make_complaint(category=category, service=service)
    wrong_service = make_complaint(category=category, service=other_service)
    wrong_category = make_complaint(category=other_category, service=service)
    client.force_login(operator.user)

    assert inbox(client, covered="true") == {mine.reference}
    assert inbox(client, covered="false") == {wrong_service.reference, wrong_category.reference}
    assert inbox(client) == {mine.reference, wrong_service.reference, wrong_category.reference}


def set_auto_assign(on=True):
    from wagtail.models import Site

    office = ComplaintSettings.for_site(Site.objects.get(is_default_site=True))
    office.auto_assign = on
    office.save()


def test_a_new_complaint_goes_to_the_only_handler_covering_it(client, category, service):
    set_auto_assign()
    page = make_form_page()
    cardiology = make_operator("handler")
    cardiology.services.set([Service.objects.create(name="Cardiologia")])
    emergency = make_operator("handler")
    emergency.services.set([service])
    make_operator("viewer")  # viewers and administrators are never assigned
    make_operator("administrator")

    client.post(page.url, complaint_form_data(client, page, service=service.pk))
    complaint = Complaint.objects.get()
    assert complaint.assigned_to == emergency.user
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.assign", complaint_id=complaint.pk)
    assert entry.data["automatic"] is True


def test_no_automatic_assignment_when_two_handlers_cover_it_or_the_office_does_not_want_it(client, service):
    page = make_form_page()
    only = make_operator("handler")
    client.post(page.url, complaint_form_data(client, page))
    assert Complaint.objects.get().assigned_to is None  # setting off

    set_auto_assign()
    client.post(page.url, complaint_form_data(client, page))
    assert Complaint.objects.latest("pk").assigned_to == only.user

    make_operator("handler")  # covers everything too: now two do
    client.post(page.url, complaint_form_data(client, page))
    assert Complaint.objects.latest("pk").assigned_to is None


def test_an_inactive_handler_is_not_assigned(client, service):
    set_auto_assign()
    page = make_form_page()
    gone = make_operator("handler")
    gone.user.is_active = False
    gone.user.save()
    client.post(page.url, complaint_form_data(client, page))
    assert Complaint.objects.get().assigned_to is None
