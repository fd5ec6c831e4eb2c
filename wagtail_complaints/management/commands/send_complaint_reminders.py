from django.core.management.base import BaseCommand

from wagtail_complaints.escalation import escalate
from wagtail_complaints.reminders import remind


class Command(BaseCommand):
    help = (
        "E-mail each handler the complaints due within the reminder window or overdue, and each head of "
        "office the complaints overdue beyond their site's limit (run daily)."
    )

    def handle(self, *args, **options):
        emails = remind()
        self.stdout.write(f"{len(emails)} reminder e-mail(s) queued.")
        escalations = escalate()
        self.stdout.write(f"{len(escalations)} escalation e-mail(s) queued.")
