"""Mailbox settings per site and the log of received e-mails; administrators may edit the settings."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import wagtail_complaints.mailin.models
import wagtail_complaints.models.complaint
from django.apps import apps as global_apps
from django.db import migrations, models


def allow_administrators(apps, schema_editor):
    # The complaints administrators (migration wagtail_complaints 0003) also set up the mailbox.
    from django.contrib.auth.management import create_permissions

    create_permissions(global_apps.get_app_config("wagtail_complaints_mailin"), verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Complaints administrators").first()
    permission = Permission.objects.filter(
        content_type__app_label="wagtail_complaints_mailin", codename="change_mailboxsettings"
    ).first()
    if group is not None and permission is not None:
        group.permissions.add(permission)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('wagtail_complaints', '0010_to_be_classified_reply_address'),
        ('wagtailcore', '0097_baselogentry_uuid_action_timestamp_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='MailboxSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(blank=True, choices=[('', 'None (e-mails arrive through receive_complaint_email, or not at all)'), ('imap', 'IMAP mailbox over TLS (also PEC)'), ('maildir', 'Maildir folder on this server')], max_length=10, verbose_name='incoming mailbox')),
                ('imap_host', models.CharField(blank=True, max_length=255, verbose_name='IMAP server')),
                ('imap_port', models.PositiveIntegerField(default=993, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(65535)], verbose_name='port')),
                ('imap_username', models.CharField(blank=True, max_length=255, verbose_name='user name')),
                ('imap_password', models.CharField(blank=True, help_text='Leave empty to keep the saved password.', max_length=255, verbose_name='password')),
                ('imap_folder', models.CharField(default='INBOX', max_length=255, verbose_name='folder')),
                ('maildir_path', models.CharField(blank=True, help_text='E.g. /var/mail/urp/Maildir', max_length=500, verbose_name='Maildir folder')),
                ('site', models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'complaints mailbox',
            },
        ),
        migrations.CreateModel(
            name='IncomingEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message_id', models.CharField(max_length=255, unique=True, verbose_name='Message-ID')),
                ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='received')),
                ('sender', models.CharField(blank=True, max_length=254, verbose_name='from')),
                ('subject', models.CharField(blank=True, max_length=255, verbose_name='subject')),
                ('original', models.FileField(storage=wagtail_complaints.models.complaint.private_storage, upload_to=wagtail_complaints.mailin.models.original_path, verbose_name='original message')),
                ('result', models.CharField(choices=[('complaint', 'Became a complaint'), ('reply', "Added to a complaint as the complainant's reply"), ('ignored', 'Ignored: sent automatically (auto-reply, bounce, mailing list)'), ('kept', 'Kept for an operator'), ('failed', 'Failed: will be retried')], default='failed', max_length=20, verbose_name='result')),
                ('reason', models.TextField(blank=True, verbose_name='why')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('processed_at', models.DateTimeField(blank=True, null=True, verbose_name='processed')),
                ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtail_complaints.complaint', verbose_name='complaint')),
                ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailcore.site')),
            ],
            options={
                'verbose_name': 'incoming e-mail',
                'verbose_name_plural': 'incoming e-mails',
                'ordering': ['-received_at', '-pk'],
                'indexes': [models.Index(fields=['result', 'received_at'], name='complaint_incoming_result')],
            },
        ),
        migrations.RunPython(allow_administrators, migrations.RunPython.noop),
    ]
