from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_complaints.stats import rollups


class Command(BaseCommand):
    help = (
        "Recompute the statistics' daily roll-ups from the complaints. Every change to a complaint "
        "keeps them up to date; run this after loading complaints in bulk, or with --check to verify."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare the roll-ups with the complaints, change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=rollups.REBUILD_BATCH, help="Complaints read at a time.")

    def handle(self, *args, check=False, batch_size=rollups.REBUILD_BATCH, **options):
        batch_size = max(1, batch_size)
        if check:
            tables, _count = rollups.compute(batch_size)
            if tables != rollups.stored():
                raise CommandError(
                    _("The statistics' roll-ups differ from the complaints: run rebuild_complaint_statistics.")
                )
            self.stdout.write(_("The statistics' roll-ups match the complaints."))
            return
        count = rollups.rebuild(batch_size)
        self.stdout.write(
            ngettext(
                "Statistics rebuilt from %(count)d complaint.",
                "Statistics rebuilt from %(count)d complaints.",
                count,
            )
            % {"count": count}
        )
