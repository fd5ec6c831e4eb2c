"""The complaints panel on the Wagtail home page: what needs attention, in one query."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from wagtail.admin.ui.components import Component

from . import workflow
from .models import Complaint
from .permissions import within_sites_of
from .views.admin import office_for


class ComplaintsPanel(Component):
    name = "complaints"
    template_name = "wagtail_complaints/admin/home_panel.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def counts(self, today, soon):
        user = self.request.user
        return within_sites_of(user, Complaint.objects.open()).aggregate(
            mine=Count("pk", filter=Q(assigned_to=user)),
            unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
            due_soon=Count("pk", filter=Q(answer_by__gte=today, answer_by__lte=soon)),
            overdue=Count("pk", filter=Q(answer_by__lt=today, duplicate_of__isnull=True)),
        )

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        days = office_for(self.request).reminder_days or 5
        counts = self.counts(today, today + datetime.timedelta(days=days))
        inbox = reverse("wagtail_complaints:index")
        open_states = [("status", state) for state in workflow.OPEN_STATES]

        def link(*params):
            return f"{inbox}?{urlencode(list(params))}"

        rows = []
        if workflow.is_handler(None, self.request.user):
            rows.append(("mine", counts["mine"], link(("assigned", "me"), *open_states)))
        rows += [
            ("unassigned", counts["unassigned"], link(("assigned", "nobody"), *open_states)),
            ("due_soon", counts["due_soon"], link(("due_within", days), *open_states)),
            ("overdue", counts["overdue"], link(("overdue", "true"))),
        ]
        return {"rows": rows, "days": days, "inbox_url": inbox}


def panel_for(request):
    if request.user.has_perm("wagtail_complaints.view_complaint"):
        return ComplaintsPanel(request)
    return None
