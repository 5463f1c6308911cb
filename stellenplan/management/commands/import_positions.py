from datetime import date

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
        "optional Stellenvermerk, Beginn, Ende. Alles oder nichts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Excel-Datei (.xlsx)")
        parser.add_argument(
            "--default-start",
            help="Beginn für Zeilen ohne Beginn, JJJJ-MM-TT (Vorgabe: 1. Januar des nächsten "
            f"Jahres, derzeit {default_start_date():%Y-%m-%d})",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")

    def handle(self, *args, file: str, default_start: str | None, dry_run: bool, **options):
        start = iso_date(default_start) if default_start else None
        try:
            result = import_positions(file, default_start=start, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"Datei nicht gefunden: {file}") from None
        except ImportFailed as failed:
            for issue in failed.issues:
                self.stderr.write(str(issue))
            raise CommandError(str(failed)) from None
        verb = "geprüft (nichts gespeichert)" if dry_run else "importiert"
        fte = f"{result.fte:f}".replace(".", ",")
        self.stdout.write(
            f"{result.created} Stellen ({fte} Stellenanteile) aus Blatt „{result.sheet}“ {verb}."
        )
