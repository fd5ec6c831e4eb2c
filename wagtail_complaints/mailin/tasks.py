"""Background work: poll the mailboxes (schedule `fetch_complaint_mailboxes`, e.g. every minute)."""

from django_tasks import task


@task()
def fetch_complaint_mailboxes():
    from .mailboxes import fetch_all

    return fetch_all()
