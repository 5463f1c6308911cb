"""Fixtures of the decisions tests: the reference decision and clients per role."""

from datetime import date

import pytest
from django.contrib.auth.models import Group

from decisions.models import Committee, Decision
from tests.factories import council_decided


@pytest.fixture
def reference(seed) -> Decision:
    """The Beschlussvorlage of 19.09.2011 (GRDrs 647/2011) from `loaddata seed`."""
    return Decision.objects.get(number="647/2011")


def _client_for(client, django_user_model, username: str, group: str | None):
    user = django_user_model.objects.create_user(username=username)  # no password: fast
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def sitzungsdienst(client, django_user_model):
    """A logged-in member of the Sitzungsdienst (edits decisions)."""
    return _client_for(client, django_user_model, "sitzungsdienst", "Sitzungsdienst")


@pytest.fixture
def personalamt(client, django_user_model):
    """A logged-in member of the Personalamt (reads decisions only)."""
    return _client_for(client, django_user_model, "personalamt", "Personalamt")


@pytest.fixture
def committees(db) -> dict[str, Committee]:
    """The Gremien a paper without the reference data goes to (Committee rows, by name)."""
    kinds = Committee.Classification
    return {
        name: Committee.objects.get_or_create(name=name, defaults={"classification": kind})[0]
        for name, kind in (
            ("Jugendhilfeausschuss", kinds.COMMITTEE),
            ("Verwaltungsausschuss", kinds.COMMITTEE),
            ("Gemeinderat", kinds.MAIN),
        )
    }


@pytest.fixture
def decided(reference) -> Decision:
    """The reference paper after the Gemeinderat's "zugestimmt" on 06.10.2011 (entered in the
    worklist), so it can be beschlossen."""
    council_decided(reference, on=date(2011, 10, 6))
    return reference
