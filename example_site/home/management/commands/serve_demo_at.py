"""Point the demo's Site at WAGTAILADMIN_BASE_URL, so the links in e-mails follow the port served."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from wagtail.models import Site


# The second demo hospital's home page: its Site answers at the other name of this machine.
SECOND_HOSPITAL_SLUG = "santa-maria"


def demo_host_and_port():
    """The host and port of WAGTAILADMIN_BASE_URL (http://127.0.0.1:8000 unless set)."""
    url = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000")
    return url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)


def second_hospital_host_and_port():
    """The same server under the machine's other name: http://localhost:8000 next to
    http://127.0.0.1:8000 (or the other way round), so one `runserver` serves both hospitals."""
    host, port = demo_host_and_port()
    return ("127.0.0.1" if host == "localhost" else "localhost"), port


def second_hospital_site():
    return Site.objects.filter(root_page__slug=SECOND_HOSPITAL_SLUG, root_page__depth=2, is_default_site=False).first()


class Command(BaseCommand):
    help = (
        "Make the default Site answer at WAGTAILADMIN_BASE_URL, the second hospital at the same port "
        "under the machine's other name (make serve PORT=8011 runs it)."
    )

    def handle(self, *args, **options):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            self.stderr.write("No default site: run `make setup` first.")
            return
        second = second_hospital_site()
        if second is not None:
            # Moved out of the way first: the two hosts swap when the base URL names localhost.
            second.hostname = f"moving.{SECOND_HOSPITAL_SLUG}.invalid"
            second.save(update_fields=["hostname"])
        site.hostname, site.port = demo_host_and_port()
        site.save(update_fields=["hostname", "port"])
        self.stdout.write(f"Links in e-mails now point at {site.root_url}/")
        if second is not None:
            second.hostname, second.port = second_hospital_host_and_port()
            second.save(update_fields=["hostname", "port"])
            self.stdout.write(f"The second hospital ({second.site_name}) answers at {second.root_url}/")
