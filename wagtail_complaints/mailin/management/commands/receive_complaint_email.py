import sys

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Site

from ...intake import receive


class Command(BaseCommand):
    help = (
        "Read one raw e-mail (RFC 822) on standard input and turn it into a complaint or a reply. "
        "For mail servers that deliver to a program (Postfix or Exim pipe)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site", help="Host name of the site the mailbox belongs to (default: the default site).")

    def handle(self, *args, site=None, **options):
        if site:
            found = Site.objects.filter(hostname=site).first()
            if found is None:
                raise CommandError(f"No site with host name {site!r}.")
        else:
            found = Site.objects.filter(is_default_site=True).first()
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        incoming = receive(raw, site=found)
        complaint = f" {incoming.complaint.reference}" if incoming.complaint else ""
        self.stdout.write(f"{incoming.get_result_display()}{complaint}")
        if incoming.result == "failed":
            # A non-zero exit makes the mail server defer, but the message is already kept: say so.
            self.stderr.write(f"Kept for retry: {incoming.reason}")
