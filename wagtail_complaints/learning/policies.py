"""Who may do what with the learning records, asked through Wagtail permission policies.

No new permissions or groups: the roles' existing complaint permissions answer every question.
"""

from django.contrib.auth import get_user_model
from wagtail.permission_policies import ModelPermissionPolicy

from ..workflow import HANDLE_PERMISSION

VIEW_PERMISSION = "wagtail_complaints.view_complaint"  # every role, the health-authority viewer included
# The permission only administrators hold (the office's settings): they manage the office's lists.
ADMINISTER_PERMISSION = "wagtail_complaints.change_complaintsettings"


class RolePolicy(ModelPermissionPolicy):
    """Each action answered by one of the roles' permissions (None: nobody)."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = actions

    def user_has_permission(self, user, action):
        permission = self.actions.get(action)
        return bool(permission and user.is_active and user.has_perm(permission))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        permissions = {self.actions.get(action) for action in actions} - {None}
        return [user for user in users if any(user.has_perm(p) for p in permissions)] if permissions else users.none()


def improvement_action_policy():
    from .models import ImprovementAction

    # Handlers and administrators write actions; viewers read them; only administrators delete one.
    return RolePolicy(
        ImprovementAction,
        {"view": VIEW_PERMISSION, "add": HANDLE_PERMISSION, "change": HANDLE_PERMISSION, "delete": ADMINISTER_PERMISSION},
    )


def second_level_body_policy():
    from .models import SecondLevelBody

    return RolePolicy(
        SecondLevelBody,
        {
            "view": HANDLE_PERMISSION,
            "add": ADMINISTER_PERMISSION,
            "change": ADMINISTER_PERMISSION,
            "delete": ADMINISTER_PERMISSION,
        },
    )


def may_refer(user):
    """Handlers and administrators record referrals and decisions; viewers never."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(HANDLE_PERMISSION))
