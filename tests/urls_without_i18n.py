"""A site that serves one language: the complaint URLs are outside i18n_patterns."""

from django.urls import include, path
from wagtail import urls as wagtail_urls

from wagtail_complaints import urls as complaints_urls

urlpatterns = [
    path("complaints/", include(complaints_urls)),
    path("", include(wagtail_urls)),
]
