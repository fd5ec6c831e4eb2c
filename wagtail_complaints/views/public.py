"""The patient's private pages, reached only through the token in their link."""

from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST, require_safe

from .. import actions, ratelimits, workflow
from ..attachments import attachment_response
from ..follow_up_forms import FORMS
from ..http import private_response
from ..models import Attachment, Complaint, ComplaintSettings, Outcome
from ..models.complaint import PUBLIC_MESSAGE_KINDS
from ..workflow import COMPLAINANT, Status

SUCCESS = {
    "reply": gettext_lazy("Thank you: we have added your message and told the office."),
    "reopen": gettext_lazy("Your complaint is open again. The office will look at it again and answer you."),
    "rate": gettext_lazy("Thank you for your rating: it helps us improve."),
    "withdraw": gettext_lazy("You have withdrawn your complaint. The office will not handle it further."),
}
NO_LONGER_POSSIBLE = gettext_lazy(
    "This is no longer possible: the state of your complaint has changed. Here is how it stands now."
)
NOTICES = {
    **{action: ("success", text) for action, text in SUCCESS.items()},
    "no_longer_possible": ("error", NO_LONGER_POSSIBLE),
}
NOTICE_SESSION_KEY = "wagtail_complaints_notice"


def leave_notice(request, complaint, key):
    """A confirmation for the page's next view, shown inline there. Not Django's messages: a site's
    base template may render them too (shown twice) or never (they surface on another page)."""
    request.session[NOTICE_SESSION_KEY] = {"complaint": complaint.pk, "notice": key}


def take_notice(request, complaint):
    notice = request.session.get(NOTICE_SESSION_KEY)
    if not notice or notice.get("complaint") != complaint.pk:
        return None
    del request.session[NOTICE_SESSION_KEY]
    level, text = NOTICES[notice["notice"]]
    return {"level": level, "text": text}


def private_page(view):
    """Rate-limited per link and address, answering GET and HEAD (POST where the view says),
    with the headers of `http.private_response`."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        limit = ratelimits.unknown_link_limit(request) or ratelimits.follow_up_limit(request, token)
        if limit:
            response = render(request, "wagtail_complaints/too_many_requests.html", {"wait": limit.wait}, status=429)
            response["Retry-After"] = str(limit.seconds_left)
        else:
            try:
                response = view(request, token, *args, **kwargs)
            except UnknownLink:
                ratelimits.count_unknown_link(request)
                raise Http404 from None
        return private_response(response)

    return wrapper


class UnknownLink(Http404):
    """A token that opens nothing: counted against the address, then a plain 404."""


def get_complaint_or_404(request, token):
    """The complaint behind a token; any bad token gets the same plain 404."""
    complaint = Complaint.objects.for_access_token(token).select_related("category__parent", "service", "site").first()
    if complaint is None:
        raise UnknownLink
    return complaint


def office_for(request, complaint):
    """The site's settings, with the office's texts in the language the page is read in."""
    office = ComplaintSettings.for_site(complaint.site) if complaint.site_id else ComplaintSettings.for_request(request)
    return office.in_language()


def reopen_until(complaint, office):
    """The last moment the patient may reopen from the link, or None if they cannot."""
    return complaint.reopen_until(office.reopen_within_days)


def allowed_actions(complaint, office):
    """What the patient may do now; the same answer draws the page and guards each POST."""
    allowed = set()
    if complaint.is_open:
        allowed |= {"reply", "withdraw"}
    deadline = reopen_until(complaint, office)
    if deadline and timezone.now() <= deadline:
        allowed.add("reopen")
    if complaint.status == Status.CLOSED and complaint.rated_at is None and complaint.outcome != Outcome.WITHDRAWN:
        allowed.add("rate")
    return allowed


def state_label(complaint, thread):
    """The state named from the patient's side: "awaiting reply" would read as "we still owe you"."""
    if complaint.status == Status.PENDING:
        return pgettext("state, as the patient reads it", "Received")
    if complaint.status == Status.TAKEN_IN_CHARGE:
        return pgettext("state, as the patient reads it", "Being looked into")
    if complaint.status == Status.AWAITING_REPLY:
        if thread and thread[-1].by_complainant:
            return pgettext("state, as the patient reads it", "Your message is with the office")
        return pgettext("state, as the patient reads it", "Answered — you can reply")
    return pgettext("state, as the patient reads it", "Closed")


def state_explanation(complaint, thread):
    """What the state means for the patient, in plain words."""
    if complaint.duplicate_of_id is not None:
        # Never the other complaint's reference: it may be someone else's.
        if complaint.is_open:
            return _(
                "Your complaint is about the same matter as another one we received, so we are handling the two "
                "together. When we close the other, we will close yours with the same outcome and write to you."
            )
        if complaint.closed_at and complaint.outcome != "withdrawn":
            return _(
                "Your complaint was about the same matter as another one we received: we looked into the two "
                "together and closed them with the same outcome."
            )
    if complaint.status == Status.PENDING:
        return _("We have received your complaint. An officer of the complaints office will read it soon and take it in charge.")
    if complaint.status == Status.TAKEN_IN_CHARGE:
        return _("An officer is looking into your complaint with the service involved. We will answer you by the date below.")
    if complaint.status == Status.AWAITING_REPLY:
        if thread and thread[-1].by_complainant:
            return _("We have your message. An officer is looking at it and will answer you by the date below.")
        return _("We have answered you: read our answer below. If something is still unclear or wrong, write to us here.")
    return _("Your complaint is closed: the office has finished handling it.")


def language_links(token):
    """The same private page in each site language the app speaks and the URLs tell apart."""
    links, urls = [], set()
    for code, name in settings.LANGUAGES:
        if not has_catalogue(code):
            continue
        with translation.override(code):
            url = reverse("wagtail_complaints_public:follow_up", args=[token])
        if url not in urls:  # without i18n_patterns every language has the same URL
            urls.add(url)
            links.append({"code": code, "name": name, "url": url})
    return links if len(links) > 1 else []


@cache
def has_catalogue(code):
    """English is the source language; the others need a catalogue in the app."""
    language = code.split("-")[0]
    if language == "en":
        return True
    folder = Path(__file__).resolve().parent.parent / "locale"
    return any(
        (folder / name / "LC_MESSAGES" / "django.mo").exists() for name in (translation.to_locale(code), language)
    )


def render_page(request, token, complaint, office, bound_form=None, status=200):
    thread = list(
        complaint.messages.public().prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk"))
        )
    )
    allowed = allowed_actions(complaint, office)
    forms = {}
    for action in sorted(allowed):
        if bound_form is not None and bound_form.action == action:
            forms[action] = bound_form
        else:
            forms[action] = FORMS[action](office=office)
    context = {
        "complaint": complaint,
        "office": office,
        "token": token,
        "messages_thread": thread,
        "attachments": complaint.attachments.filter(message__isnull=True),
        "state_label": state_label(complaint, thread),
        "state_explanation": state_explanation(complaint, thread),
        "reopen_until": reopen_until(complaint, office) if "reopen" in allowed else None,
        "forms": forms,
        "language_links": language_links(token),
        "notice": take_notice(request, complaint),
    }
    return render(request, "wagtail_complaints/follow_up.html", context, status=status)


@private_page
@require_safe
def follow_up(request, token):
    complaint = get_complaint_or_404(request, token)
    return render_page(request, token, complaint, office_for(request, complaint))


@private_page
@require_POST
def act(request, token, action):
    """Reply, reopen, rate or withdraw: one POST, through actions.py, then back to the page."""
    complaint = get_complaint_or_404(request, token)
    if action not in FORMS:
        raise Http404
    office = office_for(request, complaint)
    if action not in allowed_actions(complaint, office):
        leave_notice(request, complaint, "no_longer_possible")
        return redirect("wagtail_complaints_public:follow_up", token)
    form = FORMS[action](request.POST, request.FILES, office=office)
    if not form.is_valid():
        return render_page(request, token, complaint, office, bound_form=form, status=400)
    try:
        perform(action, complaint, form)
    except (workflow.TransitionNotAllowed, workflow.StaleComplaint):
        leave_notice(request, complaint, "no_longer_possible")
        return redirect("wagtail_complaints_public:follow_up", token)
    leave_notice(request, complaint, action)
    return redirect("wagtail_complaints_public:follow_up", token)


def perform(action, complaint, form):
    data = form.cleaned_data
    if action == "reply":
        with transaction.atomic():
            complaint, message = actions.reply(complaint, data["body"])
            form.save_attachments(complaint, message=message)
    elif action == "reopen":
        actions.reopen(complaint, COMPLAINANT, data["reason"], expected_status=Status.CLOSED)
    elif action == "rate":
        actions.rate(complaint, data["rating"], data["comment"])
    elif action == "withdraw":
        actions.withdraw(complaint, COMPLAINANT, data["reason"], expected_status=complaint.status)


@private_page
@require_safe
def attachment(request, token, pk):
    """A file of the complaint or of a public message, only for the holder of the link."""
    complaint = get_complaint_or_404(request, token)
    visible = complaint.attachments.filter(Q(message__isnull=True) | Q(message__kind__in=PUBLIC_MESSAGE_KINDS))
    return attachment_response(get_object_or_404(visible, pk=pk))
