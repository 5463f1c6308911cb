"""Adoption freezes the record: figures, Anlage, positions and PDF stay as decided (issue 11)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from costing.models import CostRate, ReimbursementRule
from decisions.models import AdoptedRecord, Decision, ProposalPoint
from decisions.selectors import decision_document
from decisions.services import (
    LEGACY_REASON,
    decision_change_status,
    decision_record_again,
    decision_reopen,
)
from stellenplan.models import PayGrade, Position
from stellenplan.services import position_update
from tests.factories import PositionFactory, council_decided

Status = Decision.Status
ADOPTED_ON = date(2011, 10, 6)


def saved_version(decision: Decision) -> int:
    return Decision.objects.get(pk=decision.pk).version


def adopt(decision: Decision, user=None, on: date = ADOPTED_ON) -> None:
    if not decision.consultation_steps.filter(result="zugestimmt").exists():
        council_decided(decision, on=ADOPTED_ON)
    decision_change_status(
        decision=decision,
        status=Status.ADOPTED,
        acting_user=user,
        expected_version=saved_version(decision),
        on=on,
    )


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("chefin")


def document_part(html: str) -> str:
    """The Finanzielle Auswirkungen and the Anlage of the detail page."""
    start = html.index("<h2>Finanzielle Auswirkungen</h2>")
    return html[start:]


def change_everything_the_figures_depend_on() -> None:
    """What the issue did after the vote: a linked position's FTE, a cost rate, the rule."""
    position = Position.objects.get(pk=1)
    position_update(
        acting_user=None,
        position=position,
        expected_version=position.version,
        data={"fte": position.fte + Decimal("0.5")},
    )
    CostRate.objects.filter(pay_grade=position.pay_grade).update(
        annual_cost=F("annual_cost") + Decimal("10000")
    )
    ReimbursementRule.objects.update(rate=Decimal("0"))


def test_it_keeps_pdf_and_figures_byte_identical_after_later_changes(reference, personalamt):
    adopt(reference)
    pdf_url = reverse("decisions:pdf", args=[reference.pk])
    detail_url = reverse("decisions:detail", args=[reference.pk])
    pdf_before = personalamt.get(pdf_url).content
    page_before = document_part(personalamt.get(detail_url).content.decode())
    record = AdoptedRecord.objects.get(decision=reference)
    document_before = record.document
    live_before = decision_document(reference).finance.year(2012).total.personnel_cost

    change_everything_the_figures_depend_on()

    live_after = decision_document(reference).finance.year(2012).total
    assert live_after.personnel_cost != live_before  # the change does move the live figures
    assert live_after.reimbursement == Decimal("0")
    assert personalamt.get(pdf_url).content == pdf_before
    assert hashlib.sha256(pdf_before).hexdigest() == record.pdf_sha256
    page_after = document_part(personalamt.get(detail_url).content.decode())
    assert page_after == page_before
    assert "Summe ab 2012" in page_after
    assert "1.128.560\xa0€" in page_after and "405.768\xa0€" in page_after
    record.refresh_from_db()
    assert record.document == document_before
    assert AdoptedRecord.objects.count() == 1  # nothing recomputed or added silently


def test_it_stores_the_figures_sources_and_positions_as_decided(reference, django_user_model):
    user = django_user_model.objects.create_user("sd")
    adopt(reference, user)
    record = AdoptedRecord.objects.get(decision=reference)
    assert (record.sequence, record.adopted_on, record.acting_user, record.reason) == (
        1,
        ADOPTED_ON,
        user,
        "",
    )
    assert record.status_change.to_status == Status.ADOPTED
    years = {y["year"]: y for y in record.document["finance"]["years"]}
    assert years[2012]["label"] == "ab 2012"
    assert years[2012]["total"]["fte"] == "13.50"
    assert years[2012]["total"]["personnel_cost"] == "1128560.00"
    assert years[2012]["total"]["reimbursement"] == "405768.00"
    assert years[2011]["total"]["fte"] == "2.00"
    assert years[2011]["total"]["personnel_cost"] == "42350.00"
    assert len(record.positions) == 18
    first = record.positions[0]
    assert (first["order"], first["id"], first["fte"]) == (1, 1, "0.50")
    assert {"org_unit_code", "pay_grade_code", "title", "start_date", "tasks"} <= set(first)
    tables = record.sources["cost_tables"]
    assert tables and all({"id", "version", "history_id"} <= set(t) for t in tables)
    assert record.sources["cost_rates"]
    rules = record.sources["reimbursement_rules"]
    assert [r["rate"] for r in rules] == ["0.8480"]
    assert bytes(record.pdf).startswith(b"%PDF")
    assert hashlib.sha256(bytes(record.pdf)).hexdigest() == record.pdf_sha256


def test_it_marks_detail_print_and_pdf_as_adopted(reference, personalamt):
    adopt(reference)
    html = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "beschlossen am 06.10.2011" in html
    html = personalamt.get(reverse("decisions:print", args=[reference.pk])).content.decode()
    assert "beschlossen am 06.10.2011" in html
    response = personalamt.get(reverse("decisions:pdf", args=[reference.pk]))
    record = AdoptedRecord.objects.get(decision=reference)
    assert response["X-Content-SHA256"] == record.pdf_sha256
    assert response.content == bytes(record.pdf)


def test_the_position_page_lists_the_decisions_referring_to_it(reference, personalamt):
    url = reverse("positions:detail", args=[1])
    html = personalamt.get(url).content.decode()
    assert "GRDrs 647/2011 (eingebracht)" in html
    adopt(reference)
    html = personalamt.get(url).content.decode()
    assert "geschaffen durch GRDrs 647/2011</a> am 06.10.2011" in html
    unlinked = PositionFactory()
    html = personalamt.get(reverse("positions:detail", args=[unlinked.pk])).content.decode()
    assert "Keine Beschlussvorlage verweist auf diese Stelle." in html


def test_reopening_keeps_the_record_and_a_new_adoption_adds_one(reference, admin):
    adopt(reference)
    change = decision_reopen(
        decision=reference,
        reason="Beschluss im Protokoll falsch übertragen",
        acting_user=admin,
        expected_version=saved_version(reference),
    )
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED
    assert change.comment == "Wieder geöffnet: Beschluss im Protokoll falsch übertragen"
    assert change.acting_user == admin
    assert AdoptedRecord.objects.filter(decision=reference).count() == 1  # kept as history
    adopt(reference, admin, on=date(2011, 10, 13))
    records = list(AdoptedRecord.objects.filter(decision=reference).order_by("sequence"))
    assert [(r.sequence, r.adopted_on) for r in records] == [
        (1, ADOPTED_ON),
        (2, date(2011, 10, 13)),
    ]


def test_reopening_needs_the_right_and_a_reason(reference, django_user_model, admin):
    adopt(reference)
    clerk = django_user_model.objects.create_user("sd")
    with pytest.raises(ValidationError, match="Nur eine Administratorin"):
        decision_reopen(
            decision=reference,
            reason="x",
            acting_user=clerk,
            expected_version=saved_version(reference),
        )
    with pytest.raises(ValidationError) as raised:
        decision_reopen(
            decision=reference,
            reason="  ",
            acting_user=admin,
            expected_version=saved_version(reference),
        )
    assert raised.value.message_dict == {"reason": ["Bitte geben Sie einen Grund an."]}
    reference.refresh_from_db()
    assert reference.status == Status.ADOPTED


def test_recording_again_is_an_attributed_new_version(reference, admin):
    adopt(reference)
    change_everything_the_figures_depend_on()
    record = decision_record_again(
        decision=reference,
        reason="Korrektur nach Prüfung durch das Rechnungsprüfungsamt",
        acting_user=admin,
        expected_version=saved_version(reference),
    )
    first = AdoptedRecord.objects.get(decision=reference, sequence=1)
    assert (record.sequence, record.adopted_on, record.acting_user) == (2, ADOPTED_ON, admin)
    assert record.pdf_sha256 != first.pdf_sha256
    assert first.document["finance"] != record.document["finance"]


def test_the_pages_reopen_and_record_again_only_for_administrators(reference, sitzungsdienst):
    adopt(reference)
    data = {"reason": "Grund", "confirm": "on", "version": str(saved_version(reference))}
    response = sitzungsdienst.post(reverse("decisions:reopen", args=[reference.pk]), data)
    assert response.status_code == 403
    sitzungsdienst.user.is_superuser = True
    sitzungsdienst.user.save()
    html = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "Beschlussfassung neu festhalten" in html
    response = sitzungsdienst.post(
        reverse("decisions:reopen", args=[reference.pk]), {**data, "reason": ""}, follow=True
    )
    assert "Bitte geben Sie einen Grund an." in response.content.decode()
    response = sitzungsdienst.post(reverse("decisions:reopen", args=[reference.pk]), data)
    assert response.status_code == 302
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED


def test_it_freezes_adopted_decisions_that_have_no_record(reference):
    assert not Decision.objects.filter(status=Status.ADOPTED).exists()  # reference data
    Decision.objects.filter(pk=reference.pk).update(status=Status.ADOPTED)
    call_command("freeze_adopted_decisions", verbosity=0)
    call_command("freeze_adopted_decisions", verbosity=0)  # twice: nothing more
    record = AdoptedRecord.objects.get(decision=reference)
    assert (record.reason, record.adopted_on) == (LEGACY_REASON, reference.date)


def test_it_prints_a_stored_record_with_the_command(reference, tmp_path):
    adopt(reference)
    change_everything_the_figures_depend_on()
    target = tmp_path / "vorlage.pdf"
    call_command("print_decision", str(reference.pk), "-o", str(target), verbosity=0)
    assert target.read_bytes() == bytes(AdoptedRecord.objects.get(decision=reference).pdf)


def test_the_pdf_carries_the_adoption_date(reference):
    adopt(reference)
    from io import BytesIO

    from pypdf import PdfReader

    pdf = bytes(AdoptedRecord.objects.get(decision=reference).pdf)
    first_page = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert re.search(r"beschlossen am\s+06\.10\.2011", first_page)


def test_the_detail_page_shows_the_text_as_adopted(reference, personalamt):
    adopt(reference)
    url = reverse("decisions:detail", args=[reference.pk])
    before = personalamt.get(url).content.decode()
    ProposalPoint.objects.filter(decision=reference).update(text="Nachträglich geändert")
    Decision.objects.filter(pk=reference.pk).update(title="Anderer Betreff")
    after = personalamt.get(url).content.decode()
    assert "Nachträglich geändert" not in after and "Anderer Betreff" not in after
    assert after.count("Stadtweite Stellenbedarfe im Zusammenhang mit Option") == before.count(
        "Stadtweite Stellenbedarfe im Zusammenhang mit Option"
    )


def test_it_refuses_to_freeze_figures_that_cannot_be_computed(reference):
    """A linked position whose grade has no rate: adoption waits for the rate (German message)."""
    position = PositionFactory(
        org_unit=Position.objects.get(pk=1).org_unit,
        pay_grade=PayGrade.objects.get(code="A 9 gD"),
        start_date=date(2012, 1, 1),
    )
    reference.position_links.create(position=position, order=99)
    with pytest.raises(ValidationError, match="unvollständig.*A 9 gD"):
        adopt(reference)
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED
    assert not AdoptedRecord.objects.filter(decision=reference).exists()
