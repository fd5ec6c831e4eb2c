"""E-mails about a complaint: who gets which, the private link in each, safe subjects, the outbox
record operators see, the privacy setting, failures kept and retried, and re-issuing the link."""

import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from wagtail_complaints import actions, links, notifications
from wagtail_complaints.models import Complaint, ComplaintLogEntry, ComplaintSettings, Email, EmailStatus, Message
from wagtail_complaints.workflow import COMPLAINANT

from .factories import make_complaint

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def user_with(*codenames, username):
    user = get_user_model().objects.create_user(username, f"{username}@hospital.example", "password")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def handler_user(db):
    return user_with("change_complaint", "view_complaint", "view_personal_data", "access_admin", username="urp")


@pytest.fixture
def viewer_user(db):
    return user_with("view_complaint", "access_admin", username="asl")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the e-mails queued inside the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def reply_url(complaint):
    return reverse("wagtail_complaints_public:act", args=[complaint.access_token, "reply"])


def template_exists(name):
    try:
        get_template(f"wagtail_complaints/emails/{name}.txt")
    except TemplateDoesNotExist:
        return False
    return True


COMPLAINANT_TEMPLATES = sorted(
    {template for rules in notifications.EVENTS.values() for who, template in rules if who is notifications.complainant}
)


# -- the one table ------------------------------------------------------------------------------


def test_the_follow_up_events_are_declared_in_the_one_table():
    events = notifications.EVENTS
    assert (notifications.complainant, "complainant/link_reissued") in events["link_reissued"]
    for event in ("reopened", "complainant_replied", "withdrawn"):
        assert (notifications.assigned_handler, f"operator/{event}") in events[event]


@pytest.mark.parametrize("template", COMPLAINANT_TEMPLATES)
def test_every_complainant_email_carries_the_private_link(complaint, template):
    if not template_exists(template):
        pytest.skip(f"{template} is written by another issue")
    email = Email.objects.create(complaint=complaint, event="test", template=template, recipient=complaint.email, language="it")
    message = notifications.render(email)
    link = links.follow_up_url(complaint)
    assert complaint.access_token in link
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert complaint.reference in message.subject


@pytest.mark.parametrize("language, prefix", [("it", "/it/complaints/"), ("en", "/complaints/"), ("es", "/es/complaints/")])
def test_the_link_opens_the_page_in_the_patients_language(complaint, language, prefix):
    complaint.language = language
    assert links.follow_up_url(complaint) == f"{complaint.site.root_url}{prefix}{complaint.access_token}/"


# -- follow-up events ---------------------------------------------------------------------------


def test_a_reply_emails_the_assigned_handler_or_else_the_flagged_operators(client, complaint, handler_user, commit):
    from .factories import make_operator

    flagged = make_operator("handler", notify_on_new=True).user
    with commit():
        client.post(reply_url(complaint), {"reply-body": "Nessuno in carico ancora."})
    assert [m.to for m in mail.outbox] == [[flagged.email]]
    mail.outbox.clear()
    complaint = actions.take_in_charge(complaint, handler_user)
    with commit():
        client.post(reply_url(complaint), {"reply-body": "Ora c'è qualcuno."})
    assert [m.to for m in mail.outbox] == [[handler_user.email]]
    email = Email.objects.filter(event="complainant_replied").last()
    assert (email.recipient, email.template, email.status, email.attempts) == (
        handler_user.email,
        "operator/complainant_replied",
        EmailStatus.SENT,
        1,
    )
    assert email.sent_at is not None


def test_subjects_carry_the_reference_and_survive_injected_newlines(client, handler_user, commit):
    complaint = make_complaint(first_name="Maria\r\nBcc: evil@example.com", last_name="Rossi\nX-Injected: 1")
    Complaint.objects.filter(pk=complaint.pk).update(reference="2026-1\r\nBcc: evil@example.com")
    complaint = Complaint.objects.get(pk=complaint.pk)
    with commit():
        notifications.notify("received", complaint)
        notifications.notify("link_reissued", complaint)
        complaint = actions.assign(complaint, handler_user, handler_user)
        actions.reply(complaint, "Risposta\r\nBcc: evil@example.com")
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "2026-1 Bcc: evil@example.com" in message.subject  # one line, still readable
        headers = message.message().as_string().split("\n\n", 1)[0]
        assert "\nBcc:" not in headers and "X-Injected" not in headers
        assert message.bcc == [] and message.to in ([complaint.email], [handler_user.email])
    assert not Email.objects.exclude(status=EmailStatus.SENT).exists()


def test_reissued_link_email_says_the_old_link_is_dead(complaint, handler_user, commit):
    old_link = links.follow_up_url(complaint)
    with commit():
        complaint = actions.reissue_link(complaint, handler_user)
    (message,) = mail.outbox
    assert message.to == [complaint.email]
    assert links.follow_up_url(complaint) in message.body
    assert old_link not in message.body
    assert "The old link no longer works" in message.body


# -- privacy setting ----------------------------------------------------------------------------


def test_answers_in_email_off_keeps_texts_out_of_emails(client, complaint, handler_user, commit):
    office = ComplaintSettings.for_site(complaint.site)
    office.answers_in_email = False
    office.save()
    complaint = actions.take_in_charge(complaint, handler_user)
    mail.outbox.clear()
    with commit():
        client.post(reply_url(complaint), {"reply-body": "Ho una diagnosi di diabete."})
        if template_exists("complainant/answered"):
            actions.answer(complaint, handler_user, "Il referto diabetologico è pronto.")
    assert mail.outbox
    for message in mail.outbox:
        assert "diabete" not in message.body and "diabete" not in message.alternatives[0][0]
        assert "diabetologico" not in message.body and "diabetologico" not in message.alternatives[0][0]


def test_answers_in_email_on_carries_the_office_answer_escaped_never_the_reply(client, complaint, handler_user, commit):
    # Issue 15: what the complainant writes never travels by e-mail, whatever the setting.
    complaint = actions.take_in_charge(complaint, handler_user)
    mail.outbox.clear()
    with commit():
        client.post(reply_url(complaint), {"reply-body": "Ho una diagnosi di diabete."})
        actions.answer(complaint, handler_user, "<b>Urgente</b> & grazie")
    reply_email, answer_email = mail.outbox
    assert "diabete" not in reply_email.body and "diabete" not in reply_email.alternatives[0][0]
    assert "Read it in the admin" in reply_email.body
    assert "<b>Urgente</b> & grazie" in answer_email.body
    assert "&lt;b&gt;Urgente&lt;/b&gt; &amp; grazie" in answer_email.alternatives[0][0]


# -- failures -----------------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND="tests.test_notifications.FailingBackend")
def test_a_failing_mail_server_keeps_the_complaint_and_records_the_failure(client, complaint, handler_user, commit):
    complaint = actions.take_in_charge(complaint, handler_user)
    with commit():
        response = client.post(reply_url(complaint), {"reply-body": "Il server di posta è giù."})
    assert response.status_code == 302
    assert Message.objects.filter(body="Il server di posta è giù.").exists()
    email = Email.objects.get(event="complainant_replied")
    assert email.status == EmailStatus.FAILED and email.attempts == 1
    assert "SMTPServerDisconnected" in email.last_error

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("send_complaint_emails", stdout=open("/dev/null", "w"))
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.attempts == 2 and email.last_error == ""
    assert any(handler_user.email in m.to for m in mail.outbox)


@override_settings(
    EMAIL_BACKEND="tests.test_notifications.FailingBackend",
    TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
)
def test_a_failed_email_is_retried_later_when_the_queue_can_wait(complaint, commit):
    from django_tasks import default_task_backend

    from wagtail_complaints.tasks import deliver

    default_task_backend.clear()
    with commit():
        (email,) = notifications.notify("link_reissued", complaint)
    with commit():
        assert deliver(email.pk) == "failed"
    retries = [r for r in default_task_backend.results if r.task.run_after is not None]
    assert len(retries) == 1 and retries[0].args == [email.pk]
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED


# -- what operators see -------------------------------------------------------------------------


def render_panel(complaint, user):
    # As the complaint screen renders it: the panel shows personal data only when told it may.
    from wagtail_complaints.permissions import can_see_personal_data_of

    return render_to_string(
        "wagtail_complaints/admin/includes/follow_up_panel.html",
        {
            "complaint": complaint,
            "user": user,
            "perms": PermWrapper(user),
            "show_personal_data": can_see_personal_data_of(user, complaint),
        },
    )


@override_settings(EMAIL_BACKEND="tests.test_notifications.FailingBackend")
def test_the_panel_lists_emails_sent_and_failed(complaint, handler_user, viewer_user, commit):
    with commit():
        notifications.notify("link_reissued", complaint)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), commit():
        notifications.notify("received", complaint)
    html = render_panel(complaint, handler_user)
    assert "Failed" in html and "SMTPServerDisconnected" in html
    assert "Delivered to the mail server" in html
    assert complaint.email in html
    assert complaint.reference in html  # the subject
    viewer_html = render_panel(complaint, viewer_user)
    assert complaint.email not in viewer_html  # personal data
    assert "Re-issue the private link" not in viewer_html
    assert "Re-issue the private link" in html


def test_the_panel_shows_the_rating_escaped(complaint, handler_user):
    complaint = actions.take_in_charge(complaint, handler_user)
    complaint = actions.close(complaint, handler_user, "upheld")
    actions.rate(complaint, 2, "<script>alert(1)</script>")
    html = render_panel(Complaint.objects.get(pk=complaint.pk), handler_user)
    assert "2 out of 5" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


# -- re-issuing the link ------------------------------------------------------------------------


def test_handlers_reissue_the_link_old_one_404s_patient_gets_the_new_one(client, complaint, handler_user, commit):
    old_token = complaint.access_token
    admin = Client()
    admin.force_login(handler_user)
    url = reverse("wagtail_complaints_followup:reissue_link", args=[complaint.pk])
    assert admin.get(url).status_code == 405
    with commit():
        response = admin.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtail_complaints:inspect", args=[complaint.pk])
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.access_token != old_token
    assert client.get(reverse("wagtail_complaints_public:follow_up", args=[old_token])).status_code == 404
    assert client.get(reverse("wagtail_complaints_public:follow_up", args=[complaint.access_token])).status_code == 200
    (message,) = mail.outbox
    assert complaint.access_token in message.body and old_token not in message.body
    entry = ComplaintLogEntry.objects.get(action="wagtail_complaints.reissue_link")
    assert entry.user == handler_user


def test_viewers_and_strangers_cannot_reissue_the_link(complaint, viewer_user):
    token = complaint.access_token
    url = reverse("wagtail_complaints_followup:reissue_link", args=[complaint.pk])
    viewer = Client()
    viewer.force_login(viewer_user)
    assert viewer.post(url).status_code in (302, 403)
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Complaint.objects.get(pk=complaint.pk).access_token == token
    assert not Email.objects.exists()


def test_reissue_without_an_email_address_warns_the_operator(handler_user):
    complaint = make_complaint(email="", phone="06 123456", contact_preference="phone")
    admin = Client()
    admin.force_login(handler_user)
    response = admin.post(reverse("wagtail_complaints_followup:reissue_link", args=[complaint.pk]), follow=True)
    assert "give them the new link another way" in response.content.decode()
    assert not Email.objects.exists()


def test_withdrawal_reaches_the_handler_who_reads_the_reason_in_the_admin(complaint, handler_user, commit):
    complaint = actions.take_in_charge(complaint, handler_user)
    with commit():
        actions.withdraw(complaint, COMPLAINANT, "Risolto con il reparto.")
    (message,) = mail.outbox
    assert message.to == [handler_user.email]
    assert "withdrew" in message.subject and complaint.reference in message.subject
    # Issue 15: the complainant's own words stay in the admin.
    assert "Risolto con il reparto." not in message.body
    assert links.admin_url(complaint) in message.body
