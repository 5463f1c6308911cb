"""Imports you can trust (issue 11): re-imports recognise their rows by ID, duplicates are
warned about, a row limit, a preview kept as a pending batch, confirmation, undo."""

import time
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.xlsx import ImportFailed
from costing.engine import cost_year
from costing.excel import write_workbook
from stellenplan.imports import (
    H_ID,
    confirm_positions,
    import_positions,
    plan_positions,
    preview_positions,
)
from stellenplan.models import ImportBatch, ImportBatchItem, Position
from stellenplan.services import ImportBatchError, import_batch_undo, position_update
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes

pytestmark = pytest.mark.usefixtures("seed")

YEARS = [2011, 2012, 2013]
START = date(2013, 1, 1)


@pytest.fixture
def user(db) -> User:
    return User.objects.create_user("importeur")


def export_bytes() -> bytes:
    buffer = BytesIO()
    write_workbook(buffer, YEARS)
    return buffer.getvalue()


def edit_export(content: bytes, changes: dict[tuple[int, str], object]) -> bytes:
    """The export with cells changed: (position id, column header) -> new value."""
    workbook = load_workbook(BytesIO(content))
    sheet = workbook["Stellen"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == H_ID)
    columns = {cell.value: cell.column - 1 for cell in header_row}
    for row in sheet.iter_rows(min_row=header_row[0].row + 1):
        for (pk, column), value in changes.items():
            if row[0].value == pk:
                row[columns[column]].value = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def figures() -> list:
    return [cost_year(y).total for y in YEARS]


def history_count() -> int:
    return Position.history.count()


def test_importing_the_apps_own_export_twice_changes_nothing(user):
    before = figures()
    count, history = Position.objects.count(), history_count()
    assert before[1].fte == Decimal("13.5")  # the reference figures, 2012
    content = export_bytes()

    for _ in range(2):
        result = import_positions(BytesIO(content), acting_user=user)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 18)
        assert figures() == before
        assert Position.objects.count() == count
        assert history_count() == history
    assert ImportBatch.objects.filter(status="applied").count() == 2
    assert not ImportBatchItem.objects.exists()


def test_the_preview_of_the_own_export_lists_every_row_as_unchanged_and_saves_nothing(user):
    count, history = Position.objects.count(), history_count()
    plan, batch = preview_positions(
        export_bytes(), file_name="export.xlsx", default_start=START, acting_user=user
    )
    assert batch is not None and batch.status == ImportBatch.Status.PENDING
    assert batch.preview["counts"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 18,
        "refused": 0,
        "warnings": 0,
    }
    assert len(batch.file_sha256) == 64 and bytes(batch.file_content)
    assert Position.objects.count() == count and history_count() == history


def test_a_changed_row_of_the_export_updates_its_position_and_undo_restores_it(user):
    position = Position.objects.order_by("pk").first()
    old_title, old_fte = position.title, position.fte
    content = edit_export(
        export_bytes(),
        {(position.pk, "Funktionsbezeichnung"): "Neu", (position.pk, "Anzahl der Stellen"): 0.25},
    )
    count = Position.objects.count()

    plan, batch = preview_positions(
        content, file_name="x.xlsx", default_start=START, acting_user=user
    )
    assert batch.preview["counts"]["updated"] == 1
    assert batch.preview["counts"]["unchanged"] == 17
    [change] = batch.preview["updated"]
    assert change["id"] == position.pk
    assert ["Funktionsbezeichnung", old_title, "Neu"] in change["changes"]
    fte_change = next(c for c in change["changes"] if c[0] == "Anzahl der Stellen")
    assert fte_change[2] == "0,25" and fte_change[1] != "0,25"
    position.refresh_from_db()
    assert position.title == old_title  # the preview saved nothing

    confirmation = confirm_positions(batch_id=batch.pk, acting_user=user)
    assert confirmation.applied, confirmation.message
    position.refresh_from_db()
    assert (position.title, position.fte) == ("Neu", Decimal("0.25"))
    assert position.history.first().history_user == user
    assert Position.objects.count() == count
    batch.refresh_from_db()
    assert (batch.status, batch.updated, batch.created, bytes(batch.file_content)) == (
        "applied",
        1,
        0,
        b"",
    )

    import_batch_undo(batch_id=batch.pk, acting_user=user)
    position.refresh_from_db()
    assert (position.title, position.fte) == (old_title, old_fte)
    assert position.history.first().history_user == user
    batch.refresh_from_db()
    assert batch.status == "undone" and batch.undone_by == user


def test_undo_deletes_the_created_positions(user):
    count = Position.objects.count()
    content = xlsx_bytes(
        [POSITION_HEADER, ["20-4", "A 8", "SB neu 1", 1], ["20-4", "A 8", "SB neu 2", "0,5"]]
    )
    result = import_positions(BytesIO(content), acting_user=user, default_start=START)
    assert result.created == 2 and Position.objects.count() == count + 2
    assert result.batch.created_by == user

    import_batch_undo(batch_id=result.batch.pk, acting_user=user)

    assert Position.objects.count() == count
    assert not Position.objects.filter(title__startswith="SB neu").exists()
    deleted = Position.history.filter(history_type="-", title="SB neu 1").get()
    assert deleted.history_user == user


def test_undo_is_refused_naming_the_row_after_a_position_was_edited(user):
    content = xlsx_bytes(
        [POSITION_HEADER, ["20-4", "A 8", "SB neu 1", 1], ["20-4", "A 8", "SB neu 2", 1]]
    )
    result = import_positions(BytesIO(content), acting_user=user, default_start=START)
    edited = Position.objects.get(title="SB neu 2")
    position_update(
        acting_user=user,
        position=edited,
        expected_version=edited.version,
        data={"fte": Decimal("0.5")},
    )

    with pytest.raises(ImportBatchError) as refused:
        import_batch_undo(batch_id=result.batch.pk, acting_user=user)

    message = str(refused.value)
    assert "kann nicht rückgängig gemacht werden" in message
    assert f"Zeile 3 (ID {edited.pk}, „SB neu 2“)" in message
    assert Position.objects.filter(title__startswith="SB neu").count() == 2
    assert ImportBatch.objects.get(pk=result.batch.pk).status == "applied"


def test_an_unknown_id_is_refused_with_a_german_message():
    content = xlsx_bytes([[H_ID, *POSITION_HEADER], [999_999, "20-4", "A 8", "SB", 1]])
    with pytest.raises(ImportFailed) as failed:
        import_positions(BytesIO(content))
    [issue] = failed.value.issues
    assert (issue.row, issue.column, issue.letter, issue.value) == (2, "ID", "A", "999.999")
    assert "Eine Stelle mit dieser ID gibt es nicht (mehr)" in issue.message


def test_an_id_twice_and_an_id_that_is_no_number_are_refused():
    pk = Position.objects.order_by("pk").first().pk
    content = xlsx_bytes(
        [
            [H_ID, *POSITION_HEADER],
            [pk, "20-4", "A 8", "SB", 1],
            [pk, "20-4", "A 8", "SB", 1],
            ["x1", "20-4", "A 8", "SB", 1],
        ]
    )
    with pytest.raises(ImportFailed) as failed:
        import_positions(BytesIO(content))
    messages = {(i.row, i.column): i.message for i in failed.value.issues}
    assert "Die ID steht schon in Zeile 2" in messages[(3, "ID")]
    assert "erwartet die ID einer vorhandenen Stelle" in messages[(4, "ID")]


def test_likely_duplicates_are_warned_about_before_saving(user):
    existing = Position.objects.select_related("org_unit", "pay_grade").order_by("pk").first()
    same = [
        existing.org_unit.code,
        existing.pay_grade.code,
        f"  {existing.title.upper()} ",
        existing.fte,
        existing.start_date,
    ]
    header = [*POSITION_HEADER, "Beginn"]
    content = xlsx_bytes(
        [
            header,
            same,
            ["20-4", "A 8", "SB", 1, "01.01.2013"],
            ["20-4", "A 8", "sb", "1,0", "01.01.2013"],
        ]
    )

    plan = plan_positions(BytesIO(content), default_start=START)

    assert not plan.issues
    assert len(plan.new) == 3
    warnings = dict(plan.warnings)
    assert f"wie die vorhandene Stelle mit der ID {existing.pk}" in warnings[2]
    assert "wie Zeile 3 dieser Datei" in warnings[4]
    assert 3 not in warnings
    # the user may still save them
    count = Position.objects.count()
    _, batch = preview_positions(content, file_name="d.xlsx", default_start=START, acting_user=user)
    assert batch.preview["counts"]["warnings"] == 2
    assert confirm_positions(batch_id=batch.pk, acting_user=user).applied
    assert Position.objects.count() == count + 3


def test_a_file_with_more_rows_than_the_limit_is_refused_with_a_clear_message(settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [POSITION_HEADER] + [["20-4", "A 8", f"SB {i}", 1] for i in range(6)]
    with pytest.raises(ImportFailed) as failed:
        import_positions(BytesIO(xlsx_bytes(rows)))
    [issue] = failed.value.issues
    assert "mehr als 5 Datenzeilen; erlaubt sind höchstens 5 Zeilen" in str(issue)
    rows.pop()
    assert import_positions(BytesIO(xlsx_bytes(rows)), dry_run=True).created == 6 - 1


def broken_at_the_end(rows: int) -> bytes:
    """An xlsx of `rows` data rows whose last number cell cannot be parsed: reading the sheet
    to its end fails ("beschädigt"), reading only its beginning does not."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Stellen")
    sheet.append(POSITION_HEADER)
    for i in range(rows):
        sheet.append(["20-4", "A 8", f"SB {i}", 1])
    sheet.append(["20-4", "A 8", "SB", 987654321])
    buffer = BytesIO()
    workbook.save(buffer)
    original = zipfile.ZipFile(BytesIO(buffer.getvalue()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in original.infolist():
            data = original.read(member.filename)
            if member.filename.startswith("xl/worksheets/"):
                data = data.replace(b"<v>987654321</v>", b"<v>kaputt</v>")
            target.writestr(member.filename, data)
    return out.getvalue()


def test_reading_stops_at_the_row_limit_instead_of_reading_the_whole_sheet(settings):
    content = broken_at_the_end(5_000)
    with pytest.raises(ImportFailed) as failed:  # the whole file is read: the broken end
        import_positions(BytesIO(content))
    assert "beschädigt" in str(failed.value.issues[0])

    settings.IMPORT_MAX_ROWS = 50
    started = time.monotonic()
    with pytest.raises(ImportFailed) as failed:
        import_positions(BytesIO(content))
    assert "mehr als 50 Datenzeilen" in str(failed.value.issues[0])
    assert time.monotonic() - started < 5


def test_confirming_a_stale_preview_checks_the_file_again(user):
    position = Position.objects.order_by("pk").first()
    content = edit_export(export_bytes(), {(position.pk, "Funktionsbezeichnung"): "Neu"})
    _, batch = preview_positions(content, file_name="x.xlsx", default_start=START, acting_user=user)
    # Meanwhile someone else gives the position that very title: the row is now unchanged.
    position_update(
        acting_user=user,
        position=position,
        expected_version=position.version,
        data={"title": "Neu"},
    )
    version = Position.objects.get(pk=position.pk).version

    confirmation = confirm_positions(batch_id=batch.pk, acting_user=user)

    assert not confirmation.applied
    assert "bitte die neue Vorschau prüfen" in confirmation.message
    batch.refresh_from_db()
    assert batch.status == "pending"
    assert batch.preview["counts"]["updated"] == 0
    assert batch.preview["counts"]["unchanged"] == 18
    assert Position.objects.get(pk=position.pk).version == version
    # confirmed again, now at the new data version
    assert confirm_positions(batch_id=batch.pk, acting_user=user).applied


def test_a_stale_preview_that_still_does_the_same_is_saved(user):
    content = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB neu", 1]])
    _, batch = preview_positions(content, file_name="n.xlsx", default_start=START, acting_user=user)
    other = Position.objects.order_by("-pk").first()
    position_update(
        acting_user=user, position=other, expected_version=other.version, data={"title": "Anders"}
    )
    assert confirm_positions(batch_id=batch.pk, acting_user=user).applied
    assert Position.objects.filter(title="SB neu").count() == 1


def test_only_the_uploader_may_confirm_and_only_once(user):
    content = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB neu", 1]])
    _, batch = preview_positions(content, file_name="n.xlsx", default_start=START, acting_user=user)
    other = User.objects.create_user("jemand")
    with pytest.raises(ImportBatchError, match="Nur wer die Datei hochgeladen hat"):
        confirm_positions(batch_id=batch.pk, acting_user=other)
    assert confirm_positions(batch_id=batch.pk, acting_user=user).applied
    with pytest.raises(ImportBatchError, match="nicht noch einmal bestätigt"):
        confirm_positions(batch_id=batch.pk, acting_user=user)
    assert Position.objects.filter(title="SB neu").count() == 1


def test_a_file_with_refused_rows_gives_no_batch():
    content = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1], ["??", "A 8", "SB", 1]])
    plan, batch = preview_positions(
        content, file_name="f.xlsx", default_start=START, acting_user=None
    )
    assert batch is None
    assert [i.row for i in plan.issues] == [3]
    assert plan.preview()["counts"]["created"] == 1
    assert plan.preview()["counts"]["refused"] == 1
    assert not ImportBatch.objects.exists()


def test_the_command_applies_the_own_export_without_change_and_previews_with_dry_run(
    tmp_path, user
):
    path = tmp_path / "export.xlsx"
    position = Position.objects.order_by("pk").first()
    path.write_bytes(edit_export(export_bytes(), {(position.pk, "Funktionsbezeichnung"): "Neu"}))
    count, history = Position.objects.count(), history_count()

    out = StringIO()
    call_command("import_positions", str(path), "--dry-run", stdout=out)
    assert (
        "0 Stellen (0,00 Stellenanteile) aus Blatt „Stellen“ geprüft (nichts gespeichert); "
        "1 geändert, 17 unverändert." in out.getvalue()
    )
    assert history_count() == history and not ImportBatch.objects.exists()

    out = StringIO()
    call_command("import_positions", str(path), "--user", user.username, stdout=out)
    assert "importiert; 1 geändert, 17 unverändert. Import " in out.getvalue()
    position.refresh_from_db()
    assert position.title == "Neu"
    assert position.history.first().history_user == user
    assert ImportBatch.objects.get().created_by == user
    history = history_count()

    out = StringIO()
    call_command("import_positions", str(path), stdout=out)
    assert "0 geändert, 18 unverändert." in out.getvalue()
    assert Position.objects.count() == count and history_count() == history

    with pytest.raises(CommandError, match="Unbekannter Benutzer"):
        call_command("import_positions", str(path), "--user", "niemand")


def test_previews_not_confirmed_within_a_day_are_discarded_with_their_files(user):
    content = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB neu", 1]])
    _, old = preview_positions(content, file_name="a.xlsx", default_start=START, acting_user=user)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    _, new = preview_positions(content, file_name="b.xlsx", default_start=START, acting_user=user)
    old.refresh_from_db()
    assert (old.status, bytes(old.file_content)) == ("discarded", b"")
    assert new.status == "pending"
    with pytest.raises(ImportBatchError, match="nicht noch einmal bestätigt"):
        confirm_positions(batch_id=old.pk, acting_user=user)
