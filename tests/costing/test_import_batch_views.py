"""Import pages of issue 11: preview, confirm, discard, the Importe list, undo (positions and
cost tables)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.formatting import format_decimal
from costing.engine import cost_year
from costing.excel import write_workbook
from costing.imports import cost_table_import_undo, import_cost_table
from costing.models import CostRate, CostTable
from costing.reference_services import costrate_update
from stellenplan.models import ImportBatch, PayGrade, Position
from stellenplan.services import ImportBatchError, import_batch_undo, position_update
from tests.costing.excel_files import POSITION_HEADER, RATE_HEADER, xlsx_bytes

pytestmark = pytest.mark.usefixtures("seed")

POSITIONS = reverse("excel:import_positions")
COST_TABLE = reverse("excel:import_cost_table")
LIST = reverse("excel:import_list")


def login(client, role: str, name: str = "") -> User:
    user = User.objects.create_user(name or f"nutzer-{role}")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def upload(client, data: bytes, name: str = "datei.xlsx"):
    return client.post(
        POSITIONS,
        {
            "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
            "default_start": "01.01.2013",
        },
    )


def batch_of(response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def confirm(client, batch: ImportBatch, **extra):
    return client.post(
        reverse("excel:import_batch_confirm", args=[batch.pk]), extra or {"bestaetigen": ""}
    )


def undo(client, batch: ImportBatch, token: str | None = None):
    """Confirm the undo page of `batch` with the state it shows (or `token`)."""
    url = reverse("excel:import_batch_undo", args=[batch.pk])
    if token is None:
        page = client.get(url).content.decode()
        token = page.split('name="zustand" value="', 1)[1].split('"', 1)[0]
    return client.post(url, {"zustand": token}, follow=True)


def export_bytes() -> bytes:
    buffer = BytesIO()
    write_workbook(buffer, [2011, 2012, 2013])
    return buffer.getvalue()


def test_the_own_export_uploaded_twice_through_the_pages_changes_nothing(client):
    login(client, "Personalamt")
    before = cost_year(2012).total
    count, history = Position.objects.count(), Position.history.count()
    assert (before.fte, before.annual_cost) == (Decimal("13.5"), Decimal("1128560"))
    content = export_bytes()

    for _ in range(2):
        batch = batch_of(upload(client, content, "Stellenplan_Kosten_2011-2013.xlsx"))
        page = client.get(reverse("excel:import_batch", args=[batch.pk])).content.decode()
        assert '<td class="num" data-count="unchanged">18</td>' in page
        assert '<td class="num" data-count="created">0</td>' in page
        assert confirm(client, batch).status_code == 302

    assert cost_year(2012).total == before
    assert Position.objects.count() == count
    assert Position.history.count() == history
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["applied", "applied"]


def test_the_preview_shows_old_and_new_values_and_saves_nothing(client):
    login(client, "Personalamt")
    position = Position.objects.order_by("pk").first()
    data = xlsx_bytes(
        [
            ["ID", *POSITION_HEADER],
            [position.pk, position.org_unit.code, position.pay_grade.code, "Umbenannt", 0.25],
            [None, "20-4", "A 8", "SB neu", 1],
        ]
    )
    count, history = Position.objects.count(), Position.history.count()

    batch = batch_of(upload(client, data))
    page = client.get(reverse("excel:import_batch", args=[batch.pk])).content.decode()

    assert '<td class="num" data-count="created">1</td>' in page
    assert '<td class="num" data-count="updated">1</td>' in page
    assert f"Funktionsbezeichnung: „{position.title}“ → „Umbenannt“" in page
    assert f"Anzahl der Stellen: „{format_decimal(position.fte)}“ → „0,25“" in page
    assert "SB neu" in page
    assert Position.objects.count() == count and Position.history.count() == history
    position.refresh_from_db()
    assert position.title != "Umbenannt"


def test_a_file_with_refused_rows_shows_them_with_the_preview_and_cannot_be_confirmed(client):
    login(client, "Personalamt")
    data = xlsx_bytes(
        [
            ["ID", *POSITION_HEADER],
            [None, "20-4", "A 8", "gut", 1],
            [987654, "20-4", "A 8", "SB", 1],
        ]
    )
    response = upload(client, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 Fehler gefunden – es wurde nichts gespeichert." in page
    assert "Eine Stelle mit dieser ID gibt es nicht (mehr)" in page
    assert "<td>ID (A)</td>" in page and "<td>987.654</td>" in page
    assert '<td class="num" data-count="created">1</td>' in page
    assert '<td class="num" data-count="refused">1</td>' in page
    assert "Bestätigen und speichern" not in page
    assert not ImportBatch.objects.exists()


def test_too_many_rows_are_refused_with_a_message(client, settings):
    settings.IMPORT_MAX_ROWS = 3
    login(client, "Personalamt")
    data = xlsx_bytes([POSITION_HEADER] + [["20-4", "A 8", f"SB {i}", 1] for i in range(4)])
    response = upload(client, data)
    assert response.status_code == 400
    assert "Die Datei hat mehr als 3 Datenzeilen; erlaubt sind höchstens 3 Zeilen" in (
        response.content.decode()
    )


def test_duplicates_are_warned_in_the_preview_and_can_still_be_saved(client):
    login(client, "Personalamt")
    data = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1], ["20-4", "A 8", "SB", 1]])
    batch = batch_of(upload(client, data))
    page = client.get(reverse("excel:import_batch", args=[batch.pk])).content.decode()
    assert '<td class="num" data-count="warnings">1</td>' in page
    assert "Möglicherweise doppelt: wie Zeile 2 dieser Datei" in page
    count = Position.objects.count()
    confirm(client, batch)
    assert Position.objects.count() == count + 2


def test_a_pending_import_is_only_visible_to_its_uploader_and_can_be_discarded(client):
    login(client, "Personalamt", "erste")
    batch = batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])))
    assert "Vorschau prüfen" in client.get(LIST).content.decode()

    login(client, "Personalamt", "zweite")
    assert client.get(reverse("excel:import_batch", args=[batch.pk])).status_code == 404
    assert confirm(client, batch).status_code == 404
    assert "Vorschau prüfen" not in client.get(LIST).content.decode()

    client.force_login(User.objects.get(username="erste"))
    count = Position.objects.count()
    response = confirm(client, batch, verwerfen="")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, bytes(batch.file_content)) == ("discarded", b"")
    assert Position.objects.count() == count


def test_a_stale_preview_is_shown_again_instead_of_being_saved(client):
    user = login(client, "Personalamt")
    position = Position.objects.order_by("pk").first()
    data = xlsx_bytes(
        [
            ["ID", *POSITION_HEADER],
            [position.pk, position.org_unit.code, position.pay_grade.code, "Umbenannt", 1],
        ]
    )
    batch = batch_of(upload(client, data))
    position_update(
        acting_user=user,
        position=position,
        expected_version=position.version,
        data={"fte": Decimal("0.25")},
    )

    response = client.get(
        reverse("excel:import_batch_confirm", args=[batch.pk])
    )  # GET is not allowed
    assert response.status_code == 405
    page = client.post(
        reverse("excel:import_batch_confirm", args=[batch.pk]), {"bestaetigen": ""}, follow=True
    ).content.decode()

    assert "Die Daten wurden seit der Vorschau geändert" in page
    assert "Anzahl der Stellen: „0,25“ → „1,0“" in page
    position.refresh_from_db()
    assert position.title != "Umbenannt"
    confirm(client, batch)
    position.refresh_from_db()
    assert (position.title, position.fte) == ("Umbenannt", Decimal("1.00"))


def test_undo_through_the_pages_and_its_refusal_after_an_edit(client):
    user = login(client, "Personalamt")
    data = xlsx_bytes(
        [POSITION_HEADER, ["20-4", "A 8", "SB eins", 1], ["20-4", "A 8", "SB zwei", 1]]
    )
    first = batch_of(upload(client, data))
    confirm(client, first)
    second = batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB drei", 1]])))
    confirm(client, second)
    listing = client.get(LIST).content.decode()
    assert reverse("excel:import_batch_undo", args=[first.pk]) in listing

    ask = client.get(reverse("excel:import_batch_undo", args=[second.pk]))
    assert "1 neu angelegte Stellen werden gelöscht" in ask.content.decode()
    assert "SB drei" in ask.content.decode()  # the rows that will be undone
    done = undo(client, second)
    assert f"Import {second.pk} wurde rückgängig gemacht." in done.content.decode()
    assert not Position.objects.filter(title="SB drei").exists()

    edited = Position.objects.get(title="SB zwei")
    position_update(
        acting_user=user, position=edited, expected_version=edited.version, data={"title": "SB 2"}
    )
    refused = undo(client, first)
    page = refused.content.decode()
    assert "kann nicht rückgängig gemacht werden" in page
    assert f"Zeile 3 (ID {edited.pk}, „SB zwei“)" in page
    assert Position.objects.filter(title__in=["SB eins", "SB 2"]).count() == 2


def test_other_roles_may_not_confirm_or_undo_an_import_of_positions(client):
    login(client, "Personalamt", "personal")
    batch = batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])))
    confirm(client, batch)
    login(client, "Kämmerei")
    assert client.get(reverse("excel:import_batch", args=[batch.pk])).status_code == 200
    assert client.post(reverse("excel:import_batch_undo", args=[batch.pk])).status_code == 403
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"


def test_undo_needs_the_confirmation_page_and_refuses_a_stale_or_double_undo(client):
    login(client, "Personalamt")
    batch = batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])))
    confirm(client, batch)
    url = reverse("excel:import_batch_undo", args=[batch.pk])
    page = client.get(url).content.decode()
    token = page.split('name="zustand" value="', 1)[1].split('"', 1)[0]
    assert token.startswith("applied@")

    # a POST without the page's state (a link, a script) undoes nothing
    blind = client.post(url, follow=True).content.decode()
    assert "die Bestätigung fehlt (Feld „zustand“ ist leer)" in blind
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"
    # a wrong state is refused naming it
    wrong = undo(client, batch, token="applied@2000-01-01").content.decode()
    assert "seit dem Öffnen der Bestätigungsseite geändert" in wrong
    assert Position.objects.filter(title="SB").exists()

    assert "wurde rückgängig gemacht." in undo(client, batch, token).content.decode()
    assert not Position.objects.filter(title="SB").exists()
    # the same page sent again (double click, back button) is refused, saying who undid it
    again = undo(client, batch, token).content.decode()
    assert "seit dem Öffnen der Bestätigungsseite geändert" in again
    assert "Status jetzt „rückgängig gemacht“ von nutzer-Personalamt am " in again


def test_only_the_importer_or_an_administrator_may_undo_an_import(client):
    importer = login(client, "Personalamt", "importeurin")
    batch = batch_of(upload(client, xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])))
    confirm(client, batch)
    token = f"applied@{ImportBatch.objects.get(pk=batch.pk).applied_at.isoformat()}"
    url = reverse("excel:import_batch_undo", args=[batch.pk])

    colleague = login(client, "Personalamt", "kollege")
    assert url not in client.get(LIST).content.decode()
    assert url not in client.get(reverse("excel:import_batch", args=[batch.pk])).content.decode()
    ask = client.get(url).content.decode()
    assert "Nur wer den Import hochgeladen hat (importeurin)" in ask
    assert 'name="zustand"' not in ask
    refused = undo(client, batch, token).content.decode()
    assert "nur wer ihn importiert hat (importeurin) oder ein Administrator" in refused
    assert ImportBatch.objects.get(pk=batch.pk).status == "applied"
    # the service refuses too, whoever calls it
    with pytest.raises(ImportBatchError, match="nur wer ihn importiert hat"):
        import_batch_undo(batch_id=batch.pk, acting_user=colleague)
    with pytest.raises(ImportBatchError, match="nur wer ihn importiert hat"):
        import_batch_undo(batch_id=batch.pk, acting_user=None)
    assert Position.objects.filter(title="SB").exists()

    admin = User.objects.create_superuser("chefin")
    client.force_login(admin)
    assert url in client.get(LIST).content.decode()
    assert "wurde rückgängig gemacht." in undo(client, batch).content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by, batch.created_by) == ("undone", admin, importer)


# --- cost tables ------------------------------------------------------------------------------


def rates_file() -> BytesIO:
    return BytesIO(
        xlsx_bytes([RATE_HEADER, ["A 8", 72000, None, None, None], ["A 99", 1, None, None, None]])
    )


def test_undo_of_a_cost_table_import_deletes_the_table_and_the_grades_it_created(role_users):
    user = role_users["kaemmerei"]
    tables, grades = CostTable.objects.count(), PayGrade.objects.count()
    result = import_cost_table(
        rates_file(), name="RS", valid_from=date(2014, 1, 1), create_grades=True, acting_user=user
    )
    assert CostTable.objects.count() == tables + 1 and PayGrade.objects.count() == grades + 1
    assert result.table.history.get().history_user == user
    assert ImportBatch.objects.get(pk=result.batch.pk).target == result.table

    cost_table_import_undo(batch_id=result.batch.pk, acting_user=user)

    assert CostTable.objects.count() == tables and PayGrade.objects.count() == grades
    assert not CostRate.objects.filter(table_id=result.table.pk).exists()
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert batch.status == "undone"
    # the batch keeps what it had created, now gone
    assert (batch.target_type.model, batch.target_id) == ("costtable", result.table.pk)
    assert batch.target is None


def test_undo_of_a_cost_table_import_is_refused_after_a_rate_was_changed(client, role_users):
    user = role_users["kaemmerei"]
    result = import_cost_table(
        rates_file(), name="RS", valid_from=date(2014, 1, 1), create_grades=True, acting_user=user
    )
    rate = CostRate.objects.get(table=result.table, pay_grade__code="A 8")
    costrate_update(
        acting_user=user,
        rate=rate,
        expected_version=rate.version,
        data={"annual_cost": Decimal("73000")},
    )

    with pytest.raises(ImportBatchError, match="die Kostensätze für A 8 wurden seit dem Import"):
        cost_table_import_undo(batch_id=result.batch.pk, acting_user=user)
    assert CostTable.objects.filter(pk=result.table.pk).exists()

    client.force_login(user)
    page = undo(client, result.batch).content.decode()
    assert "die Kostensätze für A 8 wurden seit dem Import" in page


def test_a_cost_table_import_is_undone_only_by_its_importer_or_an_administrator(role_users):
    result = import_cost_table(
        rates_file(),
        name="RS",
        valid_from=date(2014, 1, 1),
        create_grades=True,
        acting_user=role_users["kaemmerei"],
    )
    colleague = User.objects.create_user("kollegin")
    colleague.groups.add(Group.objects.get(name="Kämmerei"))

    with pytest.raises(ImportBatchError, match=r"nur wer ihn importiert hat \(kaemmerei\)"):
        cost_table_import_undo(batch_id=result.batch.pk, acting_user=colleague)
    assert CostTable.objects.filter(pk=result.table.pk).exists()

    cost_table_import_undo(batch_id=result.batch.pk, acting_user=role_users["admin"])
    assert not CostTable.objects.filter(pk=result.table.pk).exists()
