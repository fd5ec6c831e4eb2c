"""The public pages work inside any reasonable base.html of the host site."""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests import settings as test_settings

from .factories import complaint_form_data as form_data

pytestmark = pytest.mark.django_db

STYLESHEET = '<link rel="stylesheet" href="/static/wagtail_complaints/complaints.css">'
HOST_TEMPLATES = [
    {**test_settings.TEMPLATES[0], "DIRS": [Path(__file__).parent / "host_templates"]},
]


@pytest.fixture
def client(committing_client):
    return committing_client


def page_url(complaint):
    return reverse("wagtail_complaints_public:follow_up", args=[complaint.access_token])


def language_links(content):
    nav = re.search(r'<nav class="wc-languages".*?</nav>', content, re.S)
    return re.findall(r'hreflang="([^"]+)"', nav.group(0)) if nav else []


@override_settings(TEMPLATES=HOST_TEMPLATES)
def test_the_stylesheet_loads_without_an_extra_css_block(client, form_page, complaint):
    form = client.get(form_page.url).content.decode()
    assert "Host hospital" in form  # the host's base, not the example site's
    assert form.count(STYLESHEET) == 1
    landing = client.post(form_page.url, form_data(client, form_page)).content.decode()
    assert landing.count(STYLESHEET) == 1
    assert client.get(page_url(complaint)).content.decode().count(STYLESHEET) == 1


@override_settings(TEMPLATES=HOST_TEMPLATES)
def test_a_confirmation_shows_once_where_the_base_renders_messages(client, complaint):
    response = client.post(
        reverse("wagtail_complaints_public:act", args=[complaint.access_token, "reply"]),
        {"reply-body": "Aggiungo un dettaglio."},
        follow=True,
    )
    content = response.content.decode()
    assert content.count("Thank you: we have added your message") == 1
    assert 'class="host-messages"' not in content
    # Shown once, then gone.
    assert "Thank you: we have added your message" not in client.get(page_url(complaint)).content.decode()


def test_language_links_need_a_catalogue(client, complaint):
    with override_settings(LANGUAGES=[("it", "Italiano"), ("en", "English"), ("es", "Español"), ("fr", "Français")]):
        links = language_links(client.get(page_url(complaint)).content.decode())
    assert links == ["it", "en", "es"]


@override_settings(ROOT_URLCONF="tests.urls_without_i18n")
def test_no_language_links_when_the_urls_do_not_tell_languages_apart(client, complaint):
    content = client.get(page_url(complaint)).content.decode()
    assert complaint.reference in content
    assert language_links(content) == []
    assert "wc-languages" not in content


def test_one_language_site_has_no_language_links(client, complaint):
    with override_settings(LANGUAGES=[("en", "English")]):
        assert language_links(client.get(page_url(complaint)).content.decode()) == []
