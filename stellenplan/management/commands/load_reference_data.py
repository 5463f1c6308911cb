from django.core.management import call_command
from django.core.management.base import BaseCommand

from departments.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Lädt die Referenzdaten (loaddata seed: Beschlussvorlage, Stellenplan 2012/2013 und seine "
        "Vorjahreszahlen 2011), aber nur in eine leere Datenbank."
    )

    def handle(self, *args, **options) -> None:
        if OrgUnit.objects.exists():
            self.stdout.write("Referenzdaten: Datenbank enthält schon Daten, nichts geladen.")
            return
        call_command("loaddata", "seed", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                "Referenzdaten geladen (Beschlussvorlage 19.09.2011, Vorjahreszahlen 2011)."
            )
        )
