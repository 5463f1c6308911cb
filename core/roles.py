"""The roles of the app: one table, synced into Django groups after every ``migrate``.

A role is a group whose permissions are exactly those listed here (Django model permissions,
``<action>_<model>``); ``sync_roles`` creates missing groups and permissions and sets each
group's permissions to the table, so running it twice changes nothing. Superusers need no
role. Apps and models are named by label, so core imports no domain app.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from simple_history.models import HistoricalChanges

ALL = ("add", "change", "delete", "view")

#: role -> app label -> model name ("*": every model of the app except its history tables,
#: which nobody edits) -> actions
ROLES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "Personalamt": {
        "departments": {"orgunit": ALL, "budgetsection": ALL},
        "stellenplan": {
            "position": ALL,
            "paygrade": ("view",),
            "workingtime": ALL,
            "needcalculation": ALL,
            "needline": ALL,
            "staffingplan": (*ALL, "adopt"),
            "planexplanation": ALL,
            "positionchange": ALL,
            "occupation": ALL,
            "previousyearfigure": ALL,
            "traineecount": ALL,
        },
    },
    "Kämmerei": {
        "costing": {
            "costtable": ALL,
            "costrate": ALL,
            "reimbursementrule": ALL,
            "payadjustment": ALL,
        },
    },
    "Sitzungsdienst": {
        "decisions": {"*": ALL},
    },
    # Reopens a final status (beschlossen/abgelehnt) and stores an adopted record again, each
    # with a recorded reason (decisions.services.decision_reopen / decision_record_again).
    "Sitzungsdienst-Leitung": {
        "decisions": {"decision": ("reopen",)},
    },
}


def role_permissions(role: str, using: str = "default") -> list[Permission]:
    """The permissions of `role`, created where missing (a new model's before its first use)."""
    wanted: list[Permission] = []
    for app_label, models in ROLES[role].items():
        app_config = global_apps.get_app_config(app_label)
        for model in app_config.get_models():
            opts = model._meta
            if issubclass(model, HistoricalChanges):
                actions = models.get(opts.model_name or "", ())
            else:
                actions = models.get(opts.model_name or "", models.get("*", ()))
            if not actions:
                continue
            content_type = ContentType.objects.db_manager(using).get_for_model(
                model, for_concrete_model=False
            )
            for action in actions:
                permission, _ = Permission.objects.using(using).get_or_create(
                    content_type=content_type,
                    codename=f"{action}_{opts.model_name}",
                    defaults={"name": f"Can {action} {opts.verbose_name_raw}"},
                )
                wanted.append(permission)
    return wanted


def sync_roles(using: str = "default") -> None:
    """Create the role groups and give each exactly the permissions of the table."""
    for role in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(role_permissions(role, using))
