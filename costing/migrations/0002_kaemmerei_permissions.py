"""Rights of the Kämmerei: edit cost tables, cost rates and reimbursement rules."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ["add", "change", "delete", "view"]
GRANTS = {
    "Kämmerei": [f"{a}_{m}" for a in ACTIONS for m in ["costtable", "costrate", "reimbursementrule"]],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("costing")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="costing", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=group_name):
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="costing", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("costing", "0001_initial"),
        ("departments", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
