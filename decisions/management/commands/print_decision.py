"""python manage.py print_decision ID -o FILE.pdf: the PDF of a decision, with its findings."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisions.consistency import number_check
from decisions.models import Decision
from decisions.pdf import document_for, render_decision_pdf
from decisions.selectors import current_record


class Command(BaseCommand):
    help = "Druckt eine Beschlussvorlage als PDF (A4) und listet vorher die Befunde der Prüfung."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("decision_id", type=int, help="Nummer (ID) der Beschlussvorlage")
        parser.add_argument("-o", "--output", required=True, help="Zieldatei, z. B. vorlage.pdf")

    def handle(self, *args, decision_id: int, output: str, **options) -> None:
        decision = Decision.objects.filter(pk=decision_id).first()
        if decision is None:
            raise CommandError(f"Eine Beschlussvorlage mit der ID {decision_id} gibt es nicht.")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"Der Ordner {target.parent} für die Ausgabe existiert nicht.")
        record = current_record(decision)
        if record is not None:
            target.write_bytes(bytes(record.pdf))
            self.stdout.write(
                self.style.SUCCESS(
                    f"{decision.grdrs_label} (beschlossen am {record.adopted_on:%d.%m.%Y}) "
                    f"gedruckt wie festgehalten: {target}"
                )
            )
            return
        doc = document_for(decision)
        if doc.costing_error:
            self.stderr.write(f"Achtung: {doc.costing_error}")
        else:
            check = number_check(doc.decision, doc.finance)
            for finding in check.findings:
                self.stderr.write(f"Befund: {finding.message}")
            self.stderr.write(f"Beträge: {check.amount_summary}")
        target.write_bytes(render_decision_pdf(decision, doc))
        self.stdout.write(self.style.SUCCESS(f"{decision.grdrs_label} gedruckt: {target}"))
