"""python manage.py freeze_adopted_decisions: a record for every adopted decision without one."""

from django.core.management.base import BaseCommand

from decisions.services import decisions_freeze_unrecorded


class Command(BaseCommand):
    help = (
        "Hält für jede beschlossene Beschlussvorlage ohne festgehaltene Beschlussfassung "
        "(beschlossen vor der Festschreibung, z. B. aus Referenzdaten) Zahlen, Stellen und PDF "
        "fest, markiert als nachträglich festgehalten. Mehrfaches Ausführen ändert nichts."
    )

    def handle(self, *args, **options) -> None:
        records = decisions_freeze_unrecorded(acting_user=None)
        for record in records:
            self.stdout.write(f"{record.decision.grdrs_label}: festgehalten ({record.pdf_sha256})")
        self.stdout.write(self.style.SUCCESS(f"{len(records)} Beschlussfassung(en) festgehalten."))
