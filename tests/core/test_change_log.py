"""The Änderungsprotokoll: the change log across every type with a history (core.history's
ChangeLog over the apps registry, front/views/changes.py), its filters and its Excel export."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.history import ChangeLog, ChangeLogFilter, history_types, type_key
from costing import reference_services
from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import Decision
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import paygrade_create, paygrade_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(django_user_model):
    return django_user_model.objects.create_user("anna", first_name="Anna", last_name="Alt")


@pytest.fixture
def bernd(django_user_model):
    return django_user_model.objects.create_user("bernd")


def eg9_rate() -> CostRate:
    return CostRate.objects.get(pay_grade__code="EG 9", table__valid_from__year=2010)


@pytest.fixture
def changes(seed, anna, bernd):
    """A rate changed by anna (63.000 → 64.250,50), a grade created and changed by bernd."""
    rate = eg9_rate()
    reference_services.costrate_update(
        acting_user=anna,
        rate=rate,
        expected_version=rate.version,
        data={"annual_cost": Decimal("64250.50")},
    )
    grade = paygrade_create(acting_user=bernd, code="A 99", status_group="beamte")
    paygrade_update(acting_user=bernd, grade=grade, expected_version=1, data={"sort_order": 7})
    return {"rate": rate, "grade": grade}


def test_it_finds_every_type_with_a_history_including_decisions():
    keys = {key for key, _ in history_types()}
    for model in [Position, OrgUnit, PayGrade, CostTable, CostRate, ReimbursementRule, Decision]:
        assert type_key(model) in keys
    assert "decisions.proposalpoint" in keys  # the parts of a decision too
    assert not any("org_units" in key or "submitted_by" in key for key in keys)  # not m2m rows


def test_it_shows_a_rate_change_with_old_and_new_value_and_the_user(client, changes, anna):
    client.force_login(anna)
    response = client.get(reverse("changes:list"))
    assert response.status_code == 200
    html = response.content.decode()
    entries = [entry for entry, _ in response.context["entries"]]
    rate_change = next(
        e
        for e in entries
        if e.type_key == "costing.costrate" and e.who != "System (Import/Verwaltung)"
    )
    assert rate_change.who == "Anna Alt (anna)"
    assert rate_change.kind == "geändert"
    assert rate_change.changes == [("Jahreskosten (Vollzeit)", "63.000", "64.250,50")]
    assert "Kostensatz" in html and "Anna Alt (anna)" in html
    assert '<span class="old">63.000</span> → <span class="new">64.250,50</span>' in html
    # newest first: bernd's grade change, then his creation, then anna's rate
    assert [(e.type_key, e.kind) for e in entries[:3]] == [
        ("stellenplan.paygrade", "geändert"),
        ("stellenplan.paygrade", "angelegt"),
        ("costing.costrate", "geändert"),
    ]
    assert f'href="{reverse("costs:costrate_update", args=[changes["rate"].pk])}"' in html


def test_it_filters_by_type_user_and_period(client, changes, anna, bernd):
    client.force_login(anna)
    url = reverse("changes:list")

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [(e.type_key, e.who) for e, _ in response.context["entries"]]

    assert shown(typ="stellenplan.paygrade") == [("stellenplan.paygrade", "bernd")] * 2
    assert shown(benutzer=str(anna.pk)) == [("costing.costrate", "Anna Alt (anna)")]
    by_system = shown(benutzer="0")
    assert ("costing.costrate", "System (Import/Verwaltung)") in by_system
    assert {who for _, who in by_system} == {"System (Import/Verwaltung)"}
    today = timezone.localdate()
    assert len(shown(von=f"{today:%d.%m.%Y}", bis=f"{today:%d.%m.%Y}")) == len(shown())
    tomorrow = today + datetime.timedelta(days=1)
    assert shown(von=f"{tomorrow:%d.%m.%Y}") == []
    assert shown(bis=f"{today - datetime.timedelta(days=1):%d.%m.%Y}") == []


def test_it_says_in_german_what_is_wrong_with_a_filter(client, changes, anna):
    client.force_login(anna)
    response = client.get(
        reverse("changes:list"), {"von": "31.12.2012", "bis": "01.01.2012", "typ": "gibt.esnicht"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "„bis“ (01.01.2012) darf nicht vor „von“ (31.12.2012) liegen." in html
    assert "gibt.esnicht" in html  # Django's message names the refused choice
    response = client.get(reverse("changes:list"), {"von": "32.13.2012"})
    assert "„32.13.2012“ ist kein gültiges Datum" in response.content.decode()
    response = client.get(reverse("changes:list"), {"von": "01.01.0001"})
    assert "Das Jahr 1 ist nicht plausibel" in response.content.decode()


def test_it_pages_newest_first_with_a_fixed_number_of_queries(client, seed, anna):
    rates = list(CostRate.objects.select_related("pay_grade").order_by("pk")[:12])
    for rate in rates:
        reference_services.costrate_update(
            acting_user=anna,
            rate=rate,
            expected_version=rate.version,
            data={"annual_cost": rate.annual_cost + 1},
        )
    client.force_login(anna)
    url = reverse("changes:list")
    log = ChangeLog(ChangeLogFilter(types=("costing.costrate",)))
    assert len(log) == CostRate.history.count() >= 12
    first_page = log[0:10]
    assert [e.when for e in first_page] == sorted((e.when for e in first_page), reverse=True)
    assert log[10:20][0].when <= first_page[-1].when

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    one = queries(typ="costing.costrate", benutzer=str(anna.pk), page="1")
    for rate in CostRate.objects.order_by("pk")[12:30]:
        reference_services.costrate_update(
            acting_user=anna,
            rate=rate,
            expected_version=rate.version,
            data={"annual_cost": rate.annual_cost + 1},
        )
    assert queries(typ="costing.costrate", benutzer=str(anna.pk), page="1") == one
    assert one <= 14  # session, user, choices, count, page, and per type: records, labels


def test_the_export_has_the_filtered_rows_and_neutralises_formulas(client, changes, anna, bernd):
    table = CostTable.objects.order_by("pk").first()
    reference_services.costtable_update(
        acting_user=bernd,
        table=table,
        expected_version=table.version,
        data={"name": "=HYPERLINK(1)"},
    )
    client.force_login(anna)
    params = {"benutzer": str(bernd.pk)}
    page = client.get(reverse("changes:list"), params)
    response = client.get(reverse("changes:export"), params)
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("Zeitpunkt", "Benutzer", "Art", "Objekt", "Aktion", "Änderungen (alt → neu)")
    entries = [entry for entry, _ in page.context["entries"]]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        (e.who, e.type_label, e.object_label, e.kind) for e in entries
    ]
    assert len(rows) == 4  # the table's change, the grade's change and its creation
    # The object's name as it is (no visible apostrophe), but a quoted string cell: never run.
    assert rows[1][3] == "=HYPERLINK(1)"
    name_cell = workbook.active.cell(row=2, column=4)
    assert name_cell.data_type == "s" and name_cell.quotePrefix is True
    assert rows[1][5].startswith("Bezeichnung: ") and rows[1][5].endswith("→ =HYPERLINK(1)")
    text_cells = [c for row in workbook.active.iter_rows(min_row=2) for c in row[1:] if c.value]
    assert all(c.data_type == "s" and c.quotePrefix for c in text_cells)


def test_anonymous_users_are_sent_to_the_login(client, changes):
    for name in ("changes:list", "changes:export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/anmelden/")


def test_it_shows_the_org_units_of_a_rule_old_and_new_and_its_deletion(client, seed, anna):
    first, second = OrgUnit.objects.order_by("pk")[:2]
    rule = reference_services.reimbursementrule_create(
        acting_user=anna,
        name="Zuschuss",
        rate=Decimal("0.25"),
        valid_from=datetime.date(2012, 1, 1),
        valid_to=None,
        org_units=[first],
    )
    reference_services.reimbursementrule_update(
        acting_user=anna, rule=rule, expected_version=1, data={"org_units": [first, second]}
    )
    reference_services.reimbursementrule_delete(acting_user=anna, rule=rule, expected_version=2)
    client.force_login(anna)
    response = client.get(
        reverse("changes:list"), {"typ": "costing.reimbursementrule", "benutzer": anna.pk}
    )
    entries = [entry for entry, _ in response.context["entries"]]
    assert [(e.kind, e.object_label) for e in entries] == [
        ("gelöscht", "Zuschuss (gelöscht)"),
        ("geändert", "Zuschuss (gelöscht)"),
        ("geändert", "Zuschuss (gelöscht)"),
        ("angelegt", "Zuschuss (gelöscht)"),
    ]
    both = ", ".join(sorted([str(first), str(second)]))
    assert entries[1].changes == [("Organisationseinheiten", str(first), both)]
    assert entries[2].changes == [("Organisationseinheiten", "—", str(first))]
