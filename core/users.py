"""Who does a write: the type of every service's ``acting_user`` and how a view gets it.

Every service takes ``acting_user: User | None``: the user the history records for the write,
or None for the system (a management command without a user, a data migration). ``User`` is
the project's user model (``settings.AUTH_USER_MODEL``, Django's default ``auth.User``), the
class django-stubs resolves ``request.user`` to.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

__all__ = ["User", "request_user"]


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a ``login_required`` view, as the acting user of a service; an
    anonymous request gets 403 (it cannot reach here past ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
