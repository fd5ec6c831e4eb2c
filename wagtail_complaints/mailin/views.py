"""Back-office screens of the e-mail intake: the log of received messages, their originals, retry."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.auth import permission_denied
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy

from ..permissions import within_sites_of
from ..workflow import HANDLE_PERMISSION
from . import intake
from .models import IncomingEmail, Result
from .parsing import parse


class HandlersOnlyPolicy(ModelPermissionPolicy):
    """Complaint handlers read the log and retry messages; nobody adds, edits or deletes them."""

    def user_has_permission(self, user, action):
        return action in ("view", "change") and user.is_active and user.has_perm(HANDLE_PERMISSION)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True)
        return [user for user in users if user.has_perm(HANDLE_PERMISSION)] if {"view", "change"} & set(actions) else users.none()


permission_policy = HandlersOnlyPolicy(IncomingEmail)


class IncomingEmailIndexView(generic.IndexView):
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return within_sites_of(self.request.user, super().get_base_queryset()).select_related("complaint")

    def get_edit_url(self, instance):
        # A row's title opens the message (read-only), there is no edit form.
        return self.get_inspect_url(instance)


class IncomingEmailInspectView(generic.InspectView):
    any_permission_required = ["view"]
    template_name = "wagtail_complaints_mailin/inspect.html"
    fields = ["received_at", "sender", "subject", "message_id", "result", "reason", "complaint", "attempts", "processed_at"]
    original_url_name = None
    retry_url_name = None

    def get_object(self, queryset=None):
        # Another hospital's mailbox is not found: 404, whoever asks.
        return get_object_or_404(within_sites_of(self.request.user, IncomingEmail.objects.all()), pk=self.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Gone with the complaint's personal data (privacy): the row only says the message was received.
        parsed = parse(self.object.raw()) if self.object.original else None
        context.update(
            original_removed=parsed is None,
            text=parsed.text if parsed else "",
            attachment_names=[part.name for part in parsed.attachments] if parsed else [],
            original_url=self.get_url(self.original_url_name),
            retry_url=self.get_url(self.retry_url_name) if self.object.result == Result.FAILED else None,
            complaint_url=self.complaint_url(),
        )
        return context

    def get_url(self, name):
        from django.urls import reverse

        return reverse(name, args=[self.object.pk])

    def complaint_url(self):
        from django.urls import reverse

        if self.object.complaint_id is None:
            return None
        return reverse("wagtail_complaints:inspect", args=[self.object.complaint_id])

    @property
    def header_buttons(self):
        if not self.object.original:
            return []
        return [HeaderButton(label=_("Download the original"), url=self.get_url(self.original_url_name), icon_name="download")]


def original(request, pk):
    """The message exactly as received, as a download that browsers never render in place."""
    incoming = get_object_or_404(within_sites_of(request.user, IncomingEmail.objects.exclude(original="")), pk=pk)
    if not permission_policy.user_has_permission(request.user, "view"):
        return permission_denied(request)
    response = FileResponse(
        incoming.original.open("rb"), as_attachment=True, filename=f"e-mail-{incoming.pk}.eml", content_type="message/rfc822"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def retry(request, pk, inspect_url_name):
    incoming = get_object_or_404(within_sites_of(request.user, IncomingEmail.objects.exclude(original="")), pk=pk)
    if not permission_policy.user_has_permission(request.user, "change"):
        return permission_denied(request)
    incoming = intake.process(incoming)
    if incoming.result == Result.FAILED:
        messages.error(request, _("It failed again: %(reason)s") % {"reason": incoming.reason})
    else:
        messages.success(request, _("Processed: %(result)s") % {"result": incoming.get_result_display()})
    return redirect(inspect_url_name, pk)


