"""Fill an empty database with a plausible, reproducible city (issue 6): a development tool.

    DJANGO_DEBUG=1 python manage.py generate_city --positions 20000 --seed 1

The generator is bench.city.generate_city; this command checks its arguments and that the
database is empty, and reports what it made.
"""

from __future__ import annotations

from time import perf_counter

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bench.city import MIN_POSITIONS, existing_data, generate_city


class Command(BaseCommand):
    help = (
        "Füllt eine leere Datenbank mit einer erfundenen, reproduzierbaren Großstadt "
        "(Referate, Ämter, Untereinheiten, Stellenwerte, Kostentabellen, Stellen, Beschlüsse, "
        "Stellenpläne mit Änderungen und Besetzungen)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--positions", type=int, default=20000, help="Anzahl der Stellen (Vorgabe 20000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="Startwert des Zufalls")
        parser.add_argument(
            "--with-history",
            action="store_true",
            help="auch die Historie (Anlage-Einträge) der Stellen schreiben (langsamer)",
        )

    def handle(self, *args, positions: int, seed: int, with_history: bool, **options) -> None:
        if positions < MIN_POSITIONS:
            raise CommandError(
                f"--positions muss mindestens {MIN_POSITIONS} sein (angegeben: {positions})."
            )
        present = existing_data()
        if present:
            raise CommandError(
                "Die Datenbank ist nicht leer (vorhanden: "
                + ", ".join(present)
                + "). generate_city füllt nur eine leere Datenbank – bitte eine neue "
                "anlegen und migrieren, z. B. mit DATABASE_URL=sqlite:///stadt.sqlite3."
            )
        started = perf_counter()
        summary = generate_city(positions=positions, seed=seed, with_history=with_history)
        # Statistics for the query planner, as after any bulk load: PostgreSQL's autovacuum
        # would gather them within a minute, SQLite never by itself, and without them SQLite
        # sorts every position for a page of the list instead of reading it along the indexes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Stadt erzeugt (Startwert {seed}): {summary.referate} Referate, "
                f"{summary.aemter} Ämter, {summary.units} Organisationseinheiten, "
                f"{summary.grades} Stellenwerte, {summary.tables} Kostentabellen "
                f"mit {summary.rates} Kostensätzen, {summary.positions} Stellen, "
                f"{summary.decisions} Beschlüsse, {summary.plans} Stellenpläne mit "
                f"{summary.changes} Stellenplanänderungen und {summary.occupations} "
                f"Stellenbesetzungen in {seconds:.1f} s."
            )
        )
