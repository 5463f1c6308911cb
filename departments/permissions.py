"""Who may change what: Django model permissions, granted to the role groups by migrations.

Everyone logged in may read everything; writes need the model permission
(``departments.change_orgunit`` …). The roles are the groups Personalamt, Kämmerei and
Sitzungsdienst (see the migrations ``departments/0002_roles`` and the later apps' grants);
superusers may do everything.

The generic helpers live here because departments is the root of the app dependency chain:
stellenplan, costing and decisions build their helpers per object type on top of them.
"""

from dataclasses import dataclass
from typing import Literal

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Model

from departments.models import BudgetSection, OrgUnit

Action = Literal["view", "add", "change", "delete"]

ACTION_WORDS: dict[str, str] = {
    "view": "ansehen",
    "add": "anlegen",
    "change": "ändern",
    "delete": "löschen",
}


@dataclass(frozen=True)
class ModelRights:
    """What a user may do with one kind of object (for views and for showing buttons)."""

    add: bool
    change: bool
    delete: bool

    @property
    def any_write(self) -> bool:
        return self.add or self.change or self.delete


def model_rights(user, model: type[Model]) -> ModelRights:
    opts = model._meta

    def has(action: str) -> bool:
        return bool(user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}"))

    return ModelRights(add=has("add"), change=has("change"), delete=has("delete"))


def require_model_right(user, model: type[Model], action: Action) -> None:
    """Raise PermissionDenied (HTTP 403) with a German message unless the user has the right."""
    if action == "view":
        if user.is_authenticated:
            return
    elif getattr(model_rights(user, model), action):
        return
    raise PermissionDenied(
        f"Ihre Rolle darf {model._meta.verbose_name_plural} nicht {ACTION_WORDS[action]}."
    )


def orgunit_rights(user) -> ModelRights:
    return model_rights(user, OrgUnit)


def require_orgunit_right(user, action: Action) -> None:
    require_model_right(user, OrgUnit, action)


def budgetsection_rights(user) -> ModelRights:
    return model_rights(user, BudgetSection)


def require_budgetsection_right(user, action: Action) -> None:
    require_model_right(user, BudgetSection, action)
