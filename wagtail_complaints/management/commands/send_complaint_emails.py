import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from ...conf import get_setting
from ...models import Email
from ...tasks import deliver


class Command(BaseCommand):
    help = (
        "Send complaint e-mails still queued or failed: the sweep that recovers from a worker killed "
        "mid-task or a queue that lost its task (run it from cron every minute with --older-than)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=None,
            help="Give up on e-mails already tried this many times (default: retries + 1).",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Only e-mails queued at least this long ago: leaves the fresh ones to the workers.",
        )

    def handle(self, *args, max_attempts=None, older_than=0, **options):
        limit = max_attempts or len(get_setting("EMAIL_RETRY_DELAYS")) + 1
        queued_before = timezone.now() - datetime.timedelta(seconds=older_than)
        results = {"sent": 0, "failed": 0, "skipped": 0}
        # deliver() locks each row and skips one a live worker holds, and never sends a row twice.
        stale = Email.objects.unsent().filter(attempts__lt=limit, created_at__lte=queued_before)
        for email_id in stale.values_list("pk", flat=True).iterator():
            results[deliver(email_id)] += 1
        self.stdout.write(
            _("Sent %(sent)d, failed %(failed)d, skipped %(skipped)d.") % results
        )
