"""Point the demo's Site at WAGTAILADMIN_BASE_URL, so the links in e-mails follow the port served."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from wagtail.models import Site


def demo_host_and_port():
    """The host and port of WAGTAILADMIN_BASE_URL (http://127.0.0.1:8000 unless set)."""
    url = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000")
    return url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)


class Command(BaseCommand):
    help = "Make the default Site answer at WAGTAILADMIN_BASE_URL (make serve PORT=8011 runs it)."

    def handle(self, *args, **options):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            self.stderr.write("No default site: run `make setup` first.")
            return
        site.hostname, site.port = demo_host_and_port()
        site.save(update_fields=["hostname", "port"])
        self.stdout.write(f"Links in e-mails now point at {site.root_url}/")
