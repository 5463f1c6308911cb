"""Role groups of the app, and the org unit rights of the Personalamt.

The groups are named exactly as the roles: Personalamt, Kämmerei, Sitzungsdienst. Later apps
give their own rights to these groups in their own migrations (stellenplan, costing, decisions).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["Personalamt", "Kämmerei", "Sitzungsdienst"]
PERSONALAMT_MODELS = ["orgunit", "budgetsection"]
ACTIONS = ["add", "change", "delete", "view"]


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("departments")
    # Permissions are normally created after all migrations (post_migrate): create them now.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    personalamt = Group.objects.get(name="Personalamt")
    personalamt.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="departments",
            codename__in=[f"{a}_{m}" for a in ACTIONS for m in PERSONALAMT_MODELS],
        )
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
