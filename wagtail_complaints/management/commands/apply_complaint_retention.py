from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from wagtail_complaints.privacy.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Remove the personal data of complaints closed longer ago than their site keeps them "
        "(Settings → Complaints office). Run daily; safe to interrupt and to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the complaints, change nothing.")
        parser.add_argument("--batch-size", type=int, default=200, help="Complaints per transaction.")

    def handle(self, *args, dry_run=False, batch_size=200, **options):
        references = apply_retention(dry_run=dry_run, batch_size=max(1, batch_size))
        for reference in references:
            self.stdout.write(reference)
        count = len(references)
        if dry_run:
            summary = ngettext(
                "%(count)d complaint would lose its personal data.",
                "%(count)d complaints would lose their personal data.",
                count,
            )
        else:
            summary = ngettext(
                "Personal data removed from %(count)d complaint.",
                "Personal data removed from %(count)d complaints.",
                count,
            )
        self.stdout.write(summary % {"count": count})
