"""Records that outlive their code: records written by an earlier release still open, print the
same bytes and show the same figures (issue 20).

tests/fixtures/records_v1.json.xz holds GRDrs 647/2011 adopted on 06.10.2011 and the
Stellenplan 2012/2013 adopted on 15.12.2011 exactly as the code of their day stored them (the
decision record without a format version, the plan record with ``"format": 1``; how it was made:
tests/fixtures/make_records_v1.py). It is never regenerated: a change that cannot read it breaks
every city's archive. No PDF is rendered here; the fixture holds them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from core.records import RecordFormat, RecordFormatError
from decisions import records as decision_records
from decisions.models import AdoptedRecord, Decision
from stellenplan import plan_document
from stellenplan.models import StaffingPlan, StaffingPlanRecord
from stellenplan.plan_document import PLAN_RECORD, document_for_output

FIXTURE = Path(__file__).parent / "fixtures" / "records_v1.json.xz"
#: SHA-256 of the PDFs in the fixture: what the city archived in 2011
DECISION_PDF_SHA256 = "876a6ef05b6ce99f56bb13afd5b19e907b0bd79c4b1da72847882203ebef6c58"
PLAN_PDF_SHA256 = "4688700c20dc061cad200ba1961915ab77af1d876a807a9b474d0f3a8cb84fcd"
OPARL = "/oparl/v1.1/"


@pytest.fixture
def archive(seed) -> None:
    """The reference data with the records of release 1 on top (fields a later release drops
    from a model are ignored, as a restore would)."""
    call_command("loaddata", str(FIXTURE), ignorenonexistent=True, verbosity=0)


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user(username="leser")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    return client


def decision_record() -> AdoptedRecord:
    return AdoptedRecord.objects.get(decision__number="647/2011")


def plan_record() -> StaffingPlanRecord:
    return StaffingPlanRecord.objects.get(plan__first_year=2012)


def test_the_fixture_holds_records_as_release_1_wrote_them(archive):
    decision = decision_record()
    assert "format" not in decision.document  # written before records carried a version
    assert decision.pdf_sha256 == DECISION_PDF_SHA256
    assert hashlib.sha256(bytes(decision.pdf)).hexdigest() == DECISION_PDF_SHA256
    plan = plan_record()
    assert plan.document["format"] == 1
    assert hashlib.sha256(bytes(plan.pdf)).hexdigest() == PLAN_PDF_SHA256 == plan.pdf_sha256
    assert Decision.objects.get(number="647/2011").status == Decision.Status.ADOPTED
    assert StaffingPlan.objects.get(first_year=2012).status == StaffingPlan.Status.ADOPTED


def test_the_adopted_decision_opens_with_its_figures_and_prints_its_stored_pdf(archive, reader):
    decision = Decision.objects.get(number="647/2011")
    page = reader.get(reverse("decisions:detail", args=[decision.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Summe ab 2012" in html and "13,5" in html
    assert "1.128.560\xa0€" in html and "405.768\xa0€" in html
    assert "beschlossen am 06.10.2011" in html
    assert reader.get(reverse("decisions:print", args=[decision.pk])).status_code == 200

    pdf = reader.get(reverse("decisions:pdf", args=[decision.pk]))
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == DECISION_PDF_SHA256
    assert pdf["X-Content-SHA256"] == DECISION_PDF_SHA256


def test_oparl_serves_the_stored_pdf_of_the_adopted_paper(archive, client):
    decision = Decision.objects.get(number="647/2011")
    record = decision_record()
    for path in (f"file/beschluss/{record.pk}/pdf", f"file/vorlage/{decision.pk}/pdf"):
        response = client.get(f"{OPARL}{path}")
        assert response.status_code == 200, path
        assert hashlib.sha256(response.content).hexdigest() == DECISION_PDF_SHA256, path


def test_the_frozen_figures_read_back_as_decimals_and_dates(archive):
    decision = Decision.objects.get(number="647/2011")
    frozen = decision_records.frozen_document(decision, decision_record())
    assert frozen.finance is not None
    year = next(y for y in frozen.finance.years if y.year == 2012)
    assert (year.total.fte, year.total.personnel_cost, year.total.reimbursement) == (
        Decimal("13.50"),
        Decimal("1128560.00"),
        Decimal("405768.00"),
    )
    assert frozen.content.number == "647/2011"
    assert len(frozen.positions) == 18 and frozen.positions[0].fte == Decimal("0.50")
    rules = decision_records.read_record(decision_record()).sources.reimbursement_rules
    assert [rule.rate for rule in rules] == [Decimal("0.8480")]


def test_the_adopted_plan_opens_with_its_totals_and_prints_its_stored_pdf(archive, reader):
    plan = StaffingPlan.objects.get(first_year=2012)
    document = document_for_output(plan)
    year = document.year(2012)
    assert year is not None
    assert [row.fte for row in year.total_rows] == [
        Decimal("8.4000"),
        Decimal("5.1000"),
        Decimal("13.5000"),
    ]
    page = reader.get(reverse("plandoc:detail", args=[plan.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "13,5" in html and "8,4" in html and "5,1" in html
    assert "festgehaltene Stellenplan" in html

    pdf = reader.get(reverse("plandoc:pdf", args=[plan.pk]))
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.content).hexdigest() == PLAN_PDF_SHA256
    assert pdf["X-Content-SHA256"] == PLAN_PDF_SHA256


def test_an_old_plan_record_reads_without_the_privacy_flag_and_hides_its_occupation(
    archive, reader
):
    """Issue 21: a record of format 1 has no occupation_protected; it reads (default False)
    and page and Excel show none of its "besetzt am 30.06." sums."""
    plan = StaffingPlan.objects.get(first_year=2012)
    stored = PLAN_RECORD.read(plan_record().document).year(2012)
    assert stored is not None and not stored.occupation_protected
    year = document_for_output(plan).year(2012)
    assert year is not None
    rows = [*(r for p in year.parts for r in p.rows), year.grand_total]
    assert all(r.occupied_hidden and r.occupied == 0 for r in rows)
    html = reader.get(reverse("plandoc:detail", args=[plan.pk])).content.decode()
    assert "vor der Datenschutzregel festgehalten" in html and "13,5" in html


# --- a field added later ----------------------------------------------------------------------


@dataclass
class RowWithVacancies(plan_document.Row):
    """A plan row as a later release might have it: a new column "davon unbesetzt"."""

    vacant: Decimal = Decimal("0")


def test_an_old_plan_record_reads_after_a_column_is_added(archive, monkeypatch):
    monkeypatch.setattr(plan_document, "Row", RowWithVacancies)
    document = PLAN_RECORD.read(plan_record().document)
    year = document.years[0]
    assert isinstance(year.grand_total, RowWithVacancies)
    assert all(isinstance(row, RowWithVacancies) for part in year.parts for row in part.rows)
    assert (year.grand_total.fte, year.grand_total.vacant) == (Decimal("13.5000"), Decimal("0"))


@dataclass
class RowWithRequiredColumn(plan_document.Row):
    vacant: Decimal = dataclasses.field(kw_only=True)  # no default: old records lack it


def test_a_column_added_without_a_default_is_named_in_german(archive, monkeypatch):
    monkeypatch.setattr(plan_document, "Row", RowWithRequiredColumn)
    with pytest.raises(RecordFormatError) as error:
        PLAN_RECORD.read(plan_record().document)
    message = error.value.messages[0]
    assert message.startswith("Der festgehaltene Stellenplan:")
    assert "vacant" in message and "fehlt und hat keinen Vorgabewert" in message


def test_an_old_decision_record_reads_through_an_upgrade_step(archive):
    """Version 2 renames ``costing_error`` in the stored data (``error`` there); its step brings a
    version-1 record (stored without a version) to version 2 before it is read."""

    @dataclass
    class RecordV2(decision_records.DecisionRecordData):
        error: str = "not upgraded"

    def rename(data: dict[str, Any]) -> dict[str, Any]:
        data = dict(data)
        data["error"] = data.pop("costing_error")
        return data

    v2 = RecordFormat(RecordV2, version=2, label="Test", upgrades={1: rename})
    record = decision_record()
    stored = {**record.document, "positions": record.positions, "sources": record.sources}
    read = v2.read(stored)
    assert read.error == ""  # the reference paper has no costing error
    assert read.finance is not None
    assert [(y.year, y.total.fte) for y in read.finance.years] == [
        (2011, Decimal("2.00")),
        (2012, Decimal("13.50")),
    ]
    assert v2.write(read)["format"] == 2


# --- a record newer than the code -------------------------------------------------------------


def test_a_record_from_a_newer_release_is_a_german_message_not_a_crash(archive, reader, client):
    record = decision_record()
    AdoptedRecord.objects.filter(pk=record.pk).update(document={**record.document, "format": 7})
    StaffingPlanRecord.objects.filter(pk=plan_record().pk).update(
        document={**plan_record().document, "format": 7}
    )
    decision = Decision.objects.get(number="647/2011")
    page = reader.get(reverse("decisions:detail", args=[decision.pk]))
    assert page.status_code == 409
    text = page.content.decode()
    assert "Die festgehaltene Beschlussfassung wurde mit Format 7 gespeichert" in text
    assert "kennt nur die Formate 1 bis 1" in text
    plan = StaffingPlan.objects.get(first_year=2012)
    plan_page = reader.get(reverse("plandoc:detail", args=[plan.pk]))
    assert plan_page.status_code == 409
    assert "Der festgehaltene Stellenplan wurde mit Format 7 gespeichert" in (
        plan_page.content.decode()
    )
    # the stored PDFs need no reading of the document: they are still served as stored
    pdf = reader.get(reverse("decisions:pdf", args=[decision.pk]))
    assert hashlib.sha256(pdf.content).hexdigest() == DECISION_PDF_SHA256
    plan_pdf = reader.get(reverse("plandoc:pdf", args=[plan.pk]))
    assert hashlib.sha256(plan_pdf.content).hexdigest() == PLAN_PDF_SHA256
    assert plan_pdf["Content-Disposition"] == 'inline; filename="Stellenplan-2012-2013.pdf"'
    annex = decision.annexes.get(generated=True)  # printed from the record: refused, no crash
    response = client.get(f"{OPARL}file/anlage/{annex.pk}/pdf")
    assert response.status_code == 409
    assert "mit Format 7 gespeichert" in response.json()["message"]
