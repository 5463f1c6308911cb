import json

from django.core.management.base import BaseCommand, CommandError

from costing.services import CostingError, cost_year, costing_as_dict


class Command(BaseCommand):
    help = "Exportiert die Kosten eines Jahres (JSON auf stdout)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Haushaltsjahr, z. B. 2012")
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("-o", "--output", help="Datei statt Standardausgabe")

    def handle(self, *args, year: int, format: str, output: str | None, **options) -> None:
        try:
            costing = cost_year(year)
        except CostingError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(costing_as_dict(costing), ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)
