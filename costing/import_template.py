"""The Excel template of the cost-table import (``costing.imports``), written like the positions
template (``stellenplan.import_template``): header row, one example row, "Hinweise", and the
existing grades as a choice list."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from core.xlsx import Column
from costing.excel import H_ANNUAL, H_IT, H_MATERIAL, H_PERSONNEL, SHEET_RATES
from stellenplan.import_template import (
    SHEET_LISTS,
    TemplateColumn,
    example_grade,
    grade_choices,
    write_template,
)
from stellenplan.imports import H_GRADE

COMPONENTS = (
    "Freiwillig; wenn Personal-, Sach- und IT-Kosten angegeben sind, ergeben sie zusammen die "
    "Jahreskosten. Betrag in Euro: 74300, 74.300 oder 74300,00."
)


def cost_table_template(handle: IO[bytes]) -> None:
    grades = grade_choices()
    columns = [
        TemplateColumn(
            Column(H_GRADE, 14),
            example_grade(grades),
            "Ein vorhandener Stellenwert (Liste im Blatt "
            f"„{SHEET_LISTS}“), ein Kostensatz je Stellenwert. Neue Stellenwerte (beginnend mit "
            "„A “ für Beamte oder „EG “ für Tarifbeschäftigte) nur mit „Stellenwerte anlegen“.",
            required=True,
            choices=grades,
        ),
        TemplateColumn(
            Column(H_ANNUAL, 14, kind="money"),
            Decimal("63000.00"),
            "Jahreskosten eines Vollzeitarbeitsplatzes in Euro, größer als 0: 63000, 63.000 "
            "oder 63000,00 (höchstens zwei Nachkommastellen).",
            required=True,
        ),
        TemplateColumn(Column(H_PERSONNEL, 14, kind="money"), None, COMPONENTS),
        TemplateColumn(Column(H_MATERIAL, 14, kind="money"), None, COMPONENTS),
        TemplateColumn(Column(H_IT, 14, kind="money"), None, COMPONENTS),
    ]
    write_template(
        handle,
        title="Vorlage Kostentabelle",
        sheet=SHEET_RATES,
        intro="Kostentabelle importieren: ein Kostensatz je Zeile im Blatt „Kostensätze“, ab "
        "Zeile 2; die Kopfzeile nicht ändern. Name und „gültig ab“ der Tabelle werden beim "
        "Hochladen angegeben. Vor dem Speichern zeigt die Anwendung eine Vorschau.",
        columns=columns,
    )
