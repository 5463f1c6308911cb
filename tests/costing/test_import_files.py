"""Files the importers must refuse before (or while) openpyxl reads them."""

import zipfile
from io import BytesIO

import pytest

from core import xlsx
from core.xlsx import ImportFailed, check_file
from costing.imports import import_cost_table
from stellenplan.imports import import_positions
from stellenplan.models import Position
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes

pytestmark = pytest.mark.usefixtures("seed")


def refused(data: bytes, tmp_path) -> str:
    path = tmp_path / "datei.xlsx"
    path.write_bytes(data)
    before = Position.objects.count()
    with pytest.raises(ImportFailed) as failed:
        import_positions(str(path))
    assert Position.objects.count() == before
    assert len(failed.value.issues) == 1
    return str(failed.value.issues[0])


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The xlsx `data` with some members replaced."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item)))
    return out.getvalue()


def test_it_refuses_a_file_over_10_mb_before_opening_it(tmp_path, monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl must not see this file")

    monkeypatch.setattr(xlsx, "load_workbook", must_not_open)
    message = refused(b"PK" + b"\0" * (10 * 1024 * 1024 - 1), tmp_path)
    assert message == "Die Datei ist zu groß (10,0 MB); erlaubt sind höchstens 10,0 MB."


def test_it_refuses_an_empty_file(tmp_path):
    assert refused(b"", tmp_path) == "Die Datei ist leer."


@pytest.mark.parametrize(
    "data",
    [b"Org.einheit;Stellenwert\n20-4;A 8\n", b"%PDF-1.7\n...", b"PK\x03\x04kaputt"],
)
def test_it_refuses_what_is_not_an_xlsx(tmp_path, data):
    assert "keine gültige Excel-Arbeitsmappe (.xlsx)" in refused(data, tmp_path)


def test_it_refuses_a_zip_that_is_not_a_workbook(tmp_path):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hallo.txt", "kein Excel")
    assert "keine gültige Excel-Arbeitsmappe" in refused(out.getvalue(), tmp_path)


def test_it_explains_old_xls_and_password_protected_files(tmp_path):
    message = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, tmp_path)
    assert "alten Excel-Format (.xls) oder mit einem Kennwort geschützt" in message


def test_it_refuses_a_zip_bomb_before_openpyxl_unpacks_it(tmp_path, monkeypatch):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl must not see this file")

    monkeypatch.setattr(xlsx, "load_workbook", must_not_open)
    out = BytesIO()
    valid = xlsx_bytes([POSITION_HEADER])
    with zipfile.ZipFile(BytesIO(valid)) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet2.xml", "w") as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(60):  # 60 MB of spaces pack into some 60 KB
                member.write(chunk)
    data = out.getvalue()
    assert len(data) < 1024 * 1024
    message = refused(data, tmp_path)
    assert "Zip-Bombe" in message
    assert "entpackt 60,0 MB" in message


def test_it_refuses_xml_entity_expansion(tmp_path):
    """'Billion laughs' in the sheet: defusedxml refuses it instead of expanding it."""
    valid = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    message = refused(rezip(valid, {"xl/worksheets/sheet1.xml": bomb}), tmp_path)
    assert "Die Datei enthält unzulässiges XML" in message
    assert "XML-Bombe" in message


def test_it_refuses_a_damaged_workbook_part(tmp_path):
    valid = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])
    broken = rezip(valid, {"xl/workbook.xml": b"<workbook><sheets><sheet"})
    assert "keine gültige Excel-Arbeitsmappe (.xlsx) oder beschädigt" in refused(broken, tmp_path)


def test_the_cost_table_import_applies_the_same_checks(tmp_path):
    path = tmp_path / "kosten.xlsx"
    path.write_text("Stellenwert;Jahreskosten")
    with pytest.raises(ImportFailed, match="2 Fehler gefunden") as failed:
        import_cost_table(str(path), name="X", valid_from=None)
    first, second = (str(issue) for issue in failed.value.issues)
    assert first.startswith("gültig ab:")  # the parameters are checked as well
    assert "keine gültige Excel-Arbeitsmappe" in second


def test_it_checks_file_objects_as_well_as_paths():
    stream = BytesIO(xlsx_bytes([POSITION_HEADER]))
    stream.seek(5)
    check_file(stream)  # a valid file passes ...
    assert stream.tell() == 0  # ... and is rewound for openpyxl
    with pytest.raises(ImportFailed):
        check_file(BytesIO(b"no zip"))
