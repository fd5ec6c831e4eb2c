from django.core.management.base import BaseCommand

from ...mailboxes import fetch_all


class Command(BaseCommand):
    help = "Fetch new e-mails from every site's complaints mailbox (IMAP or Maildir) and retry failed ones."

    def handle(self, *args, **options):
        for hostname, count in fetch_all().items():
            if count is None:
                self.stderr.write(f"{hostname}: the mailbox could not be read (see the log)")
            else:
                self.stdout.write(f"{hostname}: {count} new message(s)")
