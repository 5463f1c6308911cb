"""Upload pages of the Excel imports: rights, success, the error table, nothing saved."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from costing.models import CostTable
from stellenplan.models import ImportBatch, Position
from tests.costing.excel_files import POSITION_HEADER, RATE_HEADER, xlsx_bytes

pytestmark = pytest.mark.usefixtures("seed")

POSITIONS = reverse("excel:import_positions")
COST_TABLE = reverse("excel:import_cost_table")


def login(client, role: str) -> User:
    user = User.objects.create_user(f"nutzer-{role}")
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def upload(data: bytes, name: str = "datei.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_anonymous_users_are_sent_to_the_login(client):
    for url in (POSITIONS, COST_TABLE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "positions", "cost_table"),
    [("Personalamt", 200, 403), ("Kämmerei", 403, 200), ("Sitzungsdienst", 403, 403)],
)
def test_only_the_responsible_role_may_import(client, role, positions, cost_table):
    login(client, role)
    assert client.get(POSITIONS).status_code == positions
    assert client.get(COST_TABLE).status_code == cost_table
    data = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])
    before = Position.objects.count()
    response = client.post(POSITIONS, {"file": upload(data), "default_start": "01.01.2013"})
    assert response.status_code == (302 if positions == 200 else 403)
    assert Position.objects.count() == before  # only a preview so far
    assert ImportBatch.objects.filter(status="pending").count() == (1 if positions == 200 else 0)
    if positions == 200:
        confirm(client, response)
    assert Position.objects.count() == before + (1 if positions == 200 else 0)


def confirm(client, response):
    """Confirm the preview a redirect of the upload leads to; the page after saving."""
    batch_url = response["Location"]
    batch = ImportBatch.objects.get(pk=int(batch_url.rstrip("/").split("/")[-1]))
    return client.post(
        reverse("excel:import_batch_confirm", args=[batch.pk]), {"bestaetigen": ""}, follow=True
    )


def test_the_personalamt_imports_positions_and_is_recorded_as_their_author(client):
    user = login(client, "Personalamt")
    data = xlsx_bytes([[*POSITION_HEADER, "Beginn"], ["20-4", "A 8", "SB Kasse", "0,5", None]])
    before = Position.objects.count()
    response = client.post(
        POSITIONS, {"file": upload(data, "kasse.xlsx"), "default_start": "01.04.2013"}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    page = preview.content.decode()
    assert '<td class="num" data-count="created">1</td>' in page
    assert "SB Kasse" in page and "01.04.2013" in page
    assert "Bestätigen und speichern" in page
    assert Position.objects.count() == before

    saved = confirm(client, response)

    batch = ImportBatch.objects.get()
    assert saved.redirect_chain == [(reverse("excel:import_batch", args=[batch.pk]), 302)]
    assert (
        f"Import {batch.pk} gespeichert: 1 Stellen neu (0,5 Stellenanteile), 0 geändert, "
        "0 unverändert übersprungen." in saved.content.decode()
    )
    assert (batch.status, batch.created_by, batch.file_name) == ("applied", user, "kasse.xlsx")
    position = Position.objects.get(title="SB Kasse")
    assert str(position.start_date) == "2013-04-01"
    assert position.history.get().history_user == user


def test_a_file_with_errors_lists_them_all_and_saves_nothing(client):
    login(client, "Personalamt")
    before = Position.objects.count()
    data = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "gut", 1], ["XX", "A 8", "SB", "1,5"]])
    response = client.post(POSITIONS, {"file": upload(data), "default_start": "01.01.2013"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 Fehler gefunden – es wurde nichts gespeichert." in page
    assert "<td>Org.einheit (A)</td>" in page
    assert "<td>XX</td>" in page
    assert "<td>Anzahl der Stellen (D)</td>" in page
    assert "verstanden als 1,5" in page
    assert '<td class="num">3</td>' in page
    assert Position.objects.count() == before


def test_a_file_over_10_mb_is_refused_with_a_message(client):
    login(client, "Personalamt")
    data = b"PK" + b"\0" * (10 * 1024 * 1024)
    response = client.post(POSITIONS, {"file": upload(data), "default_start": "01.01.2013"})
    assert response.status_code == 400
    assert (
        "Die Datei ist zu groß (10,0 MB); erlaubt sind höchstens 10,0 MB."
        in response.content.decode()
    )


def test_a_missing_file_is_a_form_error(client):
    login(client, "Personalamt")
    response = client.post(POSITIONS, {"default_start": "01.01.2013"})
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_the_kaemmerei_imports_a_cost_table(client):
    login(client, "Kämmerei")
    data = xlsx_bytes(
        [RATE_HEADER, ["A 8", "72.000", None, None, None], ["A 17", 130000, None, None, None]]
    )
    response = client.post(
        COST_TABLE,
        {
            "file": upload(data),
            "name": "RS 2013",
            "valid_from": "01.01.2013",
            "create_grades": "on",
        },
    )
    preview = client.get(response["Location"]).content.decode()
    assert "Kostentabelle „RS 2013“ gültig ab 01.01.2013" in preview
    assert "Neu anzulegende Stellenwerte: A 17." in preview
    assert "72.000\u00a0€" in preview
    assert not CostTable.objects.filter(name="RS 2013").exists()
    page = confirm(client, response).content.decode()
    assert "Kostentabelle „RS 2013“ gültig ab 01.01.2013 mit 2 Kostensätzen." in page
    assert "Neu angelegte Stellenwerte: A 17." in page
    assert CostTable.objects.get(name="RS 2013").rates.count() == 2


def test_a_cost_table_with_errors_is_not_saved(client):
    login(client, "Kämmerei")
    data = xlsx_bytes([RATE_HEADER, ["A 17", 130000, None, None, None]])
    response = client.post(
        COST_TABLE, {"file": upload(data), "name": "RS", "valid_from": "01.01.2010"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "bereits eine Kostentabelle gültig ab 01.01.2010" in page
    assert "unbekannter Stellenwert" in page
    assert CostTable.objects.count() == 1
