from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ...tasks import abandoned_emails, deliver


class Command(BaseCommand):
    help = (
        "Send complaint e-mails still queued or failed: the sweep that recovers from a worker killed "
        "mid-task or a queue that lost its task, and retries failed e-mails where the task queue cannot "
        "defer (run it from cron every few minutes with --older-than)."
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
            help="Only e-mails written or last tried at least this long ago: leaves the fresh ones to the workers.",
        )

    def handle(self, *args, max_attempts=None, older_than=0, **options):
        results = {"sent": 0, "failed": 0, "skipped": 0}
        # deliver() locks each row and skips one a live worker holds, and never sends a row twice.
        stale = abandoned_emails(older_than, max_attempts)
        for email_id in stale.values_list("pk", flat=True).iterator():
            results[deliver(email_id)] += 1
        self.stdout.write(
            _("Sent %(sent)d, failed %(failed)d, skipped %(skipped)d.") % results
        )
