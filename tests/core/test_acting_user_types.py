"""Every write takes ``acting_user: User | None`` (core/users.py): a function of the product
packages with a parameter named ``acting_user`` and any other annotation (or none) fails here by
name. mypy (``disallow_untyped_defs`` for the service modules, pyproject.toml) checks the calls.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from core.users import User, request_user

PACKAGES = ["core", "departments", "stellenplan", "costing", "decisions", "front"]
#: Functions not typed yet because their module is being reworked elsewhere; each must still be
#: untyped (typing one without removing it here fails, so the list only shrinks).
PENDING: set[str] = set()


def _modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if ".migrations" in info.name:
                continue
            yield importlib.import_module(info.name)


def _functions(module: ModuleType) -> Iterator[tuple[str, object]]:
    """The functions and methods defined in `module` (not the ones it imports)."""
    for name, obj in vars(module).items():
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            for attr, member in vars(obj).items():
                member = getattr(member, "__func__", member)  # classmethod, staticmethod
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attr}", member
        elif (
            callable(obj)
            and getattr(obj, "__module__", None) == module.__name__
            and inspect.isfunction(inspect.unwrap(obj))
        ):
            yield f"{module.__name__}.{name}", obj


def _acting_user_annotations() -> dict[str, object]:
    found = {}
    for module in _modules():
        for qualname, function in _functions(module):
            parameters = inspect.signature(function).parameters  # follows @transaction.atomic
            if "acting_user" not in parameters:
                continue
            signature = inspect.signature(function, eval_str=True)
            found[qualname] = signature.parameters["acting_user"].annotation
    return found


def test_every_acting_user_is_typed_user_or_none():
    found = _acting_user_annotations()
    assert len(found) >= 70, sorted(found)  # the walk reaches the services
    wrong = {
        name: annotation
        for name, annotation in found.items()
        if annotation != User | None and name not in PENDING
    }
    assert wrong == {}, "acting_user: User | None (from core.users) expected"
    typed_meanwhile = sorted(name for name in PENDING if found.get(name) == User | None)
    assert typed_meanwhile == [], "typed now: remove from PENDING"


def test_the_known_services_are_among_them():
    found = _acting_user_annotations()
    for name in [
        "core.concurrency.versioned_update",
        "stellenplan.services.position_update",
        "stellenplan.imports.confirm_positions",
        "costing.imports.cost_table_import_undo",
        "decisions.services.decision_change_status",
    ]:
        assert found[name] == User | None, name


@pytest.mark.django_db
def test_request_user_is_the_logged_in_user():
    request = RequestFactory().get("/")
    request.user = user = User.objects.create_user("anna")
    assert request_user(request) is user


def test_request_user_refuses_an_anonymous_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        request_user(request)
