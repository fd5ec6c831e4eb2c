"""The operator registry and the office's lists, as administrators manage them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail_complaints.models import AnswerTemplate, Category, Operator, Service
from wagtail_complaints.permissions import ROLE_GROUPS

from .factories import make_complaint

pytestmark = pytest.mark.django_db

User = get_user_model()


def groups(user):
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_create_operator_for_an_existing_user(admin_client, category):
    user = User.objects.create_user("lucia", email="lucia@hospital.example", password="x")
    response = admin_client.post(
        reverse("wagtail_complaints_operators:add"),
        {"user": user.pk, "role": "handler", "notify_on_new": "on", "categories": [category.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    operator = Operator.objects.get(user=user)
    assert operator.role == "handler"
    assert operator.notify_on_new
    assert list(operator.categories.all()) == [category]
    assert groups(user) == {ROLE_GROUPS["handler"]}
    assert User.objects.get(pk=user.pk).has_perm("wagtail_complaints.change_complaint")


def test_create_operator_with_a_new_user(admin_client):
    response = admin_client.post(
        reverse("wagtail_complaints_operators:add"),
        {
            "username": "asl.roma",
            "first_name": "Paola",
            "last_name": "Neri",
            "email": "paola@asl.example",
            "password": "a-long-enough-password",
            "role": "viewer",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="asl.roma")
    assert user.check_password("a-long-enough-password")
    assert groups(user) == {ROLE_GROUPS["viewer"]}
    assert not user.has_perm("wagtail_complaints.change_complaint")
    assert user.has_perm("wagtail_complaints.view_complaint")


def test_new_user_without_password_gets_an_unusable_one(admin_client):
    admin_client.post(
        reverse("wagtail_complaints_operators:add"), {"username": "nopass", "email": "n@h.example", "role": "handler"}
    )
    assert not User.objects.get(username="nopass").has_usable_password()


def test_operator_needs_a_user(admin_client):
    response = admin_client.post(reverse("wagtail_complaints_operators:add"), {"role": "handler"})
    assert response.status_code == 200
    assert not Operator.objects.filter(role="handler").exclude(user__username__startswith="handler").exists()


def test_username_must_be_new(admin_client, handler):
    response = admin_client.post(
        reverse("wagtail_complaints_operators:add"), {"username": handler.username.upper(), "role": "viewer"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_notify_needs_an_email(admin_client):
    user = User.objects.create_user("noemail", password="x")
    response = admin_client.post(
        reverse("wagtail_complaints_operators:add"), {"user": user.pk, "role": "handler", "notify_on_new": "on"}
    )
    assert response.status_code == 200
    assert not Operator.objects.filter(user=user).exists()


def test_changing_the_role_moves_the_user_between_groups(admin_client, handler):
    operator = Operator.objects.get(user=handler)
    response = admin_client.post(
        reverse("wagtail_complaints_operators:edit", args=[operator.pk]),
        # The edit form now also carries the account's e-mail and "active" box (issue 16).
        {"role": "administrator", "email": handler.email, "account_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert groups(handler) == {ROLE_GROUPS["administrator"]}
    assert User.objects.get(pk=handler.pk).has_perm("wagtail_complaints.add_operator")


def test_editing_cannot_swap_the_user(admin_client, handler, viewer):
    operator = Operator.objects.get(user=handler)
    admin_client.post(
        reverse("wagtail_complaints_operators:edit", args=[operator.pk]), {"user": viewer.pk, "role": "handler"}
    )
    assert Operator.objects.get(pk=operator.pk).user == handler


def test_deleting_an_operator_removes_the_role(admin_client, handler):
    operator = Operator.objects.get(user=handler)
    response = admin_client.post(reverse("wagtail_complaints_operators:delete", args=[operator.pk]))
    assert response.status_code == 302
    assert groups(handler) == set()
    assert not User.objects.get(pk=handler.pk).has_perm("wagtail_complaints.view_complaint")


def test_operator_list(admin_client, handler):
    response = admin_client.get(reverse("wagtail_complaints_operators:index"))
    assert response.status_code == 200
    assert handler.email in response.content.decode()


def test_category_used_by_complaints_is_deactivated_not_deleted(admin_client, category):
    make_complaint(category=category)
    url = reverse("wagtail_complaints_categories:delete", args=[category.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "Deactivate" in confirm.content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_active is False


def test_unused_service_is_deleted(admin_client):
    service = Service.objects.create(name="Dermatologia")
    response = admin_client.post(reverse("wagtail_complaints_services:delete", args=[service.pk]))
    assert response.status_code == 302
    assert not Service.objects.filter(pk=service.pk).exists()


def test_service_used_by_complaints_is_deactivated(admin_client, service, category):
    make_complaint(category=category, service=service)
    admin_client.post(reverse("wagtail_complaints_services:delete", args=[service.pk]))
    service.refresh_from_db()
    assert service.is_active is False


def test_macro_category_with_children_is_deactivated(admin_client):
    parent = Category.objects.create(name="Nuova")
    Category.objects.create(name="Figlia", parent=parent)
    admin_client.post(reverse("wagtail_complaints_categories:delete", args=[parent.pk]))
    parent.refresh_from_db()
    assert parent.is_active is False


def test_answer_templates_are_managed_by_administrators(admin_client):
    response = admin_client.post(
        reverse("wagtail_complaints_answer_templates:add"),
        {"title": "Scuse per l'attesa", "body": "Ci scusiamo.", "is_active": "on"},
    )
    assert response.status_code == 302
    assert AnswerTemplate.objects.get().title == "Scuse per l'attesa"
