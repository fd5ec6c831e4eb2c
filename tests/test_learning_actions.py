"""Improvement actions in the back office: recorded from a complaint, listed with filters, read-only
for viewers, written in the complaints' history and counted in the statistics."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import Site

from wagtail_complaints.learning.models import ActionState, ImprovementAction
from wagtail_complaints.models import Category, Service

from .factories import make_complaint

ADD_URL = "wagtail_complaints_learning_actions:add"
INDEX_URL = "wagtail_complaints_learning_actions:index"


def action_data(**overrides):
    data = {
        "title": "Triage nurse in the waiting room at peak hours",
        "details": "",
        "owner": "Head of the emergency department",
        "due_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "state": ActionState.PLANNED,
        "done_on": "",
        "complaint_references": "",
        "category": "",
        "service": "",
        "site": "",
        "public_text": "",
    }
    data.update(overrides)
    return data


def make_action(**kwargs):
    kwargs.setdefault("title", "New signs to the car park")
    kwargs.setdefault("owner", "Technical office")
    kwargs.setdefault("due_date", timezone.localdate() + datetime.timedelta(days=30))
    complaints = kwargs.pop("complaints", [])
    action = ImprovementAction.objects.create(**kwargs)
    action.complaints.set(complaints)
    return action


def test_a_handler_adds_an_action_from_the_complaint_screen(client, handler, complaint):
    client.force_login(handler)
    screen = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    add_url = reverse(ADD_URL) + f"?complaint={complaint.pk}"
    assert "Learning from this complaint" in screen
    assert add_url.replace("&", "&amp;") in screen

    form = client.get(add_url)
    assert form.status_code == 200
    assert form.context["form"].initial["complaint_references"] == complaint.reference

    response = client.post(add_url, action_data(complaint_references=complaint.reference, category=complaint.category_id))

    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert list(action.complaints.all()) == [complaint] and action.created_by == handler
    # The complaint's history says so, and the action has its own audit entry.
    assert "wagtail_complaints_learning.link_action" in [e.action for e in log_registry.get_logs_for_instance(complaint)]
    assert [e.action for e in log_registry.get_logs_for_instance(action)] == ["wagtail.create"]
    screen = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert "Triage nurse in the waiting room" in screen
    assert "Linked to the improvement action" in screen


def test_bad_input_is_refused_with_a_clear_error_and_nothing_typed_is_lost(client, handler, complaint):
    client.force_login(handler)

    response = client.post(
        reverse(ADD_URL),
        action_data(complaint_references=f"{complaint.reference}, 2020-999999", state=ActionState.DONE, is_public="on"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "2020-999999" in str(errors["complaint_references"])
    assert "done" in str(errors["done_on"]).lower()
    assert "wording" in str(errors["public_text"])
    assert "Triage nurse in the waiting room at peak hours" in response.content.decode()
    assert not ImprovementAction.objects.exists()


def test_an_action_needs_complaints_or_a_category_or_a_service(client, handler, service):
    client.force_login(handler)

    refused = client.post(reverse(ADD_URL), action_data())
    assert refused.status_code == 200 and "at least one complaint" in refused.content.decode()

    accepted = client.post(reverse(ADD_URL), action_data(service=service.pk))
    assert accepted.status_code == 302 and ImprovementAction.objects.get().service == service


def test_editing_the_complaints_writes_each_history(client, handler, category, service):
    first, second = make_complaint(category=category, service=service), make_complaint(category=category, service=service)
    action = make_action(complaints=[first])
    client.force_login(handler)

    response = client.post(
        reverse("wagtail_complaints_learning_actions:edit", args=[action.pk]),
        action_data(title=action.title, complaint_references=second.reference, state=ActionState.IN_PROGRESS),
    )

    assert response.status_code == 302
    assert list(action.complaints.all()) == [second]
    assert "wagtail_complaints_learning.unlink_action" in [e.action for e in log_registry.get_logs_for_instance(first)]
    assert "wagtail_complaints_learning.link_action" in [e.action for e in log_registry.get_logs_for_instance(second)]


def test_the_list_filters_by_state_overdue_category_service_and_site(client, handler, category, service):
    other_category = Category.objects.exclude(pk=category.pk).filter(parent=None).first()
    other_service = Service.objects.create(name="Cardiologia")
    complaint = make_complaint(category=category, service=service)
    overdue = make_action(title="Overdue: new benches", due_date=timezone.localdate() - datetime.timedelta(days=3), complaints=[complaint])
    done = make_action(
        title="Done: clearer leaflet", state=ActionState.DONE, done_on=timezone.localdate(), category=other_category
    )
    elsewhere = make_action(title="Elsewhere: parking", service=other_service, site=Site.objects.create(hostname="other.example", root_page_id=Site.objects.get().root_page_id))
    client.force_login(handler)

    def titles(query):
        response = client.get(reverse(INDEX_URL) + query)
        assert response.status_code == 200
        return {action.title for action in response.context["object_list"]}

    assert titles("") == {overdue.title, done.title, elsewhere.title}
    assert titles("?state=done") == {done.title}
    assert titles("?overdue=true") == {overdue.title}
    assert titles(f"?category={category.pk}") == {overdue.title}  # through its complaint
    assert titles(f"?service={other_service.pk}") == {elsewhere.title}
    assert titles(f"?site={Site.objects.get(is_default_site=True).pk}") == {overdue.title, done.title}
    assert "overdue" in client.get(reverse(INDEX_URL)).content.decode()


def test_viewers_read_actions_but_never_change_them(client, viewer, complaint):
    action = make_action(complaints=[complaint])
    client.force_login(viewer)

    assert client.get(reverse(INDEX_URL)).status_code == 200
    inspect = client.get(reverse("wagtail_complaints_learning_actions:inspect", args=[action.pk]))
    assert inspect.status_code == 200 and complaint.reference in inspect.content.decode()
    assert client.get(reverse(ADD_URL)).status_code in (302, 403)
    assert client.post(reverse(ADD_URL), action_data(service=complaint.service_id)).status_code in (302, 403)
    edit = reverse("wagtail_complaints_learning_actions:edit", args=[action.pk])
    assert client.post(edit, action_data(title="Changed", service=complaint.service_id)).status_code in (302, 403)
    assert client.post(reverse("wagtail_complaints_learning_actions:delete", args=[action.pk])).status_code in (302, 403)
    action.refresh_from_db()
    assert action.title == "New signs to the car park" and ImprovementAction.objects.count() == 1
    screen = client.get(reverse("wagtail_complaints:inspect", args=[complaint.pk])).content.decode()
    assert action.title in screen and "Add an improvement action" not in screen


def test_people_without_a_complaints_role_see_nothing(client, db, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)

    assert client.get(reverse(INDEX_URL)).status_code in (302, 403)


@pytest.mark.django_db
def test_the_statistics_count_complaints_that_led_to_an_action_and_actions_done_on_time(client, viewer, category, service):
    from wagtail_complaints.learning.figures import action_figures
    from wagtail_complaints.stats.aggregation import Period, Statistics

    today = timezone.localdate()
    complaints = [make_complaint(category=category, service=service) for _ in range(4)]
    make_action(complaints=complaints[:2], state=ActionState.DONE, due_date=today, done_on=today)
    make_action(complaints=complaints[1:2], state=ActionState.DONE, due_date=today - datetime.timedelta(days=5), done_on=today)
    make_action(service=service, due_date=today - datetime.timedelta(days=1))

    figures = action_figures(Statistics(Period.year(today.year)))

    assert figures["complaints_with_action"] == 2 and figures["complaints_with_action_share"] == 50.0
    assert (figures["done"], figures["done_on_time"], figures["done_on_time_share"]) == (2, 1, 50.0)
    assert (figures["open_now"], figures["overdue_now"]) == (1, 1)
    client.force_login(viewer)
    screen = client.get(reverse("wagtail_complaints_stats:index") + f"?year={today.year}").content.decode()
    assert "Improvement actions" in screen and "that led to an improvement action" in screen
    export = client.get(reverse("wagtail_complaints_stats:table", args=["improvement_actions"]) + f"?year={today.year}&export=csv")
    assert export.status_code == 200 and b"Done by their due date" in b"".join(export.streaming_content)


def test_the_list_shows_due_dates_as_days(client, handler, complaint):
    from django.utils.formats import date_format

    action = make_action(complaints=[complaint], due_date=datetime.date(2031, 3, 14))
    client.force_login(handler)

    html = client.get(reverse(INDEX_URL)).content.decode()

    assert date_format(action.due_date, "SHORT_DATE_FORMAT") in html and "Just now" not in html
