"""Admin URLs of the personal data requests (namespace wagtail_complaints_privacy)."""

from django.urls import path

from . import views

app_name = "wagtail_complaints_privacy"

urlpatterns = [
    path("", views.PersonalDataRequestsView.as_view(), name="requests"),
    path("export/", views.ExportPersonalDataView.as_view(), name="export"),
    path("erase/", views.ErasePersonalDataView.as_view(), name="erase"),
]
