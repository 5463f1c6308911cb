"""The positions list and its pieces (issue 14): cost column sorted in the database, money
with cents everywhere in a column or nowhere, the Stellennummer in Excel, error summaries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.formatting import euro, money_places
from core.xlsx import ImportFailed
from costing.engine import year_rates
from costing.excel import write_workbook
from costing.selectors import ANNUAL_COST, with_annual_cost
from front.forms.positions import PositionForm
from stellenplan.imports import import_positions
from stellenplan.models import Position
from tests.costing.excel_files import POSITION_HEADER, xlsx_file
from tests.factories import (
    CostRateFactory,
    CostTableFactory,
    OrgUnitFactory,
    PayGradeFactory,
    PositionFactory,
)
from tests.stellenplan.test_import_positions import clear_ids, empty_the_plan

pytestmark = pytest.mark.django_db


def test_a_column_shows_cents_everywhere_or_nowhere():
    assert money_places([Decimal("31500"), Decimal("63000.00"), None]) == 0
    assert money_places([Decimal("31500"), Decimal("10362.50")]) == 2
    assert euro(Decimal("31500"), places=2) == "31.500,00\u00a0€"
    assert euro(Decimal("31500")) == "31.500\u00a0€"


@pytest.fixture
def priced():
    """Three positions of 2012 with costs 31.500 €, 20.790,50 € and 63.000 €, one inactive."""
    table = CostTableFactory(valid_from=date(2010, 1, 1))
    cheap, dear = PayGradeFactory(code="EG 6"), PayGradeFactory(code="A 13")
    CostRateFactory(table=table, pay_grade=cheap, annual_cost=Decimal("41581.00"))
    CostRateFactory(table=table, pay_grade=dear, annual_cost=Decimal("63000.00"))
    unit = OrgUnitFactory(code="20-4")
    return {
        "half": PositionFactory(org_unit=unit, pay_grade=dear, fte=Decimal("0.5"), title="halb"),
        "cents": PositionFactory(org_unit=unit, pay_grade=cheap, fte=Decimal("0.5"), title="ct"),
        "full": PositionFactory(org_unit=unit, pay_grade=dear, fte=Decimal("1"), title="voll"),
        "old": PositionFactory(
            org_unit=unit,
            pay_grade=dear,
            title="alt",
            start_date=date(2005, 1, 1),
            end_date=date(2008, 12, 31),
        ),
    }


def test_the_cost_annotation_orders_like_the_engine(priced):
    rates = year_rates(2012)
    ordered = list(with_annual_cost(Position.objects.all(), rates).order_by(ANNUAL_COST, "id"))
    costs = {p.title: getattr(p, ANNUAL_COST) for p in ordered}
    assert costs["alt"] is None  # not active in 2012
    active = [p for p in ordered if getattr(p, ANNUAL_COST) is not None]
    engine = [rates.annual_cost_of(p.pay_grade_id, p.fte) for p in active]
    assert engine == sorted(engine)
    assert [p.title for p in active] == ["ct", "halb", "voll"]


def test_the_list_sorts_by_cost_and_shows_cents_in_the_whole_column(client, role_users, priced):
    client.force_login(role_users["kaemmerei"])
    url = reverse("positions:list")
    html = client.get(url, {"year": 2012, "sort": "-annual_cost"}).content.decode()
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    order = [t for t in ("voll", "halb", "ct", "alt") if f">{t}</a>" in body]
    assert sorted(order, key=body.index) == ["voll", "halb", "ct"]
    assert "63.000,00\u00a0€" in body and "31.500,00\u00a0€" in body
    assert "20.790,50\u00a0€" in body
    assert "115.290,50\u00a0€" in html  # the sum in the footer, with cents too
    ascending = client.get(url, {"year": 2012, "sort": "annual_cost"}).content.decode()
    body = ascending.split("<tbody", 1)[1]
    assert body.index(">ct</a>") < body.index(">halb</a>") < body.index(">voll</a>")
    # without a line with cents the column shows whole euros
    Position.objects.filter(pk=priced["cents"].pk).delete()
    whole = client.get(url, {"year": 2012}).content.decode()
    assert "63.000\u00a0€" in whole and ",00\u00a0€" not in whole.split("<tbody", 1)[1]


def test_the_position_page_shows_one_precision_per_column(client, role_users, priced):
    client.force_login(role_users["kaemmerei"])
    position = priced["cents"]
    html = client.get(
        reverse("positions:detail", args=[position.pk]), {"year": 2012}
    ).content.decode()
    assert "41.581\u00a0€" in html  # the rate column: whole euros, as no rate has cents
    assert "20.790,50\u00a0€" in html


def test_the_number_goes_through_export_and_import(seed, tmp_path):
    Position.objects.filter(pk=9).update(number="29-1/0815")
    Position.objects.filter(pk=10).update(number="4711")
    path = tmp_path / "export.xlsx"
    with path.open("wb") as handle:
        write_workbook(handle, [2012])
    before = sorted(Position.objects.values_list("title", "number"))
    empty_the_plan()
    clear_ids(path)
    import_positions(str(path))
    assert sorted(Position.objects.values_list("title", "number")) == before
    assert Position.objects.get(number="4711").title == "SB Aus- / Fort- / Weiterbildung"


def test_the_import_refuses_a_number_twice_in_the_file_or_in_use(seed, tmp_path):
    Position.objects.filter(pk=9).update(number="N-9")
    header = [*POSITION_HEADER, "Stellennummer"]
    path = xlsx_file(
        tmp_path,
        [
            header,
            ["20-4", "A 8", "Neu 1", "1", "N-1"],
            ["20-4", "A 8", "Neu 2", "1", "N-1"],
            ["20-4", "A 8", "Neu 3", "1", "N-9"],
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        import_positions(path)
    messages = sorted(i.message for i in failed.value.issues)
    assert any("Die Stellennummer „N-1“ steht schon in Zeile" in m for m in messages)
    assert any(
        "Die Stellennummer „N-9“ ist schon an eine andere Stelle vergeben." in m for m in messages
    )
    assert not Position.objects.filter(title__startswith="Neu ").exists()


def test_the_error_summary_does_not_end_in_a_comma(client, role_users):
    client.force_login(role_users["personalamt"])
    response = client.post(reverse("positions:create"), {"title": "x", "fte": "1,0"})
    html = response.content.decode()
    summary = html.split("Bitte prüfen Sie die markierten Felder:", 1)[1].split("</p>", 1)[0]
    assert ", ." not in summary
    assert summary.endswith(".")
    assert summary.count("<a ") == summary.count(", ") + 1


def test_the_form_has_no_error_for_a_complete_position():
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    form = PositionForm(
        {
            "org_unit": unit.pk,
            "pay_grade": grade.pk,
            "fte": "0,5",
            "title": "x",
            "start_date": "01.07.2026",
        }
    )
    assert form.is_valid(), form.errors
