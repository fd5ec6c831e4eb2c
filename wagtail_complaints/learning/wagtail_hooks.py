"""Registers the learning app in the admin: its lists, its screens, its history lines, its statistics."""

from django.urls import include, path
from wagtail import hooks

from . import log_formats


@hooks.register("register_admin_viewset")
def register_improvement_actions_viewset():
    from .viewsets import improvement_action_viewset

    return improvement_action_viewset


@hooks.register("register_admin_viewset")
def register_second_level_bodies_viewset():
    from .viewsets import second_level_body_viewset

    return second_level_body_viewset


@hooks.register("register_admin_urls")
def register_second_level_urls():
    from . import urls

    return [path("complaints-learning/", include(urls, namespace="wagtail_complaints_learning"))]


@hooks.register("register_log_actions")
def register_learning_log_actions(actions):
    from .models import ImprovementAction, ImprovementActionLogEntry

    log_formats.register(actions)
    # Their own table, so Site history can keep to the user's sites (as for complaints).
    actions.register_model(ImprovementAction, ImprovementActionLogEntry)


@hooks.register("insert_complaint_screen_panels")
def add_learning_panel(request, complaint):
    from .panels import panel_for

    return panel_for(request, complaint)


@hooks.register("register_complaint_statistics_tables")
def register_learning_tables():
    from .tables import TABLES

    return TABLES
