"""The three roles as groups with the permissions they need. Safe to run again: it only adds."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

HANDLING = [
    "wagtailadmin.access_admin",
    "wagtail_complaints.view_complaint",
    "wagtail_complaints.add_complaint",
    "wagtail_complaints.change_complaint",
    "wagtail_complaints.view_personal_data",
]

# A frozen copy of permissions.ROLE_PERMISSIONS: migrations must not follow later code changes.
ROLES = {
    "Health-authority viewers": ["wagtailadmin.access_admin", "wagtail_complaints.view_complaint"],
    "Complaint handlers": HANDLING,
    "Complaints administrators": HANDLING
    + [
        f"wagtail_complaints.{action}_{model}"
        for model in ("operator", "category", "service", "answertemplate")
        for action in ("add", "change", "delete", "view")
    ]
    + ["wagtail_complaints.change_complaintsettings"],
}


def create_roles(apps, schema_editor):
    # On a fresh database our model permissions only appear after migrate; make them now.
    # (wagtailadmin.access_admin is created by wagtailadmin's own first migration.)
    app_config = apps.get_app_config("wagtail_complaints")
    models_module, app_config.models_module = getattr(app_config, "models_module", None), True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_complaints", "0002_default_categories"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ] + [
        # After these, when installed: they hand image/document choosers to every existing group.
        (label, name)
        for app, label, name in [
            ("wagtail.images", "wagtailimages", "0023_add_choose_permissions"),
            ("wagtail.documents", "wagtaildocs", "0011_add_choose_permissions"),
        ]
        if global_apps.is_installed(app)
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
