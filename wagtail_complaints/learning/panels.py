"""The learning panel of the complaint screen: its improvement actions and second-level referrals."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from wagtail.admin.ui.components import Component

from .models import Referral
from .policies import may_refer
from .viewsets import action_policy


class ComplaintLearningPanel(Component):
    template_name = "wagtail_complaints_learning/admin/complaint_panel.html"

    def __init__(self, request, complaint):
        self.request = request
        self.complaint = complaint

    def get_context_data(self, parent_context=None):
        user, complaint = self.request.user, self.complaint
        can_write = may_refer(user)
        referrals = Referral.objects.filter(complaint=complaint).select_related("body")
        return {
            "complaint": complaint,
            "improvement_actions": [
                (action, reverse("wagtail_complaints_learning_actions:inspect", args=[quote(action.pk)]))
                for action in complaint.improvement_actions.order_by("due_date", "pk")
            ],
            "add_action_url": (
                reverse("wagtail_complaints_learning_actions:add") + f"?complaint={complaint.pk}"
                if action_policy.user_has_permission(user, "add")
                else None
            ),
            "referrals": [
                (referral, reverse("wagtail_complaints_learning:decide", args=[referral.pk]) if can_write else None)
                for referral in referrals
            ],
            "refer_url": (
                reverse("wagtail_complaints_learning:refer", args=[complaint.pk])
                if can_write and complaint.status == "closed"
                else None
            ),
        }


def panel_for(request, complaint):
    return ComplaintLearningPanel(request, complaint)
