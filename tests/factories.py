"""Small builders for tests: real objects through the real code paths, no fixtures files."""

import datetime
import itertools
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from wagtail_complaints.models import Category, Complaint, ComplaintFormPage, Operator, Service

_counter = itertools.count(1)


def make_form_page(**kwargs):
    root = Site.objects.get(is_default_site=True).root_page
    kwargs.setdefault("title", "Reclami")
    kwargs.setdefault("slug", f"reclami-{next(_counter)}")
    page = root.add_child(instance=ComplaintFormPage(**kwargs))
    page.save_revision().publish()
    return ComplaintFormPage.objects.get(pk=page.pk)


def make_operator(role, notify_on_new=False, **user_fields):
    n = next(_counter)
    user_fields.setdefault("username", f"{role}{n}")
    user_fields.setdefault("email", f"{role}{n}@hospital.example")
    user_fields.setdefault("password", "password")
    user = get_user_model().objects.create_user(**user_fields)
    return Operator.objects.create(user=user, role=role, notify_on_new=notify_on_new)


def make_complaint(**kwargs):
    kwargs.setdefault("category", Category.objects.first())
    if "service" not in kwargs:
        kwargs["service"] = Service.objects.first() or Service.objects.create(name="Radiologia")
    kwargs.setdefault("language", "en")
    kwargs.setdefault("first_name", "Maria")
    kwargs.setdefault("last_name", "Rossi")
    kwargs.setdefault("email", "maria@example.com")
    kwargs.setdefault("description", "Ho atteso sei ore al pronto soccorso.")
    kwargs.setdefault("received_at", timezone.now())
    kwargs.setdefault("answer_by", timezone.localdate(kwargs["received_at"]) + datetime.timedelta(days=30))
    kwargs.setdefault("site", Site.objects.get(is_default_site=True))
    prefix = kwargs.pop("reference_prefix", "")
    with transaction.atomic():
        complaint = Complaint(**kwargs)
        complaint.assign_reference(prefix=prefix)
        complaint.save()
    return complaint


def page_root():
    return Page.objects.get(depth=1)


def complaint_form_data(client, page, **overrides):
    """A valid submission of `page`'s form, with the submission key the form handed out.
    An override of None leaves that field out."""
    response = client.get(page.url)
    key = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode()).group(1)
    data = {
        "category": Category.objects.get(name="Tempi").pk,
        "service": Service.objects.get_or_create(name="Pronto soccorso")[0].pk,
        "description": "Ho atteso sei ore al pronto soccorso senza notizie.",
        "event_date": "2026-11-20",
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "maria@example.com",
        "phone": "",
        "contact_preference": "email",
        "privacy_accepted": "on",
        "submission_key": key,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}
