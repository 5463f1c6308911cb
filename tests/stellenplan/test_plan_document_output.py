"""Screen, PDF, Excel, adoption (the frozen record), Erläuterungen and the comparison of the
Stellenplan document, on the reference data."""

import hashlib
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from costing.engine import annual_cost
from costing.models import CostRate
from costing.plan_compare import compare_plans
from stellenplan.models import PayGrade, PlanExplanation, Position, StaffingPlan
from stellenplan.plan_adoption import AdoptionRefused, adopt_plan, explanation_save
from stellenplan.plan_document import build_full_document, document_for_output
from stellenplan.plan_excel import write_plan_workbook
from stellenplan.plan_pdf import render_plan_pdf
from tests.costing.test_excel_libreoffice import recalculate
from tests.factories import PositionFactory
from tests.stellenplan.plan_fixtures import reference_plan

pytestmark = pytest.mark.usefixtures("seed")

MISSING_GRADES = ["A 13 hD", "A 12", "A 8", "EG 11", "EG 6"]


@pytest.fixture
def personalamt(client, django_user_model):
    user = django_user_model.objects.create_user(username="pa")
    user.groups.add(Group.objects.get(name="Personalamt"))
    client.force_login(user)
    client.user = user
    return client


def explain_all(plan, user=None):
    for code in MISSING_GRADES:
        explanation_save(
            plan,
            acting_user=user,
            year=2012,
            pay_grade_id=PayGrade.objects.get(code=code).pk,
            text=f"Projekt Jobcenter ({code})",
            expected_version=None,
        )


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext fehlt: bitte `make system-deps` (poppler-utils)"
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.pdf  # reads back the real layout and its CSS draft mark
def test_the_pdf_reads_back_with_totals_and_the_draft_mark(tmp_path, output_dir):
    pdf = render_plan_pdf(build_full_document(reference_plan()))
    (output_dir / "stellenplan-2012-2013-entwurf.pdf").write_bytes(pdf)
    text = pdf_text(pdf, tmp_path)
    pages = text.split("\f")
    assert "Stellenplan 2012/2013" in text
    assert "ENTWURF" in pages[0] and "ENTWURF" in pages[-2]
    assert f"Seite 1 von {len(PdfReader(BytesIO(pdf)).pages)}" in text
    assert "Gesamtsumme A +" in text
    lines = [line.split() for line in text.splitlines()]
    assert ["Summe", "Teil", "A", "8,4", "2,0", "0,0", "+6,4"] in lines
    assert ["Summe", "Teil", "B", "5,1", "0,0", "0,0", "+5,1"] in lines
    assert "Vorjahreszahlen, erfasst am 07.12.2026" in " ".join(text.split())
    assert "GRDrs 647/2011" in text and "Schaffung (im Vorgriff, in" in text
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Stellenplan 2012/2013"
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)


@pytest.mark.libreoffice
def test_the_excel_totals_recalculate_equal_in_libreoffice(tmp_path):
    plan = reference_plan()
    eg9 = PayGrade.objects.get(code="EG 9")
    PositionFactory(pay_grade=eg9, start_date=date(2013, 1, 1), fte=Decimal("0.75"))
    source = tmp_path / "stellenplan.xlsx"
    write_plan_workbook(str(source), build_full_document(plan))
    recalculated = load_workbook(recalculate(source, tmp_path), data_only=True)

    def row_of(sheet, label):
        for row in sheet.iter_rows(values_only=True):
            if row[0] == label:
                return row
        raise AssertionError(f"{label} fehlt in {sheet.title}")

    def fte(value):
        return Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    sheet = recalculated["Stellenplan 2012"]
    assert fte(row_of(sheet, "Summe Teil A")[1]) == Decimal("8.4")
    assert fte(row_of(sheet, "Summe höherer Dienst")[1]) == Decimal("3")
    assert fte(row_of(sheet, "Summe Teil B")[1]) == Decimal("5.1")
    assert fte(row_of(sheet, "Gesamtsumme A + B")[1]) == Decimal("13.5")
    # Veränderung: 13,5 Stellen of GRDrs 647/2011 less the 2,0 im Vorgriff in Stellen 2011
    assert fte(row_of(sheet, "Gesamtsumme A + B")[5]) == Decimal("2")
    assert fte(row_of(sheet, "Gesamtsumme A + B")[7]) == Decimal("11.5")
    second = recalculated["Stellenplan 2013"]
    total = row_of(second, "Gesamtsumme A + B")
    assert (fte(total[1]), fte(total[5]), fte(total[7])) == (
        Decimal("14.25"),
        Decimal("13.5"),
        Decimal("0.75"),
    )
    assert fte(
        row_of(recalculated["Teilstellenpläne 2012"], "Summe aller Teilstellenpläne")[1]
    ) == (Decimal("13.5"))
    changes = recalculated["Veränderungen 2012"]
    assert fte(row_of(changes, "Summe (18 Veränderungen)")[6]) == Decimal("13.5")


def test_the_excel_is_print_ready(tmp_path):
    source = tmp_path / "stellenplan.xlsx"
    write_plan_workbook(str(source), build_full_document(reference_plan()))
    workbook = load_workbook(source)
    assert workbook.sheetnames == [
        "Stellenplan 2012",
        "Teilstellenpläne 2012",
        "Veränderungen 2012",
        "Stellenplan 2013",
        "Teilstellenpläne 2013",
        "Veränderungen 2013",
    ]
    for sheet in workbook:
        assert sheet.print_area
        assert sheet.print_title_rows == "$4:$4"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth in {1, None}  # 1 is the default (not written)
        assert "Seite &P von &N" in sheet.oddFooter.center.text
    formulas = [c.value for row in workbook["Stellenplan 2012"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=SUM(") for v in formulas)


def test_adoption_is_refused_while_explanations_are_missing(role_users):
    plan = reference_plan()
    with pytest.raises(AdoptionRefused) as refused:
        adopt_plan(
            plan,
            acting_user=role_users["personalamt"],
            adopted_on=date(2011, 12, 15),
            expected_version=plan.version,
        )
    message = refused.value.messages[0]
    for code in MISSING_GRADES:
        assert f"2012, {code}: Veränderung" in message
    plan.refresh_from_db()
    assert plan.status == StaffingPlan.Status.DRAFT and not plan.records.exists()


def test_an_adopted_plan_is_frozen_while_a_draft_changes(personalamt):
    plan = reference_plan()
    explain_all(plan)
    later = StaffingPlan.objects.create(first_year=2014, last_year=2014)
    response = personalamt.post(
        reverse("plandoc:adopt", args=[plan.pk]),
        {"adopted_on": "15.12.2011", "grdrs": "900/2011", "version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.adopted_on, plan.grdrs) == (
        "beschlossen",
        date(2011, 12, 15),
        "900/2011",
    )
    record = plan.records.get()
    assert record.pdf_sha256 == hashlib.sha256(bytes(record.pdf)).hexdigest()
    assert record.document["years"][0]["year"] == 2012

    pdf_before = personalamt.get(reverse("plandoc:pdf", args=[plan.pk])).content
    excel_before = document_for_output(plan)
    draft_before = document_for_output(later).year(2014).grand_total.fte
    Position.objects.filter(pay_grade__code="A 14").update(fte=Decimal("0.5"))
    PositionFactory(pay_grade=PayGrade.objects.get(code="EG 9"))

    assert document_for_output(plan) == excel_before
    assert personalamt.get(reverse("plandoc:pdf", args=[plan.pk])).content == pdf_before
    assert pdf_before == bytes(record.pdf)
    page = personalamt.get(reverse("plandoc:detail", args=[plan.pk]))
    assert "13,5" in page.content.decode() and "festgehaltene Stellenplan" in page.content.decode()
    assert document_for_output(later).year(2014).grand_total.fte == draft_before + Decimal("0.5")
    # the later draft takes its Vorjahr from the record, not from the live data
    assert document_for_output(later).year(2014).grand_total.previous == Decimal("13.5")
    # explanations of an adopted plan are frozen
    with pytest.raises(AdoptionRefused):
        explain_all(plan)


def test_the_adopt_page_lists_what_is_missing_and_refuses(personalamt):
    plan = reference_plan()
    page = personalamt.get(reverse("plandoc:adopt", args=[plan.pk]))
    assert "2012, A 13 hD: Veränderung 2,0 Stellen" in page.content.decode()
    response = personalamt.post(
        reverse("plandoc:adopt", args=[plan.pk]),
        {"adopted_on": "15.12.2011", "version": plan.version},
    )
    assert response.status_code == 400
    assert "kann nicht beschlossen werden" in response.content.decode()
    bad_date = personalamt.post(
        reverse("plandoc:adopt", args=[plan.pk]), {"adopted_on": "31.02.2011", "version": 1}
    )
    assert bad_date.status_code == 400 and "„31.02.2011“ ist kein gültiges Datum" in (
        bad_date.content.decode()
    )
    plan.refresh_from_db()
    assert plan.status == "entwurf"


def test_the_explanations_page_saves_all_or_nothing(personalamt):
    plan = reference_plan()
    url = reverse("plandoc:explanations", args=[plan.pk]) + "?year=2012"
    a12 = PayGrade.objects.get(code="A 12").pk
    a8 = PayGrade.objects.get(code="A 8").pk
    page = personalamt.get(url)
    assert page.status_code == 200 and "Es fehlen Erläuterungen" in page.content.decode()
    refused = personalamt.post(url, {f"text_{a12}": "gut", f"text_{a8}": "x" * 5000})
    assert refused.status_code == 400
    assert "A 8: Die Erläuterung ist 5000 Zeichen lang" in refused.content.decode()
    assert not PlanExplanation.objects.exists()
    saved = personalamt.post(url, {f"text_{a12}": "Projekt Jobcenter", f"text_{a8}": "dto."})
    assert saved.status_code == 302
    assert set(PlanExplanation.objects.values_list("pay_grade__code", "text")) == {
        ("A 12", "Projekt Jobcenter"),
        ("A 8", "dto."),
    }
    page = personalamt.get(reverse("plandoc:detail", args=[plan.pk]))
    assert "Projekt Jobcenter" in page.content.decode()


def test_the_comparison_prices_stellen_per_amt_and_grade():
    plan = reference_plan()
    eg9 = PayGrade.objects.get(code="EG 9")
    unit = Position.objects.filter(pay_grade=eg9).first().org_unit
    PositionFactory(pay_grade=eg9, org_unit=unit, start_date=date(2013, 1, 1))
    comparison = compare_plans(plan, 2012, plan, 2013)
    rate = CostRate.objects.get(pay_grade=eg9).annual_cost
    row = next(r for r in comparison.grades if r.label == "EG 9")
    assert (row.fte_a, row.fte_b, row.fte_diff) == (Decimal("1.0"), Decimal("2.0"), Decimal("1.0"))
    assert row.cost_diff == annual_cost(Decimal("1"), rate)
    assert row.changed
    unchanged = next(r for r in comparison.grades if r.label == "A 14")
    assert not unchanged.changed
    assert comparison.total.fte_diff == Decimal("1.0")
    assert sum(u.total.cost_b for u in comparison.units) == comparison.total.cost_b


def test_the_compare_page_highlights_differences(personalamt):
    plan = reference_plan()
    PositionFactory(pay_grade=PayGrade.objects.get(code="EG 9"), start_date=date(2013, 1, 1))
    response = personalamt.get(
        reverse("plandoc:compare"), {"a": f"{plan.pk}:2012", "b": f"{plan.pk}:2013"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="changed"' in html and "+1,0" in html
    bad = personalamt.get(reverse("plandoc:compare"), {"a": "999:2012", "b": f"{plan.pk}:2013"})
    assert bad.status_code == 400 and "„999:2012“ ist kein erfasster Stellenplan" in (
        bad.content.decode()
    )


def test_the_screen_shows_the_document(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="reader"))
    plan = reference_plan()
    html = client.get(reverse("plandoc:detail", args=[plan.pk])).content.decode()
    assert "Gesamtsumme A + B" in html and "Teilstellenpläne 2012" in html
    assert "Erläuterung fehlt" in html and "Beschluss festhalten" not in html
    odd = client.get(reverse("plandoc:detail", args=[plan.pk]), {"year": "1999"})
    assert odd.status_code == 200 and "kein Jahr des Stellenplans 2012/2013" in odd.content.decode()
    excel = client.get(reverse("plandoc:excel", args=[plan.pk]))
    assert excel.status_code == 200
    assert excel["Content-Disposition"].endswith('filename="Stellenplan-2012-2013.xlsx"')


def test_adopt_for_bench_writes_the_missing_explanations_and_adopts():
    from stellenplan.plan_adoption import adopt_for_bench

    plan = reference_plan()
    record = adopt_for_bench(plan)
    plan.refresh_from_db()
    assert plan.status == "beschlossen" and plan.adopted_on == date(2011, 12, 15)
    assert set(PlanExplanation.objects.values_list("pay_grade__code", flat=True)) == set(
        MISSING_GRADES
    )
    assert bytes(record.pdf).startswith(b"%PDF")
    assert document_for_output(plan).years[0].missing_explanations == []
