import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.usefixtures("seed")


def export(year: int) -> dict:
    out = StringIO()
    call_command("export_costs", "--year", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_it_exports_2012_as_in_the_issue():
    data = export(2012)
    assert data["year"] == 2012
    assert data["cost_table"].startswith("Rundschreiben Nr. 03/2010")
    assert data["total"] == {
        "fte": "13.50",
        "positions": 18,
        "annual_cost": "1128560.00",
        "cost_in_year": "1128560.00",
        "federal_reimbursement": "405768.00",
        "municipal_share": "722792.00",
        "incomplete": False,
    }
    assert data["incomplete"] is False
    assert data["missing_rates"] == []
    kaemmerei = next(d for d in data["by_department"] if d["code"] == "20")
    assert kaemmerei["name"] == "Stadtkämmerei"
    assert (kaemmerei["fte"], kaemmerei["annual_cost"], kaemmerei["cost_in_year"]) == (
        "4.50",
        "304950.00",
        "304950.00",
    )
    line = next(p for p in data["positions"] if p["title"] == "SB/Stv. Teamleitung")
    assert line == line | {
        "org_unit": "20-4",
        "pay_grade": "A 10",
        "fte": "1.00",
        "annual_cost": "80700.00",
        "months": 12,
        "cost_in_year": "80700.00",
    }
    assert len(data["positions"]) == 18


def test_it_lists_only_positions_active_in_the_year():
    data = export(2011)
    assert [p["org_unit"] for p in data["positions"]] == ["20-4", "29-3"]
    assert [p["months"] for p in data["positions"]] == [3, 3]
    assert data["total"]["fte"] == "2.00"
    assert data["total"]["cost_in_year"] == "42350.00"
    assert data["total"]["annual_cost"] == "169400.00"


def test_it_fails_with_a_german_message_without_a_cost_table():
    with pytest.raises(CommandError, match="keine gültige Kostentabelle"):
        export(2009)
