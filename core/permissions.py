"""Who may do what: the one permission helper for every object type.

Everyone logged in may read everything; writes need the Django model permission
(``stellenplan.change_position`` …), which the roles (``core.roles``) grant; superusers may do
everything. Views call ``get_for_user`` (404 if missing, 403 without the right) or
``require_right``; templates get ``rights(user, Model)`` to show or hide buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

Action = Literal["view", "add", "change", "delete"]

ACTION_WORDS: dict[str, str] = {
    "view": "ansehen",
    "add": "anlegen",
    "change": "ändern",
    "delete": "löschen",
}

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ModelRights:
    """What a user may do with one kind of object (for views and for showing buttons)."""

    view: bool
    add: bool
    change: bool
    delete: bool

    @property
    def any_write(self) -> bool:
        return self.add or self.change or self.delete


def rights(user: Any, model: type[Model]) -> ModelRights:
    opts = model._meta

    def has(action: str) -> bool:
        return bool(user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}"))

    return ModelRights(
        view=bool(user.is_authenticated),
        add=has("add"),
        change=has("change"),
        delete=has("delete"),
    )


def require_right(user: Any, model: type[Model], action: Action) -> None:
    """Raise PermissionDenied (HTTP 403) with a German message unless the user has the right."""
    if getattr(rights(user, model), action):
        return
    raise PermissionDenied(
        f"Ihre Rolle darf {model._meta.verbose_name_plural} nicht {ACTION_WORDS[action]}."
    )


def get_for_user(
    user: Any, model: type[M], pk: Any, action: Action = "view", queryset: QuerySet[M] | None = None
) -> M:
    """The object (404 if there is none) after checking the user's right to it (403)."""
    require_right(user, model, action)
    return get_object_or_404(queryset if queryset is not None else model._default_manager, pk=pk)
