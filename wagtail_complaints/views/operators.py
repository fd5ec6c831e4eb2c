"""The administrator's hand on operators' accounts: the edit screen, and a password-reset e-mail."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.forms.auth import PasswordResetForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from ..models import Operator
from ..permissions import operators_managed_by


class ManagedOperatorsMixin:
    """Another hospital's operators are not found (404) by an administrator of this one."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if getattr(self, "object", None) is None:
            self.object = self.get_object()

    def get_object(self, *args, **kwargs):
        operator = super().get_object(*args, **kwargs)
        if not operators_managed_by(self.request.user, Operator.objects.filter(pk=operator.pk)).exists():
            raise Http404
        return operator


class OperatorIndexView(generic.IndexView):
    def get_base_queryset(self):
        return operators_managed_by(self.request.user, super().get_base_queryset())


class OperatorDeleteView(ManagedOperatorsMixin, generic.DeleteView):
    pass


class OperatorHistoryView(ManagedOperatorsMixin, HistoryView):
    pass


class OperatorUsageView(ManagedOperatorsMixin, UsageView):
    pass


class OperatorEditView(ManagedOperatorsMixin, generic.EditView):
    template_name = "wagtail_complaints/admin/operator_edit.html"
    password_reset_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_reset_url"] = reverse(self.password_reset_url_name, args=[self.object.pk])
        return context


class OperatorPasswordResetForm(PasswordResetForm):
    """Wagtail's reset e-mail for one chosen user, also one who never had a password."""

    def __init__(self, user):
        super().__init__(data={"email": user.email})
        self.user = user

    def get_users(self, email):
        # Django skips users without a usable password: an operator created without one must get it too.
        return [self.user] if self.user.is_active and self.user.email else []


operator_permission_policy = ModelPermissionPolicy(Operator)


@require_POST
def password_reset(request, pk):
    """E-mail an operator Wagtail's link to choose a new password (administrators only)."""
    operator = get_object_or_404(operators_managed_by(request.user, Operator.objects.select_related("user")), pk=pk)
    if not operator_permission_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    user = operator.user
    back = redirect("wagtail_complaints_operators:edit", pk)
    if not (user.is_active and user.email):
        messages.error(request, _("A password reset needs an active account with an e-mail address."))
        return back
    form = OperatorPasswordResetForm(user)
    form.is_valid()
    form.save(
        request=request,
        use_https=request.is_secure(),
        email_template_name="wagtailadmin/account/password_reset/email.txt",
        subject_template_name="wagtailadmin/account/password_reset/email_subject.txt",
    )
    log(operator, "wagtail_complaints.password_reset", user=request.user)
    messages.success(request, _("A link to choose a new password has been e-mailed to %(email)s.") % {"email": user.email})
    return back
