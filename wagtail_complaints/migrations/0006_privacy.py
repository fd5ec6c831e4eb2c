"""Privacy (issue 15): when and why a complaint's personal data were removed, the retention period,
addresses the outbox can forget, and the administrators' permission for access and erasure requests."""

import django.core.validators
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant_data_requests_to_administrators(apps, schema_editor):
    # As in 0003_roles: the new permission exists only after migrate unless we make it now.
    app_config = apps.get_app_config("wagtail_complaints")
    models_module, app_config.models_module = getattr(app_config, "models_module", None), True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="wagtail_complaints", codename="handle_data_requests_complaint"
    ).first()
    if permission is not None:
        group, _ = Group.objects.get_or_create(name="Complaints administrators")
        group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_complaints', '0003_roles'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='complaint',
            options={'ordering': ['-received_at'], 'permissions': [('view_personal_data', "Can see complainants' personal data"), ('handle_data_requests_complaint', "Can answer complainants' access and erasure requests")], 'verbose_name': 'complaint', 'verbose_name_plural': 'complaints'},
        ),
        migrations.AddField(
            model_name='complaint',
            name='personal_data_removed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='personal data removed'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='personal_data_removed_because',
            field=models.CharField(blank=True, choices=[('retention', 'under the retention policy'), ('request', "at the complainant's request")], editable=False, max_length=20, verbose_name='why personal data were removed'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='keep_personal_data_days',
            field=models.PositiveIntegerField(default=3650, help_text='After that, the retention task removes names, contacts, texts and files of closed complaints; the reference, dates, classification and outcome stay for the statistics. Default: ten years.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(36500)], verbose_name='keep personal data for (days after closing)'),
        ),
        migrations.AlterField(
            model_name='complaintsettings',
            name='answers_in_email',
            field=models.BooleanField(default=True, help_text="On (what patients expect): the e-mail carries the office's answer, which may contain health data, and it stays in the patient's mailbox. Switch it off when answers often carry diagnoses or when mailboxes may be shared: e-mails then only say there is an answer and give the private link.", verbose_name='send answers in the e-mail'),
        ),
        migrations.AlterField(
            model_name='email',
            name='recipient',
            field=models.EmailField(blank=True, max_length=254, verbose_name='recipient'),
        ),
        migrations.RunPython(grant_data_requests_to_administrators, migrations.RunPython.noop),
    ]
