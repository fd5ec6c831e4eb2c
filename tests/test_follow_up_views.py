"""The patient's private page: the link, what it shows, and every action behind it."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail_complaints import actions
from wagtail_complaints.models import Complaint, ComplaintLogEntry, ComplaintSettings, Message, MessageKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(committing_client):
    return committing_client


@pytest.fixture
def handler_user(db):
    """An operator who may handle complaints, by permission alone (no role needed)."""
    user = get_user_model().objects.create_user("urp", "urp@hospital.example", "password")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_complaint", "view_complaint", "view_personal_data", "access_admin"]
        )
    )
    return get_user_model().objects.get(pk=user.pk)


def page_url(complaint_or_token):
    token = getattr(complaint_or_token, "access_token", complaint_or_token)
    return reverse("wagtail_complaints_public:follow_up", args=[token])


def act_url(complaint, action):
    return reverse("wagtail_complaints_public:act", args=[complaint.access_token, action])


def answered(complaint, handler_user, body="Abbiamo verificato con il reparto."):
    complaint = actions.take_in_charge(complaint, handler_user)
    complaint, _ = actions.answer(complaint, handler_user, body)
    return complaint


def closed(complaint, handler_user, outcome="upheld"):
    return actions.close(answered(complaint, handler_user), handler_user, outcome)


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


# -- the page -----------------------------------------------------------------------------------


def test_page_shows_reference_state_deadline_and_public_thread_only(client, complaint, handler_user):
    complaint = answered(complaint, handler_user, body="La risposta pubblica.")
    actions.add_note(complaint, handler_user, "Nota interna riservata.")
    response = client.get(page_url(complaint))
    content = response.content.decode()
    assert response.status_code == 200
    assert complaint.reference in content
    # Named from the patient's side (issue 16): the office has answered, the patient may reply.
    assert "Answered — you can reply" in content and "Awaiting reply" not in content
    assert "read our answer below" in content or "risposta" in content
    assert complaint.answer_by.strftime("%Y") in content
    assert "La risposta pubblica." in content
    assert "Nota interna riservata." not in content
    assert 'action="%s"' % act_url(complaint, "reply") in content
    assert 'action="%s"' % act_url(complaint, "withdraw") in content
    assert act_url(complaint, "reopen") not in content
    assert act_url(complaint, "rate") not in content


def test_page_is_private_never_cached_nor_indexed(client, complaint):
    response = client.get(page_url(complaint))
    # same-origin, not no-referrer: other sites get nothing, and Chromium posts the forms with a real Origin.
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_page_explains_each_state_in_plain_words(client, complaint, handler_user):
    pending = client.get(page_url(complaint)).content.decode()
    assert "will read it soon" in pending
    complaint = actions.take_in_charge(complaint, handler_user)
    assert "looking into your complaint" in client.get(page_url(complaint)).content.decode()
    complaint = actions.close(complaint, handler_user, "upheld")
    content = client.get(page_url(complaint)).content.decode()
    assert "Your complaint is closed" in content
    assert "You can reopen your complaint here until" in content


@pytest.mark.parametrize("language, prefix", [("it", "/it"), ("en", ""), ("es", "/es")])
def test_page_in_each_language_links_the_others(client, complaint, language, prefix):
    response = client.get(f"{prefix}/complaints/{complaint.access_token}/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert f'href="/es/complaints/{complaint.access_token}/"' in response.content.decode()


# -- bad tokens ---------------------------------------------------------------------------------


def bad_tokens(complaint):
    token = complaint.access_token
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    return {
        "guessed": "0" * 64,
        "truncated": token[:32],
        "tampered": tampered,
        "extended": token + "a",
        "upper case": token.upper(),
        "nonce instead of token": complaint.access_nonce,
        "hash instead of token": complaint.access_token_hash,
        "very long": "a" * 5000,
        "not hex": "<script>alert(1)</script>",
    }


def test_bad_tokens_all_get_the_same_plain_404(client, complaint):
    bodies = set()
    for name, token in bad_tokens(complaint).items():
        for url in (
            f"/complaints/{token}/",
            f"/complaints/{token}/files/1/",
        ):
            response = client.get(url)
            assert response.status_code == 404, (name, url)
            assert complaint.reference not in response.content.decode()
            bodies.add(response.content)
        response = client.post(f"/complaints/{token}/reply/", {"reply-body": "x"})
        assert response.status_code == 404, name
    assert len(bodies) == 1
    assert not Message.objects.exists()


def test_revoked_token_404s_and_the_new_one_works(client, complaint, handler_user):
    old = complaint.access_token
    complaint = actions.reissue_link(complaint, handler_user)
    assert client.get(page_url(old)).status_code == 404
    assert client.get(page_url(complaint)).status_code == 200


def test_an_unknown_action_is_404_and_get_is_refused(client, complaint):
    assert client.post(act_url(complaint, "close"), {}).status_code == 404
    assert client.post(act_url(complaint, "take_in_charge"), {}).status_code == 404
    assert client.get(act_url(complaint, "reply")).status_code == 405
    assert fresh(complaint).status == "pending"


# -- reply --------------------------------------------------------------------------------------


def test_reply_adds_to_the_thread_keeps_the_state_and_notifies_the_handler(client, complaint, handler_user):
    complaint = answered(complaint, handler_user)
    mail.outbox.clear()
    response = client.post(act_url(complaint, "reply"), {"reply-body": "Grazie, ma nessuno mi ha chiamato."})
    assert response.status_code == 302 and response["Location"] == page_url(complaint)
    message = Message.objects.get(kind=MessageKind.COMPLAINANT_REPLY)
    assert message.body == "Grazie, ma nessuno mi ha chiamato." and message.author is None
    assert fresh(complaint).status == "awaiting_reply"
    assert [m.to for m in mail.outbox] == [[handler_user.email]]
    assert complaint.reference in mail.outbox[0].subject
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.reply")
    assert entry.user is None and entry.data["actor"] == "complainant"
    followed = client.get(response["Location"]).content.decode()
    assert "we have added your message" in followed
    assert "We have your message" in followed


def test_reply_while_pending_works(client, complaint):
    response = client.post(act_url(complaint, "reply"), {"reply-body": "Dimenticavo un dettaglio."})
    assert response.status_code == 302
    assert fresh(complaint).status == "pending"
    assert Message.objects.filter(kind=MessageKind.COMPLAINANT_REPLY).count() == 1


def test_reply_to_a_closed_complaint_is_refused(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    response = client.post(act_url(complaint, "reply"), {"reply-body": "Ancora io."}, follow=True)
    assert "This is no longer possible" in response.content.decode()
    assert not Message.objects.filter(kind=MessageKind.COMPLAINANT_REPLY).exists()
    assert fresh(complaint).status == "closed"


def test_empty_reply_shows_the_error_and_keeps_the_page(client, complaint):
    response = client.post(act_url(complaint, "reply"), {"reply-body": "   "})
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required" in content or "obbligatorio" in content
    assert complaint.reference in content
    assert not Message.objects.exists()


def test_script_in_a_reply_is_escaped_on_the_page_in_emails_and_in_the_admin(client, complaint, handler_user):
    complaint = answered(complaint, handler_user)
    mail.outbox.clear()
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(act_url(complaint, "reply"), {"reply-body": script})
    page = client.get(page_url(complaint)).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    # Issue 15: the complainant's words never travel by e-mail, escaped or not.
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>alert" not in html and "&lt;script&gt;" not in html
    assert script not in mail.outbox[0].body
    admin = Client()
    admin.force_login(handler_user)
    response = admin.get(reverse("wagtail_complaints:inspect", args=[complaint.pk]))
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


# -- reopen -------------------------------------------------------------------------------------


def test_reopen_within_the_window_goes_back_to_awaiting_reply(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    mail.outbox.clear()
    response = client.post(act_url(complaint, "reopen"), {"reopen-reason": "Il problema non è risolto."})
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.status == "awaiting_reply" and complaint.reopen_count == 1 and complaint.closed_at is None
    assert Message.objects.get(kind=MessageKind.REOPEN_REASON).body == "Il problema non è risolto."
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.reopen")
    assert entry.data["actor"] == "complainant" and entry.data["from"] == "closed" and entry.data["to"] == "awaiting_reply"
    assert [m.to for m in mail.outbox] == [[handler_user.email]]
    assert "reopened" in mail.outbox[0].subject


def test_reopen_after_the_window_is_refused(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    Complaint.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    assert act_url(complaint, "reopen") not in client.get(page_url(complaint)).content.decode()
    response = client.post(act_url(complaint, "reopen"), {"reopen-reason": "Troppo tardi?"}, follow=True)
    assert "This is no longer possible" in response.content.decode()
    assert fresh(complaint).status == "closed"
    assert not Message.objects.filter(kind=MessageKind.REOPEN_REASON).exists()


def test_reopen_window_is_a_site_setting(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    settings = ComplaintSettings.for_site(complaint.site)
    settings.reopen_within_days = 0
    settings.save()
    response = client.post(act_url(complaint, "reopen"), {"reopen-reason": "Vorrei riaprire."})
    assert response.status_code == 302
    assert fresh(complaint).status == "closed"


def test_reopen_needs_a_reason(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    response = client.post(act_url(complaint, "reopen"), {"reopen-reason": ""})
    assert response.status_code == 400
    assert fresh(complaint).status == "closed"


# -- rate ---------------------------------------------------------------------------------------


def test_rate_once_when_closed(client, complaint, handler_user):
    complaint = closed(complaint, handler_user)
    response = client.post(act_url(complaint, "rate"), {"rate-rating": "4", "rate-comment": "Gentili."})
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert (complaint.rating, complaint.rating_comment) == (4, "Gentili.")
    assert complaint.rated_at is not None
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.rate")
    assert entry.data == {"actor": "complainant", "rating": 4}
    page = client.get(page_url(complaint)).content.decode()
    assert act_url(complaint, "rate") not in page
    assert "4 out of 5" in page

    again = client.post(act_url(complaint, "rate"), {"rate-rating": "1"}, follow=True)
    assert "This is no longer possible" in again.content.decode()
    assert fresh(complaint).rating == 4
    assert ComplaintLogEntry.objects.filter(action="wagtail_complaints.rate").count() == 1


@pytest.mark.parametrize("rating", ["0", "6", "-1", "3.5", "five", ""])
def test_rating_outside_1_to_5_is_refused(client, complaint, handler_user, rating):
    complaint = closed(complaint, handler_user)
    response = client.post(act_url(complaint, "rate"), {"rate-rating": rating})
    assert response.status_code == 400
    assert fresh(complaint).rated_at is None


def test_rating_an_open_or_withdrawn_complaint_is_refused(client, complaint, handler_user):
    client.post(act_url(complaint, "rate"), {"rate-rating": "5"})
    assert fresh(complaint).rated_at is None
    actions.withdraw(complaint, actions.COMPLAINANT)
    client.post(act_url(complaint, "rate"), {"rate-rating": "5"})
    assert fresh(complaint).rated_at is None


def test_rate_action_refuses_bad_ratings_on_its_own(complaint, handler_user):
    complaint = closed(complaint, handler_user)
    for rating in (0, 6):
        with pytest.raises(actions.workflow.TransitionNotAllowed):
            actions.rate(complaint, rating)


# -- withdraw -----------------------------------------------------------------------------------


def test_withdraw_needs_confirmation_then_closes_as_withdrawn(client, complaint, handler_user):
    complaint = actions.take_in_charge(complaint, handler_user)
    response = client.post(act_url(complaint, "withdraw"), {"withdraw-reason": "Risolto."})
    assert response.status_code == 400
    assert fresh(complaint).status == "taken_in_charge"
    mail.outbox.clear()
    response = client.post(act_url(complaint, "withdraw"), {"withdraw-reason": "Risolto.", "withdraw-confirm": "on"})
    assert response.status_code == 302
    complaint = fresh(complaint)
    assert complaint.status == "closed" and complaint.outcome == "withdrawn"
    assert [m.to for m in mail.outbox] == [[handler_user.email]]
    assert "Risolto." not in mail.outbox[0].body  # issue 15: read in the admin, not by e-mail
    assert act_url(complaint, "rate") not in client.get(page_url(complaint)).content.decode()


# -- CSRF and rate limit ------------------------------------------------------------------------


def test_posts_without_csrf_token_are_refused(complaint):
    client = Client(enforce_csrf_checks=True)
    for action, data in [
        ("reply", {"reply-body": "Senza token"}),
        ("withdraw", {"withdraw-confirm": "on"}),
    ]:
        assert client.post(act_url(complaint, action), data).status_code == 403
    assert not Message.objects.exists()
    assert fresh(complaint).status == "pending"


def test_posts_with_the_page_csrf_token_work(complaint):
    client = Client(enforce_csrf_checks=True)
    client.get(page_url(complaint))
    token = client.cookies["csrftoken"].value
    response = client.post(act_url(complaint, "reply"), {"reply-body": "Con token", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Message.objects.get().body == "Con token"


@override_settings(WAGTAIL_COMPLAINTS_UNKNOWN_LINK_RATE="5/m")
def test_rapid_requests_hit_the_rate_limit_even_when_guessing(client, complaint):
    # Guessing is counted by the links that open nothing (the per-link limit: test_security.py).
    for _ in range(5):
        assert client.get(page_url("0" * 64)).status_code == 404
    response = client.get(page_url(complaint))
    assert response.status_code == 429
    assert complaint.reference not in response.content.decode()
    assert client.post(act_url(complaint, "reply"), {"reply-body": "x"}).status_code == 429
    assert not Message.objects.exists()
    other_ip = client.get(page_url(complaint), REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_page_query_count_does_not_grow_with_the_thread(client, complaint, django_assert_max_num_queries):
    for n in range(15):
        actions.reply(complaint, f"Messaggio {n}")
    client.get(page_url(complaint))  # warm the site-settings cache
    with django_assert_max_num_queries(8):
        assert client.get(page_url(complaint)).status_code == 200
