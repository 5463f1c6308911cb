"""The Excel template of the cost-table import (``costing.imports``), written like the positions
template (``stellenplan.import_template``): header row, one example row, "Hinweise", and the
existing grades as a choice list."""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from core.xlsx import Column
from costing.excel import H_ANNUAL, H_IT, H_MATERIAL, H_PERSONNEL, SHEET_RATES
from stellenplan.import_template import SHEET_LISTS, TemplateColumn, write_template
from stellenplan.imports import H_GRADE
from stellenplan.models import PayGrade

COMPONENTS = (
    "Freiwillig; wenn Personal-, Sach- und IT-Kosten angegeben sind, ergeben sie zusammen die "
    "Jahreskosten. Betrag in Euro: 74300, 74.300 oder 74300,00."
)


def cost_table_template(handle: IO[bytes]) -> None:
    grades = list(
        PayGrade.objects.order_by("sort_order", "code").values_list("code", "status_group")
    )
    group_labels = dict(PayGrade.StatusGroup.choices)
    example = next(
        (code for code, _ in grades if code == "EG 9"), grades[0][0] if grades else "EG 9"
    )
    columns = [
        TemplateColumn(
            Column(H_GRADE, 14),
            example,
            "Ein vorhandener Stellenwert (Liste im Blatt "
            f"„{SHEET_LISTS}“), ein Kostensatz je Stellenwert. Neue Stellenwerte (beginnend mit "
            "„A “ für Beamte oder „EG “ für Tarifbeschäftigte) nur mit „Stellenwerte anlegen“.",
            required=True,
            choices=[(code, str(group_labels.get(group, group))) for code, group in grades],
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
