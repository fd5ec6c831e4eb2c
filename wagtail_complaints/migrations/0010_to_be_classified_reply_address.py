"""E-mail threading and intake: the office's reply address, and the "to be classified" category
that complaints arriving by e-mail get until a handler chooses their real one."""

from django.db import migrations, models


def add_to_be_classified(apps, schema_editor):
    Category = apps.get_model("wagtail_complaints", "Category")
    CategoryLabel = apps.get_model("wagtail_complaints", "CategoryLabel")
    if Category.objects.filter(needs_classification=True).exists():
        return
    category = Category.objects.create(name="Da classificare", needs_classification=True, sort_order=9999)
    CategoryLabel.objects.create(category=category, language="en", label="To be classified", sort_order=0)
    CategoryLabel.objects.create(category=category, language="es", label="Por clasificar", sort_order=1)


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_complaints', '0008_office_texts_and_email_wording'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='needs_classification',
            field=models.BooleanField(default=False, editable=False, verbose_name='to be classified'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='reply_address',
            field=models.EmailField(blank=True, help_text="The mailbox patients' replies go to, e.g. urp@hospital.example: e-mails to a complainant then ask for replies at urp+<code of the complaint>@hospital.example, so each reply finds its complaint. Your mail server must deliver those addresses to this mailbox.", max_length=254, verbose_name='reply address'),
        ),
        migrations.RunPython(add_to_be_classified, migrations.RunPython.noop),
    ]
