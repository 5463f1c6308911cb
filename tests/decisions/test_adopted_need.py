"""An adopted decision keeps its Personalbedarfsberechnungen as decided (issue 15 with 11)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from pypdf import PdfReader

from decisions.models import AdoptedRecord
from decisions.records import frozen_document
from stellenplan.models import NeedLine, WorkingTime
from tests.decisions.test_adopted_record import adopt


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_record_freezes_the_calculations_and_prints_them(reference, personalamt):
    adopt(reference)
    record = AdoptedRecord.objects.get(decision=reference)
    stored = {need["title"]: need for need in record.document["needs"]}
    rpa = stored["Rechnungsprüfungsamt: Prüfung SGB II / SGB III"]
    assert (rpa["fte_low"], rpa["fte_high"], rpa["requested_fte"]) == ("0.42", "0.83", "1.00")
    assert rpa["lines"][0]["inputs"] == "662 Fälle × 60–120 min ÷ 95.400 min"
    assert "662 Fälle × 60–120 min" in pdf_text(bytes(record.pdf))

    # later changes of the parameters and lines do not change what was adopted
    WorkingTime.objects.update(annual_hours=Decimal(1000))
    NeedLine.objects.filter(calculation_id=2).update(existing_fte=Decimal(7))
    frozen = frozen_document(reference, record)
    figures = {need.title: (need.fte_low, need.fte_high) for need in frozen.needs}
    assert figures["Rechnungsprüfungsamt: Prüfung SGB II / SGB III"] == (
        Decimal("0.42"),
        Decimal("0.83"),
    )
    assert figures["Stadtkasse 20-4: Kreditoren- und Debitorenbuchhaltung WAUS"] == (
        Decimal("3.08"),
        Decimal("3.08"),
    )
    page = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "662 Fälle × 60–120 min ÷ 95.400 min" in page
    assert "0,42–0,83" in page and "3,08" in page
    pdf = personalamt.get(reverse("decisions:pdf", args=[reference.pk])).content
    assert pdf == bytes(record.pdf)


def test_the_live_page_shows_the_calculations_and_their_finding(reference, personalamt):
    page = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert '<h2 id="personalbedarf">Personalbedarfsberechnung</h2>' in page  # findings link here
    assert "3,5 Stellen × 22.000 ÷ 25.000 Fälle" in page
    assert "beantragt sind 1,0 Stellen, berechnet 0,42–0,83 Stellen" in page
