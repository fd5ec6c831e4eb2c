"""Admin URLs of the second level (namespace wagtail_complaints_learning, registered in wagtail_hooks)."""

from django.urls import path

from . import views

app_name = "wagtail_complaints_learning"

urlpatterns = [
    path("complaints/<int:pk>/refer/", views.refer, name="refer"),
    path("referrals/<int:pk>/decision/", views.decide, name="decide"),
]
