"""Wagtail's *Reports → Site history* keeps to the hospitals a user works on.

Complaints log into their own table (`ComplaintLogEntry`), whose `viewable_by_user` keeps the
entries of the user's sites; Site history, its results, filters and exports read only those.
"""

import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry, Site

from wagtail_complaints import actions
from wagtail_complaints.learning.models import ImprovementAction, ImprovementActionLogEntry
from wagtail_complaints.models import Complaint, ComplaintLogEntry

from .factories import make_complaint
from .test_learning_actions import make_action
from .test_multi_site import hospitals, operator_of  # noqa: F401  (the two-hospital fixture)

pytestmark = pytest.mark.django_db

SITE_HISTORY = reverse("wagtailadmin_reports:site_history")
SITE_HISTORY_RESULTS = reverse("wagtailadmin_reports:site_history_results")


@pytest.fixture
def two_offices(hospitals, category, service):  # noqa: F811
    san_luca, santa_maria = hospitals
    handler_a = operator_of("handler", san_luca, username="gianna.sanluca")
    handler_b = operator_of("handler", santa_maria, username="bruno.santamaria")
    ours = make_complaint(site=san_luca, category=category, service=service, reference_prefix="SL-")
    theirs = make_complaint(site=santa_maria, category=category, service=service, reference_prefix="SM-")
    actions.take_in_charge(ours, handler_a)
    actions.take_in_charge(theirs, handler_b)
    actions.add_note(theirs, handler_b, "Nota interna di Santa Maria")
    return {"san_luca": san_luca, "santa_maria": santa_maria, "ours": ours, "theirs": theirs, "handler_b": handler_b}


def site_history_texts(client):
    """What a user reads in Site history: the page, its results, filtered views and both exports."""
    complaint_type = ContentType.objects.get_for_model(Complaint).pk
    texts = {}
    for url in (
        SITE_HISTORY,
        SITE_HISTORY_RESULTS,
        f"{SITE_HISTORY}?object_type={complaint_type}",
        f"{SITE_HISTORY_RESULTS}?action=wagtail_complaints.take_in_charge",
        f"{SITE_HISTORY}?label=SM-",
        f"{SITE_HISTORY}?export=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    response = client.get(f"{SITE_HISTORY}?export=xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    texts["xlsx"] = " ".join(str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row)
    return texts


def test_complaint_history_has_its_own_log_table(two_offices):
    ours = two_offices["ours"]
    assert log_registry.get_log_model_for_instance(ours) is ComplaintLogEntry
    assert not ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Complaint)).exists()
    entry = log(ours, actions.LOG_ACTIONS["view"], user=None)
    assert isinstance(entry, ComplaintLogEntry) and entry.complaint_id == ours.pk and entry.object_id == str(ours.pk)
    assert entry.label == ours.reference
    assert set(log_registry.get_logs_for_instance(ours)) == set(ComplaintLogEntry.objects.filter(complaint=ours))


@pytest.mark.parametrize("role", ["handler", "viewer", "administrator"])
def test_hospital_a_reads_only_its_own_complaints_in_site_history(client, two_offices, role):
    client.force_login(operator_of(role, two_offices["san_luca"]))
    texts = site_history_texts(client)
    theirs, ours = two_offices["theirs"].reference, two_offices["ours"].reference
    for where, text in texts.items():
        assert theirs not in text, where
        assert "bruno.santamaria" not in text, where  # not even in the user filter's choices
    for where in (SITE_HISTORY, SITE_HISTORY_RESULTS, f"{SITE_HISTORY}?export=csv", "xlsx"):
        assert ours in texts[where], where


def test_hospital_b_and_the_authority_read_theirs(client, two_offices):
    theirs, ours = two_offices["theirs"].reference, two_offices["ours"].reference
    client.force_login(two_offices["handler_b"])
    page = client.get(SITE_HISTORY).content.decode()
    assert theirs in page and ours not in page
    for authority in (operator_of("viewer"), operator_of("viewer", two_offices["san_luca"], two_offices["santa_maria"])):
        client.force_login(authority)
        texts = site_history_texts(client)
        assert theirs in texts[SITE_HISTORY] and ours in texts[SITE_HISTORY]
        assert theirs in texts[f"{SITE_HISTORY}?export=csv"] and ours in texts["xlsx"]
        assert theirs in texts[f"{SITE_HISTORY}?label=SM-"] and ours not in texts[f"{SITE_HISTORY}?label=SM-"]


def test_improvement_actions_of_another_hospital_stay_out_of_site_history(client, two_offices):
    ours = make_action(title="Segnaletica del parcheggio di San Luca", site=two_offices["san_luca"])
    theirs = make_action(title="Turni in radiologia a Santa Maria", site=two_offices["santa_maria"])
    everyone = make_action(title="Carta dei servizi aziendale")
    for action in (ours, theirs, everyone):
        log(action, "wagtail.create", user=two_offices["handler_b"])
    assert log_registry.get_log_model_for_instance(theirs) is ImprovementActionLogEntry
    assert set(log_registry.get_logs_for_instance(theirs).values_list("improvement_action_id", flat=True)) == {theirs.pk}
    assert not ModelLogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ImprovementAction)).exists()

    client.force_login(operator_of("handler", two_offices["san_luca"]))
    texts = site_history_texts(client)
    for where in (SITE_HISTORY, f"{SITE_HISTORY}?export=csv", "xlsx"):
        assert theirs.title not in texts[where], where
        assert ours.title in texts[where] and everyone.title in texts[where], where
    client.force_login(operator_of("viewer"))
    assert theirs.title in client.get(SITE_HISTORY).content.decode()


def test_the_narrowing_is_one_query_not_a_list_of_ids(two_offices, django_assert_num_queries):
    user = operator_of("handler", two_offices["san_luca"])
    ComplaintLogEntry.objects.viewable_by_user(user)  # reads the user's sites and permissions once
    with django_assert_num_queries(1):
        entries = list(ComplaintLogEntry.objects.viewable_by_user(user))
    assert {entry.complaint_id for entry in entries} == {two_offices["ours"].pk}


def test_the_history_outlives_a_deleted_complaint(two_offices):
    theirs = two_offices["theirs"]
    entries = ComplaintLogEntry.objects.filter(complaint_id=theirs.pk).count()
    Complaint.objects.filter(pk=theirs.pk).delete()
    assert entries and ComplaintLogEntry.objects.filter(complaint_id=theirs.pk).count() == entries


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upgrading_moves_complaint_entries_out_of_the_generic_log_and_back(category, service):
    """An installation logged before this change keeps every entry (who, when, what), in the new table."""
    complaint = make_complaint(site=Site.objects.get(is_default_site=True), category=category, service=service)
    user = operator_of("handler")
    before = [("wagtail_complaints", "0017_statistics_rollups"), ("wagtail_complaints_learning", "0001_initial")]
    executor = MigrationExecutor(connection)
    after = executor.loader.graph.leaf_nodes("wagtail_complaints") + executor.loader.graph.leaf_nodes("wagtail_complaints_learning")
    action = make_action(title="Segnaletica")
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        old_log = old_apps.get_model("wagtailcore", "ModelLogEntry")
        content_type = ContentType.objects.get_for_model(Complaint)
        old_log.objects.create(
            content_type_id=content_type.pk, object_id=str(complaint.pk), label=complaint.reference,
            action="wagtail_complaints.take_in_charge", data={"from": "pending"}, timestamp="2026-03-02T09:00:00Z",
            user_id=user.pk, uuid="5b0f6f5e-7d1c-4d8e-9d0b-2f8a8f0d7c11",
        )
        operator_type = ContentType.objects.get(app_label="wagtail_complaints", model="operator")
        old_log.objects.create(
            content_type_id=operator_type.pk, object_id="7", label="gianna", action="wagtail.create",
            timestamp="2026-03-01T09:00:00Z",
        )
        action_type = ContentType.objects.get_for_model(ImprovementAction)
        old_log.objects.create(
            content_type_id=action_type.pk, object_id=str(action.pk), label=action.title, action="wagtail.create",
            timestamp="2026-03-03T09:00:00Z", user_id=user.pk,
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        (moved,) = ComplaintLogEntry.objects.filter(action="wagtail_complaints.take_in_charge")
        assert (moved.complaint_id, moved.user_id, moved.label, moved.data) == (complaint.pk, user.pk, complaint.reference, {"from": "pending"})
        assert (moved.timestamp.isoformat(), str(moved.uuid)) == ("2026-03-02T09:00:00+00:00", "5b0f6f5e-7d1c-4d8e-9d0b-2f8a8f0d7c11")
        assert list(ModelLogEntry.objects.values_list("object_id", flat=True)) == ["7"]  # other models stay
        (moved_action,) = ImprovementActionLogEntry.objects.all()
        assert (moved_action.improvement_action_id, moved_action.user_id, moved_action.label) == (action.pk, user.pk, action.title)

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        old_log = old_apps.get_model("wagtailcore", "ModelLogEntry")
        back = old_log.objects.get(action="wagtail_complaints.take_in_charge")
        assert sorted(old_log.objects.values_list("content_type_id", "object_id")) == sorted(
            [(operator_type.pk, "7"), (content_type.pk, str(complaint.pk)), (action_type.pk, str(action.pk))]
        )
        assert (back.object_id, back.user_id, str(back.uuid)) == (str(complaint.pk), user.pk, "5b0f6f5e-7d1c-4d8e-9d0b-2f8a8f0d7c11")
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_an_editor_without_a_complaints_role_reads_no_complaint_or_action_history(client, two_offices, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user(username="redattrice", password="password")
    editor.groups.add(Group.objects.get(name="Editors"))
    action = make_action(title="Turni in radiologia a Santa Maria", site=two_offices["santa_maria"])
    log(action, "wagtail.create", user=two_offices["handler_b"])
    client.force_login(editor)
    texts = site_history_texts(client)
    for where, text in texts.items():
        assert two_offices["ours"].reference not in text and two_offices["theirs"].reference not in text, where
        assert action.title not in text, where
