"""Two people write at the same moment, many times: one wins, the other gets a German message.

Two saves of the same position: exactly one wins.

Each round, two threads with their own database connections open the position (same version),
meet at a barrier and call ``position_update`` together. The service claims the version with
``UPDATE … WHERE version = v``: the first commit wins, the second finds no row with that
version and raises ``ConcurrentEditError`` with a German message naming what changed. Nothing is
lost: every winning edit is in the history, in order, and no losing edit reached the database.

PostgreSQL runs the two saves truly in parallel (row lock on the version claim). SQLite allows
one writer at a time, and its in-memory test database answers a second writer with "table is
locked" instead of waiting as a database file does; on SQLite the two saves therefore take
turns through a lock (which of the two goes first is still up to the threads), with fewer
rounds. CI runs the suite on both databases.

The same holds for the org unit tree: two crossed moves (A under B, B under A) never both
succeed, so the tree stays free of cycles; and deleting a unit while a position is created in
it ends with one of the two refused in German, never a 500 (see ``departments.services``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from departments.models import OrgUnit
from departments.services import orgunit_create, orgunit_delete, orgunit_update
from stellenplan.models import Position
from stellenplan.services import position_create, position_update
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory

ROUNDS = {"postgresql": 60, "sqlite": 15}
USERS = 2


@dataclass
class Outcome:
    user: str
    title: str
    won: bool
    message: str = ""


def edit_concurrently(position_id: int, users, round_no: int) -> list[Outcome]:
    barrier = threading.Barrier(len(users))
    outcomes: list[Outcome] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    # SQLite: one writer at a time, as a database file would enforce (see module docstring).
    one_writer = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def work(user) -> None:
        title = f"Runde {round_no}: Änderung von {user.username}"
        try:
            position = Position.objects.get(pk=position_id)  # the form is opened ...
            barrier.wait(timeout=30)  # ... and both press "Speichern" at once
            try:
                with one_writer:
                    position_update(
                        acting_user=user,
                        position=position,
                        expected_version=position.version,
                        data={
                            "title": title,
                            "fte": Decimal("0.5") if round_no % 2 else Decimal(1),
                        },
                    )
                outcome = Outcome(user.username, title, won=True)
            except ConcurrentEditError as error:
                outcome = Outcome(user.username, title, won=False, message=str(error))
            with lock:
                outcomes.append(outcome)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            with lock:
                failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_edits_win(django_user_model):
    users = [
        django_user_model.objects.create_user(f"personal{i}", password="Ein-langes-Passwort-1")
        for i in range(USERS)
    ]
    position = PositionFactory(title="Ausgangsstand")
    rounds = ROUNDS[connection.vendor]
    winners: list[Outcome] = []

    for round_no in range(1, rounds + 1):
        version_before = Position.objects.get(pk=position.pk).version
        outcomes = edit_concurrently(position.pk, users, round_no)

        assert len(outcomes) == USERS
        won = [o for o in outcomes if o.won]
        lost = [o for o in outcomes if not o.won]
        assert len(won) == 1, f"Runde {round_no}: {outcomes}"
        assert len(lost) == USERS - 1
        for loser in lost:
            assert "wurde inzwischen" in loser.message
            assert "Ihre Änderungen wurden nicht gespeichert" in loser.message
            assert "Funktionsbezeichnung" in loser.message  # names the field changed meanwhile
        saved = Position.objects.get(pk=position.pk)
        assert saved.title == won[0].title
        assert saved.version == version_before + 1
        winners.append(won[0])

    # Nothing lost, nothing extra: the history holds every winning edit, in order, by its user.
    edits = list(
        Position.history.filter(id=position.pk, history_type="~")
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    assert [(h.title, h.history_user.username) for h in edits] == [
        (w.title, w.user) for w in winners
    ]


# --- the org unit tree -------------------------------------------------------------------------

TREE_ROUNDS = {"postgresql": 100, "sqlite": 20}
DELETE_ROUNDS = {"postgresql": 20, "sqlite": 10}
#: What the loser of a race may get: a German refusal, never anything else.
REFUSALS = (ValidationError, ConcurrentEditError, DeleteRefusedError)


@dataclass
class Result:
    name: str
    error: Exception | None = None

    @property
    def won(self) -> bool:
        return self.error is None


def run_together(tasks: dict[str, Callable[[], object]]) -> dict[str, Result]:
    """Run each task in its own thread and connection, all starting at one barrier.

    A refusal (``REFUSALS``) is the task's result; any other exception fails the test.
    """
    barrier = threading.Barrier(len(tasks))
    results: dict[str, Result] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    one_writer = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def work(name: str, task: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                with one_writer:
                    task()
                result = Result(name)
            except REFUSALS as error:
                result = Result(name, error)
            with lock:
                results[name] = result
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            with lock:
                failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=item) for item in tasks.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert set(results) == set(tasks)
    return results


def assert_acyclic() -> None:
    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    for start in parents:
        seen = {start}
        current = parents[start]
        while current is not None:
            assert current not in seen, f"Kreis im Baum über Einheit {start}: {seen}"
            seen.add(current)
            current = parents[current]


def move(unit: OrgUnit, under: OrgUnit, user) -> Callable[[], object]:
    return functools.partial(
        orgunit_update,
        acting_user=user,
        unit=unit,
        expected_version=unit.version,
        data={"parent": under},
    )


@pytest.mark.django_db(transaction=True)
def test_crossed_moves_never_form_a_cycle(django_user_model):
    users = [
        django_user_model.objects.create_user(f"organisation{i}", password="Ein-langes-Passwort-1")
        for i in range(2)
    ]
    root = OrgUnitFactory(code="R", kind="referat")
    a = OrgUnitFactory(code="A")
    b = OrgUnitFactory(code="B")
    winners = set()

    for round_no in range(1, TREE_ROUNDS[connection.vendor] + 1):
        # Start each round from two siblings: top-level, or both below the Referat.
        start_parent = root if round_no % 2 else None
        OrgUnit.objects.filter(pk__in=[a.pk, b.pk]).update(parent=start_parent)
        a_now, b_now = OrgUnit.objects.get(pk=a.pk), OrgUnit.objects.get(pk=b.pk)  # forms open
        results = run_together(
            {"A unter B": move(a_now, b_now, users[0]), "B unter A": move(b_now, a_now, users[1])}
        )

        assert_acyclic()
        won = [r for r in results.values() if r.won]
        lost = [r for r in results.values() if not r.won]
        assert len(won) == 1, f"Runde {round_no}: {results}"
        assert isinstance(lost[0].error, ValidationError), lost[0].error
        assert (
            lost[0].error.message_dict["parent"][0].endswith("(der Baum darf keinen Kreis bilden).")
        )
        moved, other = (a, b) if won[0].name == "A unter B" else (b, a)
        assert OrgUnit.objects.get(pk=moved.pk).parent_id == other.pk
        assert OrgUnit.objects.get(pk=other.pk).parent_id == (start_parent and start_parent.pk)
        winners.add(won[0].name)

    if connection.vendor == "postgresql":
        assert winners == {"A unter B", "B unter A"}  # truly parallel: either may win


@pytest.mark.django_db(transaction=True)
def test_deleting_a_unit_while_a_position_is_created_in_it_ends_in_german(django_user_model):
    user = django_user_model.objects.create_user("organisation", password="Ein-langes-Passwort-1")
    grade = PayGradeFactory(code="EG 9")
    outcomes = set()

    for round_no in range(1, DELETE_ROUNDS[connection.vendor] + 1):
        unit = OrgUnitFactory(code=f"R{round_no}", name="Wird aufgelöst")
        opened = OrgUnit.objects.get(pk=unit.pk)  # both forms are open

        results = run_together(
            {
                "delete": functools.partial(
                    orgunit_delete, acting_user=user, unit=opened, expected_version=opened.version
                ),
                "create": functools.partial(
                    position_create,
                    acting_user=user,
                    org_unit=opened,
                    pay_grade=grade,
                    fte=Decimal(1),
                    title=f"Runde {round_no}",
                    start_date=date(2012, 1, 1),
                ),
            }
        )

        deleted, created = results["delete"], results["create"]
        assert deleted.won != created.won, f"Runde {round_no}: {results}"
        if deleted.won:
            assert isinstance(created.error, ValidationError)
            assert created.error.message_dict == {
                "org_unit": [
                    f"Die Organisationseinheit „R{round_no} Wird aufgelöst“ wurde inzwischen "
                    "gelöscht. Bitte wählen Sie eine andere Einheit."
                ]
            }
            assert not OrgUnit.objects.filter(pk=unit.pk).exists()
            assert not Position.objects.filter(title=f"Runde {round_no}").exists()
        else:
            assert isinstance(deleted.error, DeleteRefusedError)
            assert str(deleted.error) == (
                f"Die Organisationseinheit „R{round_no} Wird aufgelöst“ kann nicht gelöscht "
                "werden: ihr sind noch 1 Stelle zugeordnet. Ordnen Sie diese zuerst einer "
                "anderen Einheit zu."
            )
            assert Position.objects.get(title=f"Runde {round_no}").org_unit_id == unit.pk
        outcomes.add("delete" if deleted.won else "create")

    if connection.vendor == "postgresql":
        assert outcomes == {"delete", "create"}  # truly parallel: either may win


@pytest.mark.django_db(transaction=True)
def test_two_units_with_one_code_in_two_cases_at_once_end_in_german(django_user_model):
    user = django_user_model.objects.create_user("organisation", password="Ein-langes-Passwort-1")

    for round_no in range(1, DELETE_ROUNDS[connection.vendor] + 1):
        codes = {"groß": f"WFB{round_no}", "klein": f"wfb{round_no}"}
        results = run_together(
            {
                name: functools.partial(
                    orgunit_create, acting_user=user, kind="referat", code=code, name=name
                )
                for name, code in codes.items()
            }
        )

        won = [r for r in results.values() if r.won]
        lost = [r for r in results.values() if not r.won]
        assert len(won) == 1, f"Runde {round_no}: {results}"
        assert isinstance(lost[0].error, ValidationError), lost[0].error
        assert lost[0].error.message_dict == {
            "code": [
                f"Das Kürzel „{codes[lost[0].name]}“ ist schon vergeben (Groß- und "
                "Kleinschreibung zählen dabei nicht)."
            ]
        }
        assert list(OrgUnit.objects.filter(code__iexact=codes["groß"]).values_list("code")) == [
            (codes[won[0].name],)
        ]


# Deterministic on both databases: the interleavings of that race, one after the other.


@pytest.mark.django_db
def test_a_position_in_a_unit_deleted_meanwhile_is_refused_in_german(role_users):
    hr = role_users["personalamt"]
    unit = OrgUnitFactory(code="10-1", name="Allgemeiner Service")
    position = PositionFactory()
    OrgUnit.objects.filter(pk=unit.pk).delete()  # after the form offered the unit
    message = (
        "Die Organisationseinheit „10-1 Allgemeiner Service“ wurde inzwischen gelöscht. Bitte "
        "wählen Sie eine andere Einheit."
    )
    with pytest.raises(ValidationError) as created:
        position_create(
            acting_user=hr,
            org_unit=unit,
            pay_grade=position.pay_grade,
            fte=Decimal(1),
            title="Neu",
            start_date=date(2012, 1, 1),
        )
    assert created.value.message_dict == {"org_unit": [message]}
    with pytest.raises(ValidationError) as moved:
        position_update(
            acting_user=hr, position=position, expected_version=1, data={"org_unit": unit}
        )
    assert moved.value.message_dict == {"org_unit": [message]}
    assert list(Position.objects.values_list("pk", "version")) == [(position.pk, 1)]


@pytest.mark.django_db
def test_a_unit_with_a_position_created_after_the_page_opened_is_not_deleted(role_users):
    hr = role_users["personalamt"]
    unit = OrgUnitFactory(code="10-1", name="Allgemeiner Service")
    opened = OrgUnit.objects.get(pk=unit.pk)  # the delete page is open
    position_create(
        acting_user=hr,
        org_unit=unit,
        pay_grade=PayGradeFactory(),
        fte=Decimal(1),
        title="Neu",
        start_date=date(2012, 1, 1),
    )
    with pytest.raises(DeleteRefusedError) as refused:
        orgunit_delete(acting_user=hr, unit=opened, expected_version=opened.version)
    assert "ihr sind noch 1 Stelle zugeordnet" in str(refused.value)
    assert OrgUnit.objects.get(pk=unit.pk).version == 1


ADMIN_ROUNDS = {"postgresql": 12, "sqlite": 4}


def admin_add(client: Client, parent_pk: int, code: str) -> Callable[[], object]:
    """Add a unit below `parent_pk` through the Django admin; a form error is the refusal."""

    def task() -> None:
        response = client.post(
            reverse("admin:departments_orgunit_add"),
            {"kind": "abteilung", "code": code, "name": "Neu im Admin", "parent": parent_pk},
        )
        if response.status_code == 302:
            return
        assert response.status_code == 200, response.status_code
        page = response.content.decode()
        # deleted before the form is checked: the choice is gone; after: the hold says so
        for message in ("wurde inzwischen gelöscht", "Dies ist keine gültige Auswahl"):
            if message in page:
                raise ValidationError(message)
        raise AssertionError(page.split("errorlist", 1)[-1][:600])

    return task


@pytest.mark.django_db(transaction=True)
def test_adding_below_a_unit_in_the_admin_while_it_is_deleted_ends_in_german(django_user_model):
    """Red-team finding (issue 21): the admin's save holds the parent and checks under the
    tree lock (``orgunit_guard_parent``) as the services do; without it PostgreSQL refused the
    orphan only at commit (IntegrityError, a 500)."""
    admin = django_user_model.objects.create_superuser("admin-org", password="Ein-langes-Pw-1")
    user = django_user_model.objects.create_user("organisation", password="Ein-langes-Pw-1")
    client = Client()
    client.force_login(admin)
    outcomes = set()

    for round_no in range(1, ADMIN_ROUNDS[connection.vendor] + 1):
        unit = OrgUnitFactory(code=f"R{round_no}", name="Wird aufgelöst")
        opened = OrgUnit.objects.get(pk=unit.pk)
        results = run_together(
            {
                "delete": functools.partial(
                    orgunit_delete, acting_user=user, unit=opened, expected_version=opened.version
                ),
                "add": admin_add(client, unit.pk, f"R{round_no}-1"),
            }
        )

        deleted, added = results["delete"], results["add"]
        assert deleted.won != added.won, f"Runde {round_no}: {results}"
        if deleted.won:
            assert isinstance(added.error, ValidationError)
            assert not OrgUnit.objects.filter(code__startswith=f"R{round_no}").exists()
        else:
            assert isinstance(deleted.error, DeleteRefusedError)
            assert "kann nicht gelöscht werden" in str(deleted.error)
            assert OrgUnit.objects.get(code=f"R{round_no}-1").parent_id == unit.pk
        outcomes.add("delete" if deleted.won else "add")
    assert_acyclic()
