"""Who may do what with decisions: the one permission helper of the decisions app.

Everyone logged in may read decisions and download their PDF. Creating and editing (parts,
linked positions, status) needs the model permission ``decisions.add_decision`` /
``decisions.change_decision``, which the migration 0002 grants to the group Sitzungsdienst;
superusers have every right.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from decisions.models import Decision

Action = Literal["view", "add", "change", "delete"]

WORDS = {"view": "ansehen", "add": "anlegen", "change": "bearbeiten", "delete": "löschen"}


def has_decision_right(user, action: Action) -> bool:
    if not user.is_authenticated:
        return False
    if action == "view":
        return True
    return bool(user.has_perm(f"decisions.{action}_decision"))


def require_decision_right(user, action: Action) -> None:
    """Raise PermissionDenied (HTTP 403) with a German message unless the user has the right."""
    if not has_decision_right(user, action):
        raise PermissionDenied(f"Ihre Rolle darf Beschlussvorlagen nicht {WORDS[action]}.")


def get_decision_for_user(user, pk: int, action: Action = "view", queryset=None) -> Decision:
    """The decision (404 if there is none) after checking the user's right to it (403)."""
    require_decision_right(user, action)
    return get_object_or_404(queryset if queryset is not None else Decision.objects, pk=pk)
