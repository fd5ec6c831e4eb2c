"""Per-site settings (the office, the mailbox) edited only on the hospitals the user works on.

Wagtail asks a site setting's permission policy which sites' settings a user may open; this one
narrows Wagtail's answer to `permissions.sites_of(user)`.
"""

from wagtail.models import Site

try:
    from wagtail.permission_policies.sites import SitePermissionPolicy
except ImportError:  # pragma: no cover - a Wagtail without per-site setting permissions
    SitePermissionPolicy = None


class OwnSitesSettingPolicy(SitePermissionPolicy or object):
    def sites_user_has_any_permission_for(self, user, actions):
        from .permissions import within_sites_of

        return within_sites_of(user, super().sites_user_has_any_permission_for(user, actions), "pk")

    def user_has_any_permission_for_instance(self, user, actions, instance):
        from .permissions import works_on_site

        site_id = instance.pk if isinstance(instance, Site) else getattr(instance, "site_id", None)
        return works_on_site(user, site_id) and super().user_has_any_permission_for_instance(user, actions, instance)


class OwnSitesSettingMixin:
    """For a BaseSiteSetting: Wagtail registers the policy this returns."""

    @classmethod
    def get_permission_policy(cls):
        if SitePermissionPolicy is None:  # pragma: no cover
            return super().get_permission_policy()
        return OwnSitesSettingPolicy(cls)
