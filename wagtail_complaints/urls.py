"""Public URLs: include them in the site's urls.py (inside i18n_patterns for translated pages)."""

from django.urls import path

from .views import public

app_name = "wagtail_complaints_public"

urlpatterns = [
    path("<str:token>/", public.follow_up, name="follow_up"),
    path("<str:token>/files/<int:pk>/", public.attachment, name="attachment"),
    # reply, reopen, rate, withdraw: POST only, each a form on the follow-up page.
    path("<str:token>/<slug:action>/", public.act, name="act"),
]
