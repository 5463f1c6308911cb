from django.core.management.base import BaseCommand, CommandError

from core.xlsx import ImportFailed
from costing.imports import import_cost_table
from stellenplan.management.commands.import_positions import iso_date


class Command(BaseCommand):
    help = (
        "Importiert eine Kostentabelle aus einer Excel-Datei (.xlsx): Blatt „Kostensätze“, "
        "sonst das erste Blatt; Spalten Stellenwert, Jahreskosten, optional Personalkosten, "
        "Sachkosten, IT-Kosten. Alles oder nichts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Excel-Datei (.xlsx)")
        parser.add_argument("--name", required=True, help="Bezeichnung der Kostentabelle")
        parser.add_argument("--valid-from", required=True, help="gültig ab, JJJJ-MM-TT")
        parser.add_argument("--remark", default="", help="Bemerkung")
        parser.add_argument(
            "--create-grades",
            action="store_true",
            help="unbekannte Stellenwerte anlegen („A …“ Beamte, „EG …“ Tarif)",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")

    def handle(
        self,
        *args,
        file: str,
        name: str,
        valid_from: str,
        remark: str,
        create_grades: bool,
        dry_run: bool,
        **options,
    ) -> None:
        try:
            result = import_cost_table(
                file,
                name=name,
                valid_from=iso_date(valid_from),
                remark=remark,
                create_grades=create_grades,
                dry_run=dry_run,
            )
        except FileNotFoundError:
            raise CommandError(f"Datei nicht gefunden: {file}") from None
        except ImportFailed as failed:
            for issue in failed.issues:
                self.stderr.write(str(issue))
            raise CommandError(str(failed)) from None
        verb = "geprüft (nichts gespeichert)" if dry_run else "importiert"
        text = (
            f"Kostentabelle „{result.table.name}“ gültig ab {result.table.valid_from:%d.%m.%Y} "
            f"mit {result.rates} Kostensätzen aus Blatt „{result.sheet}“ {verb}."
        )
        if result.created_grades:
            text += f" Neue Stellenwerte: {', '.join(result.created_grades)}."
        self.stdout.write(text)
