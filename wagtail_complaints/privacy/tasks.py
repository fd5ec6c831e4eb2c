"""The retention policy as a background task (django-tasks), e.g. enqueued daily by a scheduler."""

from django_tasks import task

from .retention import apply_retention


@task()
def apply_complaint_retention():
    """Anonymise the complaints due; returns how many."""
    return len(apply_retention())
