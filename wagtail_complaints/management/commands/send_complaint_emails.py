from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...conf import get_setting
from ...models import Email
from ...tasks import deliver


class Command(BaseCommand):
    help = "Send complaint e-mails still queued or failed (run it from cron as a safety net)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=None,
            help="Give up on e-mails already tried this many times (default: retries + 1).",
        )

    def handle(self, *args, max_attempts=None, **options):
        limit = max_attempts or len(get_setting("EMAIL_RETRY_DELAYS")) + 1
        results = {"sent": 0, "failed": 0, "skipped": 0}
        for email_id in Email.objects.unsent().filter(attempts__lt=limit).values_list("pk", flat=True).iterator():
            results[deliver(email_id)] += 1
        self.stdout.write(
            _("Sent %(sent)d, failed %(failed)d, skipped %(skipped)d.") % results
        )
