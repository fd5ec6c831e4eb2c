"""Admin screens, built on Wagtail's own viewsets."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Complaint


class ComplaintViewSet(ModelViewSet):
    model = Complaint
    name = "complaints"
    url_namespace = "wagtail_complaints"
    url_prefix = "complaints"
    icon = "warning"
    menu_label = _("Complaints")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["reference", "received_at", "category", "service", "status", "assigned_to", "answer_by"]
    list_filter = ["status", "category", "service", "channel"]
    search_fields = ["reference", "first_name", "last_name", "description"]
    form_fields = ["category", "service", "description", "event_date", "first_name", "last_name", "email", "phone"]


complaint_viewset = ComplaintViewSet()
