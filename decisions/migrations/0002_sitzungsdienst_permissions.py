"""Rights of the Sitzungsdienst: add, change, delete and view every model of the decisions app."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ["add", "change", "delete", "view"]
GROUP = "Sitzungsdienst"


def decision_permissions(apps):
    app_config = apps.get_app_config("decisions")
    # Permissions are normally created after all migrations (post_migrate): create them now.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    models = [model._meta.model_name for model in app_config.get_models()]
    return Permission.objects.filter(
        content_type__app_label="decisions",
        codename__in=[f"{action}_{model}" for action in ACTIONS for model in models],
    )


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*decision_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*decision_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("departments", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
