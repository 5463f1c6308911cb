"""Two people save the same position at the same moment, many times: exactly one wins.

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
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection, connections

from core.concurrency import ConcurrentEditError
from stellenplan.models import Position
from stellenplan.services import position_update
from tests.factories import PositionFactory

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
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
