"""A stand-in for a real queue (django-tasks-db, RQ…) in tests: it keeps tasks like DummyBackend."""

from django_tasks.backends.dummy import DummyBackend


class QueueBackend(DummyBackend):
    pass
