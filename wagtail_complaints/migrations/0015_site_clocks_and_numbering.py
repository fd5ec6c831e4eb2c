import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def counters_per_prefix(apps, schema_editor):
    YearCounter = apps.get_model("wagtail_complaints", "ReferenceCounter")
    PrefixedCounter = apps.get_model("wagtail_complaints", "PrefixedReferenceCounter")
    ComplaintSettings = apps.get_model("wagtail_complaints", "ComplaintSettings")
    prefixes = {""} | set(ComplaintSettings.objects.values_list("reference_prefix", flat=True))
    PrefixedCounter.objects.bulk_create(
        PrefixedCounter(prefix=prefix, year=counter.year, last_number=counter.last_number)
        for counter in YearCounter.objects.all()
        for prefix in sorted(prefixes)
    )


def one_counter_per_year(apps, schema_editor):
    YearCounter = apps.get_model("wagtail_complaints", "ReferenceCounter")
    PrefixedCounter = apps.get_model("wagtail_complaints", "PrefixedReferenceCounter")
    highest = {}
    for counter in PrefixedCounter.objects.all():
        highest[counter.year] = max(highest.get(counter.year, 0), counter.last_number)
    YearCounter.objects.bulk_create(YearCounter(year=year, last_number=number) for year, number in highest.items())


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_complaints', '0014_operator_sites'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='acknowledge_by',
            field=models.DateField(blank=True, null=True, verbose_name='acknowledge by'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='acknowledge_within_days',
            field=models.PositiveIntegerField(blank=True, help_text='Empty: no acknowledgement deadline (Italy). England: 3 working days; Wales: 2. A complaint counts as acknowledged when an operator takes it in charge.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='acknowledge within (days)'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='count_days_as',
            field=models.CharField(choices=[('calendar', 'Calendar days'), ('working', 'Working days (weekends and public holidays skipped)')], default='calendar', help_text='Working days skip Saturdays, Sundays and the public holidays of the country below.', max_length=10, verbose_name='count deadlines in'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='escalate_after_days',
            field=models.PositiveIntegerField(blank=True, help_text='Empty: no escalation. Each complaint is reported once.', null=True, validators=[django.core.validators.MaxValueValidator(365)], verbose_name='tell the head of the office after (days overdue)'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='holiday_country',
            field=models.CharField(default='IT', help_text='Two-letter country code, e.g. IT, GB, ES. Used when deadlines count working days.', max_length=3, verbose_name='country of the public holidays'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='holiday_subdivision',
            field=models.CharField(blank=True, help_text="Optional: adds local holidays, e.g. RM for Rome's patron saint, ENG for England's bank holidays.", max_length=10, verbose_name='region or province of the public holidays'),
        ),
        migrations.AddField(
            model_name='complaintsettings',
            name='office_head',
            field=models.ForeignKey(blank=True, help_text='Receives, once a day, the complaints overdue for longer than the days below.', limit_choices_to={'role__in': ['administrator', 'handler']}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtail_complaints.operator', verbose_name='head of the office'),
        ),
        migrations.AlterField(
            model_name='complaintsettings',
            name='answer_within_days',
            field=models.PositiveIntegerField(default=30, help_text='Days from receipt to the answer-by date, counted as set below. Italy: 30 calendar days (DPCM 27/1/1994); Wales: 30 working days.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(365)], verbose_name='answer within (days)'),
        ),
        migrations.AlterField(
            model_name='complaintsettings',
            name='reference_prefix',
            field=models.CharField(blank=True, help_text="E.g. 'SL-' gives SL-2026-000123. Each prefix has its own numbering: give each hospital its own.", max_length=10, verbose_name='reference prefix'),
        ),
        # The counter goes from one per year to one per prefix and year. Every prefix in use
        # continues from the shared count, so no reference given before is ever given again.
        migrations.CreateModel(
            name='PrefixedReferenceCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prefix', models.CharField(blank=True, default='', max_length=10)),
                ('year', models.PositiveIntegerField()),
                ('last_number', models.PositiveIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('prefix', 'year'), name='complaint_reference_counter')],
            },
        ),
        migrations.RunPython(counters_per_prefix, one_counter_per_year),
        migrations.DeleteModel(name='ReferenceCounter'),
        migrations.RenameModel(old_name='PrefixedReferenceCounter', new_name='ReferenceCounter'),
    ]
