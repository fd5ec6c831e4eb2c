"""The macro-categories used by Italian regional URP statistics, as data each hospital can edit."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    # (Italian name, English, Spanish)
    ("Aspetti strutturali", "Buildings and facilities", "Aspectos estructurales"),
    ("Informazione", "Information", "Información"),
    (
        "Aspetti organizzativi, burocratici e amministrativi",
        "Organisation, paperwork and administration",
        "Aspectos organizativos, burocráticos y administrativos",
    ),
    ("Aspetti tecnici e professionali", "Clinical and professional care", "Aspectos técnicos y profesionales"),
    ("Umanizzazione e aspetti relazionali", "Dignity, respect and communication", "Humanización y trato"),
    ("Aspetti alberghieri e comfort", "Food, cleanliness and comfort", "Hostelería y confort"),
    ("Tempi", "Waiting times", "Tiempos de espera"),
    ("Aspetti economici", "Charges and payments", "Aspectos económicos"),
    ("Adeguamento alla normativa", "Compliance with rules and regulations", "Cumplimiento de la normativa"),
    ("Altro", "Other", "Otro"),
]


def add_default_categories(apps, schema_editor):
    Category = apps.get_model("wagtail_complaints", "Category")
    CategoryLabel = apps.get_model("wagtail_complaints", "CategoryLabel")
    if Category.objects.exists():
        return  # a hospital's own classification is never touched
    for order, (italian, english, spanish) in enumerate(DEFAULT_CATEGORIES, start=1):
        category = Category.objects.create(name=italian, sort_order=order * 10)
        CategoryLabel.objects.create(category=category, language="en", label=english, sort_order=0)
        CategoryLabel.objects.create(category=category, language="es", label=spanish, sort_order=1)


class Migration(migrations.Migration):
    dependencies = [("wagtail_complaints", "0001_initial")]

    operations = [migrations.RunPython(add_default_categories, migrations.RunPython.noop)]
