"""Rights of the Personalamt on the staffing plan: edit positions, read pay grades."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Personalamt": [
        "add_position",
        "change_position",
        "delete_position",
        "view_position",
        "view_paygrade",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("stellenplan")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="stellenplan", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="stellenplan", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("stellenplan", "0001_initial"),
        ("departments", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
