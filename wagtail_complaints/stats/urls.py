"""Admin URLs of the statistics (namespace wagtail_complaints_stats, registered in wagtail_hooks)."""

from django.urls import path

from . import views as stats

app_name = "wagtail_complaints_stats"

urlpatterns = [
    path("", stats.StatisticsView.as_view(), name="index"),
    path("<slug:table>/", stats.StatisticsTableView.as_view(), name="table"),
]
