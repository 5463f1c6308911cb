from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.xlsx import ImportFailed
from stellenplan.imports import default_start_date, import_positions


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ungültiges Datum „{value}“: erwartet JJJJ-MM-TT.") from None


class Command(BaseCommand):
    help = (
        "Importiert Stellen aus einer Excel-Datei (.xlsx): Blatt „Stellen“, sonst das erste "
        "Blatt; Spalten Org.einheit, Stellenwert, Funktionsbezeichnung, Anzahl der Stellen, "
        "optional ID (wie im Excel-Export: ändert die Stelle mit dieser ID), Stellenvermerk, "
        "Beginn, Ende. Alles oder nichts, ohne Vorschau als ein Import gespeichert (rückgängig "
        "zu machen auf der Seite „Importe“); --dry-run zeigt nur, was geschähe."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Excel-Datei (.xlsx)")
        parser.add_argument(
            "--default-start",
            help="Beginn für Zeilen ohne Beginn, JJJJ-MM-TT (Vorgabe: 1. Januar des nächsten "
            f"Jahres, derzeit {default_start_date():%Y-%m-%d})",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
        parser.add_argument(
            "--user", help="Benutzername, dem der Import und die Historie zugeschrieben werden"
        )

    def handle(
        self,
        *args,
        file: str,
        default_start: str | None,
        dry_run: bool,
        user: str | None = None,
        **options,
    ):
        start = iso_date(default_start) if default_start else None
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"Unbekannter Benutzer „{user}“.")
        try:
            result = import_positions(
                file, default_start=start, dry_run=dry_run, acting_user=acting_user
            )
        except FileNotFoundError:
            raise CommandError(f"Datei nicht gefunden: {file}") from None
        except ImportFailed as failed:
            for issue in failed.issues:
                self.stderr.write(str(issue))
            raise CommandError(str(failed)) from None
        verb = "geprüft (nichts gespeichert)" if dry_run else "importiert"
        fte = f"{result.fte:f}".replace(".", ",")
        self.stdout.write(
            f"{result.created} Stellen ({fte} Stellenanteile) aus Blatt „{result.sheet}“ {verb}; "
            f"{result.updated} geändert, {result.unchanged} unverändert."
            + (f" Import {result.batch.pk}." if result.batch else "")
        )
