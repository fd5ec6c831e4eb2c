"""Roles as Django groups, and the permission policies the admin screens ask.

Views and menus never look at group names or `is_superuser`: they ask `user.has_perm` through
these policies. The groups only bundle permissions; `apply_role` keeps an operator's user in the
group of their role (and out of the other two).
"""

from django.contrib.auth.models import Group
from django.db.models import Exists, Q
from wagtail.models import Site
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Operator, Role

ROLE_GROUPS = {
    Role.ADMINISTRATOR: "Complaints administrators",
    Role.HANDLER: "Complaint handlers",
    Role.VIEWER: "Health-authority viewers",
}

VIEWER_PERMISSIONS = ["wagtailadmin.access_admin", "wagtail_complaints.view_complaint"]
HANDLER_PERMISSIONS = VIEWER_PERMISSIONS + [
    "wagtail_complaints.add_complaint",
    "wagtail_complaints.change_complaint",
    "wagtail_complaints.view_personal_data",
]
ADMINISTRATOR_PERMISSIONS = HANDLER_PERMISSIONS + [
    f"wagtail_complaints.{action}_{model}"
    for model in ("operator", "category", "service", "answertemplate", "emailwording")
    for action in ("add", "change", "delete", "view")
] + ["wagtail_complaints.change_complaintsettings", "wagtail_complaints.handle_data_requests_complaint"]

# The migration 0003_roles keeps its own frozen copy of this table.
ROLE_PERMISSIONS = {
    Role.ADMINISTRATOR: ADMINISTRATOR_PERMISSIONS,
    Role.HANDLER: HANDLER_PERMISSIONS,
    Role.VIEWER: VIEWER_PERMISSIONS,
}

PERSONAL_DATA_PERMISSION = "wagtail_complaints.view_personal_data"
# The policy action behind the access and erasure screens (privacy/): administrators only.
PERSONAL_DATA_REQUESTS_ACTION = "handle_data_requests"


def apply_role(user, role):
    """Put `user` in the group of `role` and take them out of the other roles' groups."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_GROUPS.values())}
    others = [group for name, group in groups.items() if name != ROLE_GROUPS.get(role)]
    if others:
        user.groups.remove(*others)
    if role in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
        user.groups.add(group)


def remove_roles(user):
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUPS.values()))


class ComplaintPermissionPolicy(ModelPermissionPolicy):
    """Complaints are never deleted from the admin: their history must survive."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action != "delete"])


def sites_of(user):
    """The ids of the sites whose complaints `user` works on, or None for every site.

    An operator with no site chosen (the health authority's own staff), and a user who is no
    operator at all (e.g. a superuser), work on every site. Read once per user object.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_complaint_sites"):
        through = Operator.sites.through.objects
        site_ids = sorted(through.filter(operator__user=user).values_list("site_id", flat=True))
        user._complaint_sites = site_ids or None
    return user._complaint_sites


def site_filter(site_ids, field="site"):
    """A Q for rows on these sites; rows with no site belong to the default site (as their settings do)."""
    allowed = Q(**{f"{field}__in": site_ids})
    if field == "pk":
        return allowed
    # In the same query (no round trip): the site-less rows, when the default site is one of these.
    default_among_them = Exists(Site.objects.filter(is_default_site=True, pk__in=site_ids))
    return allowed | (Q(**{f"{field}__isnull": True}) & Q(default_among_them))


def within_sites_of(user, queryset, field="site"):
    """`queryset` narrowed to the sites of `user`: every list, screen, file and export asks this."""
    sites = sites_of(user)
    return queryset if sites is None else queryset.filter(site_filter(sites, field))


def works_on_site(user, site_id):
    """Whether `user` works on the site `site_id` (None meaning the default site)."""
    sites = sites_of(user)
    if sites is None:
        return True
    if site_id is None:
        return Site.objects.filter(is_default_site=True, pk__in=sites).exists()
    return site_id in sites


def operators_managed_by(user, operators):
    """`operators` an administrator may see and edit: of a hospital they work on. An administrator
    of some hospitals does not touch the health authority's own staff (who work on all)."""
    sites = sites_of(user)
    if sites is None:
        return operators
    return operators.filter(pk__in=Operator.sites.through.objects.filter(site_id__in=sites).values("operator_id"))


def can_see_personal_data(user, office):
    """Whether `user` may read what identifies or describes the person behind a complaint: names and
    contacts, the texts (description, extra answers, messages, closing note, rating comment),
    attachments and e-mail recipients. Handlers always; viewers only when the office allows it."""
    if user.has_perm(PERSONAL_DATA_PERMISSION):
        return True
    return bool(office and office.viewers_see_personal_data and user.has_perm("wagtail_complaints.view_complaint"))


def can_see_personal_data_of(user, complaint):
    """`can_see_personal_data` under the settings of the site the complaint was filed on."""
    from .models import ComplaintSettings

    site = complaint.site or Site.objects.filter(is_default_site=True).first()
    return can_see_personal_data(user, ComplaintSettings.for_site(site) if site else None)




def sync_operator_role(sender, instance, **kwargs):
    # However an operator is saved (registry, load_demo, shell), their groups follow the role.
    apply_role(instance.user, instance.role)


def drop_operator_role(sender, instance, **kwargs):
    remove_roles(instance.user)


def register_signal_handlers():
    from django.db.models.signals import post_delete, post_save

    from .models import Operator

    post_save.connect(sync_operator_role, sender=Operator, dispatch_uid="wagtail_complaints_operator_role")
    post_delete.connect(drop_operator_role, sender=Operator, dispatch_uid="wagtail_complaints_operator_unrole")
