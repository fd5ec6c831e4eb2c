"""Related and duplicate complaints, through the complaint screen: linking by reference (both
directions shown), unlinking, duplicates closing with their original's outcome through the fsm,
the complainant told in their language, and the statistics counting a duplicate once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints import actions, workflow
from wagtail_complaints.models import ComplaintLogEntry, Email, Outcome
from wagtail_complaints.stats.aggregation import Period, Statistics
from wagtail_complaints.workflow import Status

from .factories import make_complaint
from .test_backoffice_permissions import denied
from .test_backoffice_complaint import client, flashed, fresh, inspect_url, logged_in, transition_url  # noqa: F401

pytestmark = pytest.mark.django_db


def links_url(complaint, change):
    return reverse("wagtail_complaints:links", args=[complaint.pk, change])


def link(client, complaint, other_reference, kind):
    return client.post(links_url(complaint, "add"), {"reference": other_reference, "kind": kind})


def logged_actions(complaint, action):
    return ComplaintLogEntry.objects.filter(complaint_id=complaint.pk, action=f"wagtail_complaints.{action}")


@pytest.fixture
def pair(category, service):
    first = make_complaint(category=category, service=service, email="anna@example.com", first_name="Anna")
    second = make_complaint(category=category, service=service, email="luca@example.com", first_name="Luca")
    return first, second


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


# -- related --------------------------------------------------------------------------------------


def test_related_link_shows_on_both_screens_with_links(client, handler, pair):
    first, second = pair
    response = link(logged_in(client, handler), first, second.reference, "related")
    assert response.status_code == 302
    assert f"Linked as related to {second.reference}" in flashed(response)

    for here, there in ((first, second), (second, first)):
        page = client.get(inspect_url(here)).content.decode()
        assert f'<a href="{inspect_url(there)}">{there.reference}</a>' in page
        assert logged_actions(here, "link_related").get().data["other"] == there.reference


def test_a_reference_typed_in_lower_case_or_with_spaces_is_found(client, handler, pair):
    first, second = pair
    second.reference = "URP-2026-000777"
    second.save(update_fields=["reference"])
    link(logged_in(client, handler), first, "  urp-2026-000777 ", "related")
    assert list(fresh(first).related.all()) == [second]


def test_unlinking_a_related_complaint_removes_both_directions(client, handler, pair):
    first, second = pair
    link(logged_in(client, handler), first, second.reference, "related")
    response = client.post(links_url(second, "remove_related"), {"other": first.pk})
    assert response.status_code == 302
    assert not fresh(first).related.exists() and not fresh(second).related.exists()
    assert logged_actions(first, "unlink_related").exists() and logged_actions(second, "unlink_related").exists()


def test_unlinking_what_is_not_linked_or_an_unknown_complaint(client, handler, pair):
    first, second = pair
    logged_in(client, handler)
    response = client.post(links_url(first, "remove_related"), {"other": second.pk})
    assert "is not linked" in flashed(response)
    assert client.post(links_url(first, "remove_related"), {"other": "999999"}).status_code == 404
    assert client.post(links_url(first, "remove_related"), {"other": "x"}).status_code == 404


@pytest.mark.parametrize("reference", ["2099-999999", "", "x" * 200])
def test_unknown_reference_is_refused_and_keeps_what_was_typed(client, handler, pair, reference):
    first, _second = pair
    response = link(logged_in(client, handler), first, reference, "duplicate")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No complaint has this reference" in page or "This field is required." in page or "at most 40" in page
    if reference and len(reference) <= 40:
        assert f'value="{reference}"' in page
    assert not fresh(first).related.exists() and fresh(first).duplicate_of is None


def test_a_complaint_cannot_be_linked_to_itself(client, handler, pair):
    first, _second = pair
    for kind in ("related", "duplicate"):
        response = link(logged_in(client, handler), first, first.reference, kind)
        assert response.status_code == 200
        assert "cannot be linked to itself" in response.content.decode()
    assert fresh(first).duplicate_of is None and not fresh(first).related.exists()


def test_linking_twice_as_related_is_refused(client, handler, pair):
    first, second = pair
    link(logged_in(client, handler), first, second.reference, "related")
    response = link(client, second, first.reference, "related")
    assert "already linked as related" in response.content.decode()
    assert logged_actions(first, "link_related").count() == 1


def test_another_sites_complaint_cannot_be_linked(client, handler, pair, category, service):
    first, _second = pair
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=Page.objects.get(depth=1), site_name="Other")
    elsewhere = make_complaint(category=category, service=service, site=other_site)
    response = link(logged_in(client, handler), first, elsewhere.reference, "duplicate")
    assert response.status_code == 200
    assert "filed with another site" in response.content.decode()
    assert fresh(first).duplicate_of is None


def test_viewers_see_links_but_cannot_link(client, handler, viewer, pair):
    first, second = pair
    link(logged_in(client, handler), first, second.reference, "related")
    logged_in(client, viewer)
    page = client.get(inspect_url(first)).content.decode()
    assert second.reference in page
    assert "Link another complaint" not in page and "Unlink" not in page
    third = make_complaint()
    response = link(client, first, third.reference, "related")
    assert denied(response)
    assert list(fresh(first).related.all()) == [second]
    assert denied(client.post(links_url(first, "remove_related"), {"other": second.pk}))
    assert denied(client.post(links_url(first, "remove_duplicate")))
    assert list(fresh(first).related.all()) == [second]


def test_linking_is_post_only(client, handler, pair):
    first, _second = pair
    logged_in(client, handler)
    assert client.get(links_url(first, "add")).status_code == 405
    assert client.post(links_url(first, "merge"), {}).status_code == 404


# -- duplicates -----------------------------------------------------------------------------------


def test_duplicate_of_an_open_original_waits_and_its_complainant_is_told(client, handler, pair):
    original, duplicate = pair
    logged_in(client, handler).get(inspect_url(duplicate))
    mail.outbox.clear()

    response = link(client, duplicate, original.reference, "duplicate")

    assert "it will close with that complaint" in flashed(response)
    duplicate = fresh(duplicate)
    assert duplicate.duplicate_of == original and duplicate.status == Status.TAKEN_IN_CHARGE
    [message] = emails_to("luca@example.com")
    assert "handled together with another one" in message.subject
    assert "When we close the other complaint, we will close yours with the same outcome" in message.body
    # The other complaint is someone else's: not named to this complainant.
    assert original.reference not in message.body and "Anna" not in message.body
    assert not emails_to("anna@example.com")
    page = client.get(inspect_url(duplicate)).content.decode()
    assert f'A duplicate of <a href="{inspect_url(original)}">{original.reference}</a>' in page
    page = client.get(inspect_url(original)).content.decode()
    assert "Its duplicates" in page and f'<a href="{inspect_url(duplicate)}">{duplicate.reference}</a>' in page
    assert logged_actions(original, "mark_duplicate").get().data["role"] == "original"


def test_closing_the_original_closes_its_duplicates_with_its_outcome(client, handler, pair):
    original, duplicate = pair
    logged_in(client, handler).get(inspect_url(original))
    link(client, duplicate, original.reference, "duplicate")
    mail.outbox.clear()

    client.post(transition_url(original, "close"), {"close-expected_status": "taken_in_charge", "close-outcome": "partly_upheld"})

    original, duplicate = fresh(original), fresh(duplicate)
    assert original.status == duplicate.status == Status.CLOSED
    assert duplicate.outcome == Outcome.PARTLY_UPHELD and duplicate.closed_at is not None
    entry = logged_actions(duplicate, "close_as_duplicate").get()
    assert entry.data == {"outcome": "partly_upheld", "other": original.reference, "from": "pending", "to": "closed"}
    assert entry.user == handler
    [message] = emails_to("luca@example.com")
    assert "has been closed" in message.subject
    assert "we looked into the two together" in message.body and "Partly upheld" in message.body
    assert len(emails_to("anna@example.com")) == 1  # the original's own closing e-mail


def test_duplicate_of_a_closed_original_closes_at_once(client, handler, pair):
    original, duplicate = pair
    actions.take_in_charge(original, handler)
    actions.close(fresh(original), handler, Outcome.NOT_UPHELD)
    actions.take_in_charge(duplicate, handler)
    mail.outbox.clear()

    response = link(logged_in(client, handler), duplicate, original.reference, "duplicate")

    assert "and closed with its outcome" in flashed(response)
    duplicate = fresh(duplicate)
    assert duplicate.status == Status.CLOSED and duplicate.outcome == Outcome.NOT_UPHELD
    [message] = emails_to("luca@example.com")
    assert "Not upheld" in message.body
    assert Email.objects.filter(complaint=duplicate, event="closed_as_duplicate").count() == 1


def test_the_duplicate_email_is_in_the_complainants_language(client, handler, category, service):
    original = make_complaint(category=category, service=service)
    duplicate = make_complaint(category=category, service=service, language="it", email="giulia@example.com")
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    email = Email.objects.get(complaint=duplicate, event="marked_duplicate")
    assert email.language == "it" and email.template == "complainant/marked_duplicate"


def test_no_chains_and_no_cycles_of_duplicates(client, handler, category, service):
    a, b, c = (make_complaint(category=category, service=service) for _ in range(3))
    logged_in(client, handler)
    link(client, b, a.reference, "duplicate")

    # A duplicate of a duplicate would be a chain: the handler is pointed to the original.
    response = link(client, c, b.reference, "duplicate")
    assert f"is itself a duplicate of {a.reference}" in response.content.decode()
    # The original cannot become a duplicate of its own duplicate (a cycle) ...
    response = link(client, a, b.reference, "duplicate")
    assert response.status_code == 200
    # ... nor of another complaint while it has duplicates.
    response = link(client, a, c.reference, "duplicate")
    assert "Other complaints are marked as duplicates of this one" in response.content.decode()
    # And a duplicate is a duplicate of one original only.
    response = link(client, b, c.reference, "duplicate")
    assert "already marked as a duplicate" in response.content.decode()
    assert fresh(a).duplicate_of is None and fresh(c).duplicate_of is None and fresh(b).duplicate_of == a


def test_a_closed_complaint_or_a_withdrawn_original_cannot_be_used(client, handler, pair, category, service):
    original, duplicate = pair
    actions.take_in_charge(duplicate, handler)
    actions.close(fresh(duplicate), handler, Outcome.UPHELD)
    response = link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    assert "Only an open complaint can be marked as a duplicate" in response.content.decode()

    withdrawn = make_complaint(category=category, service=service)
    actions.withdraw(withdrawn, workflow.COMPLAINANT)
    response = link(client, original, withdrawn.reference, "duplicate")
    assert "was withdrawn by its complainant" in response.content.decode()
    assert fresh(original).duplicate_of is None


def test_withdrawing_the_original_releases_its_duplicates(client, handler, pair):
    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    actions.withdraw(fresh(original), workflow.COMPLAINANT)
    duplicate = fresh(duplicate)
    assert duplicate.duplicate_of is None and duplicate.is_open
    assert logged_actions(duplicate, "unmark_duplicate").get().data["reason"] == "original_withdrawn"


def test_unmarking_a_waiting_duplicate(client, handler, pair):
    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    response = client.post(links_url(duplicate, "remove_duplicate"))
    assert "handled on its own" in flashed(response)
    assert fresh(duplicate).duplicate_of is None
    assert logged_actions(duplicate, "unmark_duplicate").exists()
    assert logged_actions(original, "unmark_duplicate").exists()
    # Nothing left to unmark.
    response = client.post(links_url(duplicate, "remove_duplicate"))
    assert "Only a duplicate still waiting" in flashed(response)


def test_a_closed_duplicate_cannot_be_unmarked_but_reopening_makes_it_a_complaint_of_its_own(client, handler, pair):
    original, duplicate = pair
    actions.take_in_charge(original, handler)
    actions.close(fresh(original), handler, Outcome.UPHELD)
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    response = client.post(links_url(duplicate, "remove_duplicate"))
    assert "Only a duplicate still waiting" in flashed(response)
    assert fresh(duplicate).duplicate_of == original

    actions.reopen(fresh(duplicate), workflow.COMPLAINANT, "The answer does not cover my case.")

    duplicate = fresh(duplicate)
    assert duplicate.status == Status.AWAITING_REPLY and duplicate.duplicate_of is None
    assert logged_actions(duplicate, "unmark_duplicate").get().data["reason"] == "reopened"
    page = client.get(inspect_url(duplicate)).content.decode()
    assert "(reopened: this complaint is handled on its own)" in page


def test_close_as_duplicate_is_not_offered_as_a_button_and_cannot_be_posted(client, handler, pair):
    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    page = client.get(inspect_url(duplicate)).content.decode()
    assert "close_as_duplicate" not in page
    assert client.post(transition_url(duplicate, "close_as_duplicate"), {}).status_code == 404
    # And the fsm refuses it while the original is open.
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.fire(fresh(duplicate), "close_as_duplicate", handler)


def test_a_waiting_duplicate_is_never_overdue_nor_reminded(handler, pair):
    original, duplicate = pair
    actions.mark_duplicate(duplicate, handler, original)
    past = timezone.localdate() - datetime.timedelta(days=3)
    type(original).objects.filter(pk__in=[original.pk, duplicate.pk]).update(answer_by=past)
    overdue = set(type(original).objects.overdue())
    assert overdue == {fresh(original)}
    assert not fresh(duplicate).is_overdue
    from wagtail_complaints.reminders import due_complaints

    assert fresh(duplicate) not in list(due_complaints(timezone.localdate()))


def test_inbox_marks_and_filters_duplicates(client, handler, pair):
    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    client.get(inspect_url(duplicate))  # shows (and so clears) the confirmation naming the original
    page = client.get(reverse("wagtail_complaints:index"), {"duplicate": "true"}).content.decode()
    assert duplicate.reference in page and original.reference not in page
    assert "wc-duplicate" in page


def test_statistics_count_a_duplicate_once(client, handler, pair):
    original, duplicate = pair
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    before = Statistics(period).summary()["current"]["received"]

    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    actions.take_in_charge(original, handler)
    actions.close(fresh(original), handler, Outcome.UPHELD)

    statistics = Statistics(period)
    summary = statistics.summary()["current"]
    assert summary["received"] == before - 1
    assert summary["closed"] == 1
    assert dict((value, n) for value, _label, n in statistics.closed_by_outcome())["upheld"] == 1
    assert statistics.safety_and_duplicates()["duplicates"] == 1
    page = client.get(reverse("wagtail_complaints_stats:index"), {"year": today.year, "month": today.month}).content.decode()
    assert "1 duplicate received in the period is left out of every figure" in page
    assert "Duplicates, left out of the other figures (received in the period)" in page


def test_the_patients_private_page_says_the_duplicate_is_handled_together(client, handler, pair):
    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    client.logout()
    page = client.get(reverse("wagtail_complaints_public:follow_up", args=[fresh(duplicate).access_token]))
    text = page.content.decode()
    assert "we are handling the two together" in text
    assert original.reference not in text and "Anna" not in text

    actions.take_in_charge(original, handler)
    actions.close(fresh(original), handler, Outcome.UPHELD)
    text = client.get(reverse("wagtail_complaints_public:follow_up", args=[fresh(duplicate).access_token])).content.decode()
    assert "closed them with the same outcome" in text and "Upheld" in text


def test_the_inbox_export_names_the_original_and_the_safety_flag(client, handler, pair):
    import csv
    import io

    original, duplicate = pair
    link(logged_in(client, handler), duplicate, original.reference, "duplicate")
    client.post(reverse("wagtail_complaints:safety", args=[original.pk, "flag"]))
    response = client.get(reverse("wagtail_complaints:index"), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[0]
    by_reference = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert by_reference[duplicate.reference]["Duplicate of"] == original.reference
    assert by_reference[original.reference]["Duplicate of"] == ""
    assert by_reference[original.reference]["Flagged as a possible patient-safety incident"]
    assert not by_reference[duplicate.reference]["Flagged as a possible patient-safety incident"]
