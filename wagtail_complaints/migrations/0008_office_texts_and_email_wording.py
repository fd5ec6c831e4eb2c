"""The office's texts per language, the office's own wording of patient e-mails, and the
administrators' permission to edit that wording."""

import django.db.models.deletion
import modelcluster.fields
import wagtail_complaints.models.emails
import wagtail_complaints.models.settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EMAIL_WORDING_PERMISSIONS = [f"{action}_emailwording" for action in ("add", "change", "delete", "view")]


def let_administrators_edit_email_texts(apps, schema_editor):
    # The permissions appear only after migrate on a fresh database; make them now (as 0003 does).
    app_config = apps.get_app_config("wagtail_complaints")
    models_module, app_config.models_module = getattr(app_config, "models_module", None), True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="wagtail_complaints", codename__in=EMAIL_WORDING_PERMISSIONS
    )
    for group in Group.objects.filter(name="Complaints administrators"):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_complaints', '0007_office_routine'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaintsettings',
            name='signature',
            field=models.TextField(blank=True, help_text="Who signs the e-mails to patients, e.g. 'The head of the office, Dr Anna Bianchi'.", verbose_name='signature'),
        ),
        migrations.AddField(
            model_name='email',
            name='wording_error',
            field=models.TextField(blank=True, help_text="Why the office's edited text could not be used and the shipped default was sent.", verbose_name='office wording not used'),
        ),
        migrations.AlterField(
            model_name='complaintsettings',
            name='escalation_text',
            field=models.TextField(blank=True, help_text='Who to turn to if the patient is not satisfied (e.g. the Difensore civico). Reopening is offered by the e-mails and the private page themselves: do not repeat it here.', verbose_name='how to escalate'),
        ),
        migrations.CreateModel(
            name='EmailWording',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('template', models.CharField(choices=wagtail_complaints.models.emails.editable_email_choices, max_length=100, verbose_name='e-mail')),
                ('language', models.CharField(choices=wagtail_complaints.models.emails.language_choices, max_length=10, verbose_name='language')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('body', models.TextField(verbose_name='text')),
                ('is_active', models.BooleanField(default=True, help_text='Off: the shipped text is sent.', verbose_name='in use')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last changed')),
            ],
            options={
                'verbose_name': 'e-mail text',
                'verbose_name_plural': 'e-mail texts',
                'ordering': ['template', 'language'],
                'constraints': [models.UniqueConstraint(fields=('template', 'language'), name='complaint_email_wording_language')],
            },
        ),
        migrations.CreateModel(
            name='OfficeText',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=wagtail_complaints.models.settings.language_choices, max_length=10, verbose_name='language')),
                ('office_name', models.CharField(blank=True, max_length=255, verbose_name='office name')),
                ('office_contact', models.TextField(blank=True, verbose_name='office contacts')),
                ('signature', models.TextField(blank=True, verbose_name='signature')),
                ('escalation_text', models.TextField(blank=True, verbose_name='how to escalate')),
                ('office', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_texts', to='wagtail_complaints.complaintsettings')),
            ],
            options={
                'verbose_name': 'office texts in a language',
                'verbose_name_plural': 'office texts in other languages',
                'constraints': [models.UniqueConstraint(fields=('office', 'language'), name='complaint_office_text_language')],
            },
        ),
        migrations.RunPython(let_administrators_edit_email_texts, migrations.RunPython.noop),
    ]
