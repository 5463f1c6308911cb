import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from costing.engine import CostingError, cost_year, costing_as_dict
from costing.excel import ExportError, selected_years, write_workbook


def year_list(values: list[str] | None) -> list[int]:
    """--years 2012 2013 or --years 2012,2013,2014."""
    years: list[int] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise CommandError(f"Ungültiges Jahr „{part}“: erwartet eine Jahreszahl wie 2012.")
            years.append(int(part))
    return years


class Command(BaseCommand):
    help = (
        "Exportiert die Kosten: JSON eines Jahres auf stdout, oder mit --format xlsx die "
        "Excel-Arbeitsmappe (Übersicht, je Amt/Referat, Kostensätze, Stellen) in eine Datei."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="Haushaltsjahr, z. B. 2012")
        parser.add_argument(
            "--years",
            nargs="+",
            metavar="JAHR",
            help="Jahre, z. B. --years 2012 2013 2014 oder 2012,2013 (xlsx: Vorgabe das Jahr "
            "und die zwei folgenden; json: eine Liste mit einem Eintrag je Jahr)",
        )
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", help="Datei statt Standardausgabe (xlsx: Pflicht)")

    def handle(
        self,
        *args,
        year: int | None,
        years: list[str] | None,
        format: str,
        output: str | None,
        **options,
    ) -> None:
        chosen = year_list(years)
        if year is None and not chosen:
            raise CommandError("Bitte --year JAHR oder --years JAHR … angeben.")
        if format == "xlsx":
            self._xlsx(year, chosen, output)
            return
        data: list[dict[str, Any]] | dict[str, Any]
        try:
            if chosen:
                data = [
                    costing_as_dict(cost_year(y, strict=False))
                    for y in sorted({*chosen, *([year] if year else [])})
                ]
            elif year is not None:  # (one of the two is given, see above)
                data = costing_as_dict(cost_year(year, strict=False))
        except CostingError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            self.stdout.write(text)

    def _xlsx(self, year: int | None, years: list[int], output: str | None) -> None:
        if not output:
            raise CommandError(
                "Für --format xlsx bitte mit -o DATEI.xlsx eine Ausgabedatei angeben."
            )
        try:
            chosen = selected_years(year, years)
            with open(output, "wb") as handle:
                write_workbook(handle, chosen, scope="alle Stellen")
        except (ExportError, CostingError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Excel-Arbeitsmappe für {', '.join(map(str, chosen))} geschrieben: {output}"
        )
