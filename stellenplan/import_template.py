"""Excel templates of the imports (issue 23): a file with the header row the importer expects,
one example row, a sheet "Hinweise" that explains every column (allowed values, formats) and,
where cheap, a choice list of the existing codes in a column (Excel data validation over a
sheet "Auswahllisten").

Written with ``core.xlsx`` like every workbook; ``positions_template`` here, the cost table's
in ``costing.import_template``. A template with its example row imports without errors (the
test re-imports it through the import page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from core.xlsx import BOLD, Column, ExcelBook, SheetWriter
from departments.models import OrgUnit
from stellenplan.imports import (
    H_END,
    H_FIXED_TERM,
    H_FTE,
    H_GRADE,
    H_ID,
    H_JUSTIFICATION,
    H_NOTE,
    H_NOTE_DATE,
    H_NUMBER,
    H_ORG_UNIT,
    H_START,
    H_TASK_HEADING,
    H_TASKS,
    H_TITLE,
    SHEET_POSITIONS,
    default_start_date,
)
from stellenplan.models import PayGrade

SHEET_NOTES = "Hinweise"
SHEET_LISTS = "Auswahllisten"
#: Data rows of the first sheet that get the choice lists.
VALIDATED_ROWS = 2000


@dataclass(frozen=True)
class TemplateColumn:
    """A column of a template: its header and width, the example value, what the "Hinweise"
    sheet says about it, whether the importer requires it, and optionally a choice list
    (the existing codes, with a label each for the list sheet)."""

    column: Column
    example: Any
    note: str
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()


def write_template(
    handle: IO[bytes], *, title: str, sheet: str, intro: str, columns: Sequence[TemplateColumn]
) -> None:
    """The template: `sheet` with header and example row, "Hinweise", "Auswahllisten"."""
    book = ExcelBook(title)
    data = book.sheet(sheet, [c.column for c in columns])
    data.freeze(header_row=1)
    data.header()
    data.data([c.example for c in columns])
    data.finish_table(2, 2)
    notes = book.sheet(
        SHEET_NOTES, [Column("Spalte", 28), Column("Pflicht", 8), Column("Inhalt", 90, wrap=True)]
    )
    notes.text(intro, BOLD)
    notes.text("")
    notes.header()
    for c in columns:
        notes.data([c.column.header, "ja" if c.required else "nein", c.note])
    listed = [c for c in columns if c.choices]
    if listed:
        _choice_lists(book, data, columns, listed)
    book.save(handle)


def _choice_lists(
    book: ExcelBook,
    data: SheetWriter,
    columns: Sequence[TemplateColumn],
    listed: list[TemplateColumn],
) -> None:
    """One pair of columns (code, label) per listed column on "Auswahllisten"; the data sheet's
    column takes its codes as a choice list (Excel refuses other entries)."""
    layout = [
        Column(part, 30 if part == "Bezeichnung" else 14)
        for _ in listed
        for part in ("Kürzel", "Bezeichnung")
    ]
    lists = book.sheet(SHEET_LISTS, layout)
    lists.header([text for c in listed for text in (c.column.header, "Bezeichnung")])
    longest = max(len(c.choices) for c in listed)
    for index in range(longest):
        row: list[Any] = []
        for c in listed:
            code, label = c.choices[index] if index < len(c.choices) else (None, None)
            row += [code, label]
        lists.data(row)
    for position, c in enumerate(listed):
        letter = lists.letter(2 * position)
        data.choice_list(
            list(columns).index(c),
            f"'{SHEET_LISTS}'!${letter}$2:${letter}${len(c.choices) + 1}",
            2,
            VALIDATED_ROWS + 1,
            title=f"Unbekannt: {c.column.header}",
            message=f"Bitte einen Wert aus der Liste wählen (Blatt „{SHEET_LISTS}“).",
        )


def grade_choices() -> list[tuple[str, str]]:
    """The existing pay grades as (code, Statusgruppe) for a choice list, in plan order."""
    labels = dict(PayGrade.StatusGroup.choices)
    return [
        (code, str(labels.get(group, group)))
        for code, group in PayGrade.objects.order_by("sort_order", "code").values_list(
            "code", "status_group"
        )
    ]


def example_grade(grades: list[tuple[str, str]]) -> str:
    """EG 9 where it exists (the reference paper's commonest grade), else the first grade."""
    codes = [code for code, _ in grades]
    return "EG 9" if "EG 9" in codes or not codes else codes[0]


def positions_template(handle: IO[bytes], today: date | None = None) -> None:
    """The template of the positions import (``stellenplan.imports``)."""
    units = list(OrgUnit.objects.order_by("code").values_list("code", "name"))
    grades = grade_choices()
    start = default_start_date(today)
    example_unit = units[0][0] if units else "10-5.1"
    columns = [
        TemplateColumn(
            Column(H_ID, 8),
            None,
            "Leer für eine neue Stelle. Die ID einer vorhandenen Stelle (Spalte „ID“ des "
            "Excel-Exports) ändert diese Stelle; Zeilen ohne Änderung werden übersprungen.",
        ),
        TemplateColumn(
            Column(H_ORG_UNIT, 12),
            example_unit,
            "Kürzel einer vorhandenen Organisationseinheit, z. B. 10-5.1 oder 29AL (Liste im Blatt "
            f"„{SHEET_LISTS}“). Ist die Zelle als Datum formatiert, die Spalte als Text formatieren.",
            required=True,
            choices=units,
        ),
        TemplateColumn(
            Column(H_GRADE, 12),
            example_grade(grades),
            "Ein vorhandener Stellenwert, geschrieben wie im Stellenplan: A 12, A 13 hD, EG 9 "
            f"(Liste im Blatt „{SHEET_LISTS}“). Groß- und Kleinschreibung zählen nicht.",
            required=True,
            choices=grades,
        ),
        TemplateColumn(
            Column(H_TITLE, 34, wrap=True, quoted=True),
            "Sachbearbeitung (Beispielzeile: ersetzen oder löschen)",
            "Funktionsbezeichnung der Stelle, Text.",
            required=True,
        ),
        TemplateColumn(
            Column(H_FTE, 10, kind="fte"),
            Decimal("0.5"),
            "Stellenanteil größer als 0 und höchstens 1, höchstens zwei Nachkommastellen: 0,5 "
            "oder 0.5 (eine Zahl; „0.500“ läse sich als 500).",
            required=True,
        ),
        TemplateColumn(
            Column(H_NOTE, 10),
            None,
            "Leer, KW (künftig wegfallend) oder KU (künftig umzuwandeln).",
        ),
        TemplateColumn(
            Column(H_NOTE_DATE, 12, kind="date"),
            None,
            "Datum des kw-/ku-Vermerks (TT.MM.JJJJ), nur mit Vermerk.",
        ),
        TemplateColumn(
            Column(H_START, 12, kind="date"),
            start,
            "Datum TT.MM.JJJJ, ab dem die Stelle besteht. Leer: der Beginn, der beim Hochladen "
            "angegeben wird (bei einer vorhandenen Stelle bleibt ihr Beginn).",
        ),
        TemplateColumn(
            Column(H_END, 12, kind="date"),
            None,
            "Datum TT.MM.JJJJ, bis zu dem die Stelle besteht; leer: unbefristet.",
        ),
        TemplateColumn(
            Column(H_FIXED_TERM, 10),
            "nein",
            "„ja“ oder „nein“ (auch j/n, x); eine Stelle mit Ende ist immer befristet.",
        ),
        TemplateColumn(
            Column(H_NUMBER, 14, quoted=True),
            None,
            "Stellennummer, freiwillig; wenn angegeben, eindeutig.",
        ),
        TemplateColumn(
            Column(H_TASK_HEADING, 24, wrap=True, quoted=True),
            None,
            "Überschrift der Aufgabenbeschreibung (Anlage der Beschlussvorlage), freiwillig.",
        ),
        TemplateColumn(
            Column(H_TASKS, 40, wrap=True, quoted=True),
            None,
            "Aufgaben, eine je Zeile (Zeilenumbruch in der Zelle: Alt+Eingabe), freiwillig.",
        ),
        TemplateColumn(
            Column(H_JUSTIFICATION, 40, wrap=True, quoted=True),
            None,
            "Begründung der Stelle, freiwillig.",
        ),
    ]
    write_template(
        handle,
        title="Vorlage Stellenimport",
        sheet=SHEET_POSITIONS,
        intro="Stellen importieren: eine Stelle je Zeile im Blatt „Stellen“, ab Zeile 2; die "
        "Kopfzeile nicht ändern. Die Beispielzeile ersetzen oder löschen. Vor dem Speichern "
        "zeigt die Anwendung eine Vorschau mit allen Fehlern und Warnungen.",
        columns=columns,
    )
