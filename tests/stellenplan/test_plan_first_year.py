"""A complete Stellenplan from the first year (issue 22 part 4): Vorjahreszahlen typed in,
Schaffungen im Vorgriff in "Stellen N-1", the Nachwuchskräfte overview, the block of Beamte auf
Zeit / Wahlbeamte, and the signed Veränderung of the workbook."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.formatting import signed_decimal
from departments.models import OrgUnit
from stellenplan.models import (
    PayGrade,
    Position,
    PositionChange,
    PreviousYearFigure,
    StaffingPlan,
    TraineeCount,
)
from stellenplan.plan_adoption import adopt_for_bench
from stellenplan.plan_document import (
    PLAN_RECORD,
    build_full_document,
    build_plan_document,
)
from stellenplan.plan_excel import write_plan_workbook
from tests.factories import PositionFactory
from tests.stellenplan.plan_fixtures import reference_plan

pytestmark = pytest.mark.usefixtures("seed")


def grade_rows(doc):
    return {r.label: r for part in doc.parts for r in part.rows if r.kind == "grade"}


def unit_rows(doc, code):
    (unit,) = [u for u in doc.units if u.code == code]
    return {r.label: r for r in unit.rows}


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def amt(code):
    return OrgUnit.objects.get(code=code)


def grade(code):
    return PayGrade.objects.get(code=code)


# --- the document -----------------------------------------------------------------------------


def test_it_says_when_there_are_no_vorjahreszahlen_and_still_counts_the_vorgriff():
    PreviousYearFigure.objects.all().delete()
    doc = build_plan_document(reference_plan(), 2012)
    assert doc.notes[0] == "kein Stellenplan 2011 erfasst – Vorjahr mit 0 gerechnet"
    assert doc.grand_total.previous == Decimal("2")
    assert doc.grand_total.change == Decimal("11.5")


def test_it_takes_the_vorjahreszahlen_per_amt_and_group_with_the_30_june(role_users):
    PreviousYearFigure.objects.filter(org_unit__code="20", pay_grade__code="A 8").update(
        fte=Decimal("4"), occupied=Decimal("3.5"), acting_user=role_users["personalamt"]
    )
    PreviousYearFigure.objects.create(  # the newest entry names who entered the figures
        year=2011,
        org_unit=amt("20"),
        pay_grade=grade("A 9 mD"),
        fte=Decimal("2.5"),
        acting_user=role_users["personalamt"],
    )
    doc = build_plan_document(reference_plan(), 2012)
    rows = grade_rows(doc)
    assert (rows["A 8"].previous, rows["A 8"].occupied) == (Decimal("4"), Decimal("3.5"))
    assert rows["A 8"].change == Decimal("1.3") - Decimal("4")
    # a group only in the Vorjahr has its row, with the whole as a reduction
    assert (rows["A 9 mD"].fte, rows["A 9 mD"].previous) == (0, Decimal("2.5"))
    assert unit_rows(doc, "20")["A 8"].previous == Decimal("4")
    assert unit_rows(doc, "20")["A 10"].previous == Decimal("1")  # the Vorgriff of 20-4
    assert doc.grand_total.previous == Decimal("8.5")
    assert "von personalamt" in doc.notes[0]
    assert "nicht aus einem im Programm beschlossenen Stellenplan" in doc.notes[0]


def test_an_adopted_plan_of_the_vorjahr_wins_and_later_vorgriffe_are_added():
    PreviousYearFigure.objects.filter(org_unit__code="WFB").update(fte=Decimal("5"))
    plan_2011 = StaffingPlan.objects.create(first_year=2011, last_year=2011)
    adopt_for_bench(plan_2011, adopted_on=date(2010, 12, 16))
    doc = build_plan_document(reference_plan(), 2012)
    assert grade_rows(doc)["A 14"].previous == 0  # not the 5,0 typed in
    assert doc.sources[1] == "Stellen 2011: beschlossener Stellenplan 2011, Fassung 1"
    assert doc.grand_total.previous == Decimal("2")  # the record held both Vorgriffe
    # a Schaffung im Vorgriff recorded after the adoption is not in the record: it is added
    position = PositionFactory(
        org_unit=amt("WFB"), pay_grade=grade("A 14"), start_date=date(2011, 11, 1)
    )
    PositionChange.objects.create(
        kind=PositionChange.Kind.CREATE,
        in_advance=True,
        effective_date=date(2011, 11, 1),
        position=position,
        org_unit_after=position.org_unit,
        pay_grade_after=position.pay_grade,
        fte_after=position.fte,
        grdrs="900/2011",
    )
    doc = build_plan_document(reference_plan(), 2012)
    assert grade_rows(doc)["A 14"].previous == position.fte
    assert "A 14: 1,0" in doc.notes[-1]


def test_the_vorgriff_is_marked_in_the_veraenderungsnachweis():
    doc = build_plan_document(reference_plan(), 2012)
    (group,) = doc.change_groups
    assert (group.fte, group.in_previous_fte) == (Decimal("13.5"), Decimal("2"))
    assert doc.changes_in_previous_fte == Decimal("2")
    # the Veränderung of the plan and the Veränderungsnachweis agree once the Vorgriff is out
    assert doc.grand_total.change == group.fte - group.in_previous_fte
    assert [c.in_previous for c in doc.changes].count(True) == 2


def test_beamte_auf_zeit_are_their_own_block_at_the_head_of_teil_a():
    b6 = PayGrade.objects.create(
        code="B 6", status_group="beamte", career_group="bz", sort_order=500
    )
    PositionFactory(pay_grade=b6, start_date=date(2012, 1, 1), fte=Decimal("1"))
    doc = build_plan_document(reference_plan(), 2012)
    labels = [r.label for r in doc.parts[0].rows]
    assert labels[:3] == ["B 6", "Summe Beamte auf Zeit / Wahlbeamte", "A 14"]
    assert doc.parts[0].total.fte == Decimal("9.4")


def test_trainees_are_listed_and_never_counted_as_stellen():
    TraineeCount.objects.create(
        year=2011, category="anwaerter", training="Inspektoranwärter/-innen", number=9
    )
    TraineeCount.objects.create(
        year=2012, category="anwaerter", training="Inspektoranwärter/-innen", number=12
    )
    TraineeCount.objects.create(
        year=2012,
        category="azubi",
        training="Verwaltungsfachangestellte",
        number=7,
        number_previous=6,
    )
    doc = build_plan_document(reference_plan(), 2012)
    assert [(t.training, t.number, t.number_previous) for t in doc.trainees] == [
        ("Inspektoranwärter/-innen", 12, 9),  # the Vorjahr from 2011's line
        ("Verwaltungsfachangestellte", 7, 6),
    ]
    assert [(g.label, g.number) for g in doc.trainee_groups] == [
        ("Beamtinnen und Beamte im Vorbereitungsdienst (Anwärter)", 12),
        ("Auszubildende", 7),
    ]
    assert (doc.trainees_total.number, doc.trainees_total.number_previous) == (19, 15)
    assert doc.grand_total.fte == Decimal("13.5")


def test_the_record_keeps_the_new_fields_and_old_records_read_without_them():
    TraineeCount.objects.create(year=2012, category="azubi", training="Fachinformatik", number=3)
    document = build_full_document(reference_plan())
    again = PLAN_RECORD.read(PLAN_RECORD.write(document))
    first = again.year(2012)
    assert first.trainees[0].training == "Fachinformatik"
    assert first.change_groups[0].in_previous_fte == Decimal("2")
    assert sum(c.in_previous for c in first.changes) == 2
    stored = PLAN_RECORD.write(document)
    for year in stored["years"]:
        del year["trainees"]
        for group in year["change_groups"]:
            del group["in_previous_fte"]
    old = PLAN_RECORD.read(stored).year(2012)
    assert old.trainees == [] and old.change_groups[0].in_previous_fte == 0


def test_the_workbook_shows_the_veraenderung_signed_like_the_document(tmp_path):
    PreviousYearFigure.objects.filter(org_unit__code="20", pay_grade__code="A 8").update(
        fte=Decimal("1.5")
    )
    document = build_full_document(reference_plan())
    path = tmp_path / "plan.xlsx"
    write_plan_workbook(str(path), document)
    sheet = load_workbook(path)["Stellenplan 2012"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "A 8")
    assert row[7].value == f"={row[1].coordinate}-{row[5].coordinate}"
    assert row[7].number_format == '+#,##0.0###;"−"#,##0.0###;0.0'
    assert row[1].number_format == "#,##0.0###"
    assert signed_decimal(grade_rows(document.year(2012))["A 8"].change) == "−0,2"


# --- the pages --------------------------------------------------------------------------------


def previous_url(plan, unit=None):
    url = reverse("plandoc:previous_figures", args=[plan.pk])
    return f"{url}?amt={unit.pk}" if unit else url


def test_the_personalamt_enters_vorjahreszahlen_and_the_plan_shows_them(hr_client):
    plan = reference_plan()
    unit = amt("20")
    page = hr_client.get(previous_url(plan, unit))
    assert page.status_code == 200
    assert "Vorjahreszahlen 2011" in page.content.decode()
    a8, a9 = grade("A 8"), grade("A 9 mD")
    response = hr_client.post(
        previous_url(plan, unit),
        {f"fte_{a8.pk}": "3,5", f"occupied_{a8.pk}": "3.25", f"fte_{a9.pk}": "1"},
    )
    assert response.status_code == 302
    saved = PreviousYearFigure.objects.get(year=2011, org_unit=unit, pay_grade=a8)
    assert (saved.fte, saved.occupied) == (Decimal("3.5"), Decimal("3.25"))
    assert saved.history.count() == 2  # the seed's entry, then this change
    assert saved.acting_user.username == "personalamt"
    assert PreviousYearFigure.objects.filter(year=2011, org_unit=unit, pay_grade=a9).exists()
    detail = hr_client.get(reverse("plandoc:detail", args=[plan.pk])).content.decode()
    assert "Vorjahreszahlen, erfasst am" in detail and "von personalamt" in detail
    # an emptied field removes the group's entry
    response = hr_client.post(
        previous_url(plan, unit), {f"fte_{a9.pk}": "", f"occupied_{a9.pk}": ""}
    )
    assert response.status_code == 302
    assert not PreviousYearFigure.objects.filter(year=2011, org_unit=unit, pay_grade=a9).exists()


def test_bad_vorjahreszahlen_are_refused_in_german_and_nothing_changes(hr_client):
    plan = reference_plan()
    unit = amt("20")
    a8, a10 = grade("A 8"), grade("A 10")
    before = list(PreviousYearFigure.objects.values_list("pk", "fte", "occupied", "version"))
    response = hr_client.post(
        previous_url(plan, unit), {f"fte_{a8.pk}": "drei", f"fte_{a10.pk}": "2"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "A 8: Stellen 2011" in text and "„drei“ ist keine Zahl" in text
    response = hr_client.post(
        previous_url(plan, unit),
        {f"fte_{a8.pk}": "1", f"occupied_{a8.pk}": "2", f"fte_{a10.pk}": "2"},
    )
    assert response.status_code == 400
    assert "20, A 8" in response.content.decode()
    assert "„besetzt am 30.06.“ (2,0) muss zwischen 0 und den Stellen (1,0) liegen" in (
        response.content.decode()
    )
    after = list(PreviousYearFigure.objects.values_list("pk", "fte", "occupied", "version"))
    assert after == before  # the valid A 10 was not saved either


def test_a_unit_below_an_amt_or_an_adopted_year_is_refused(client, role_users):
    plan = reference_plan()
    client.force_login(role_users["kaemmerei"])
    assert client.get(previous_url(plan)).status_code == 403
    hr_client = client
    hr_client.force_login(role_users["personalamt"])
    response = hr_client.get(previous_url(plan, amt("20-4")))  # not an Amt: the first Amt
    assert "Vorjahreszahlen 2011: 10 Haupt" in response.content.decode()
    plan_2011 = StaffingPlan.objects.create(first_year=2011, last_year=2011)
    adopt_for_bench(plan_2011, adopted_on=date(2010, 12, 16))
    response = hr_client.post(previous_url(plan, amt("20")), {f"fte_{grade('A 8').pk}": "9"})
    assert response.status_code == 302
    assert not PreviousYearFigure.objects.filter(fte=9).exists()


def test_the_personalamt_enters_nachwuchskraefte_and_the_pdf_text_has_them(hr_client):
    plan = reference_plan()
    url = reverse("plandoc:trainees", args=[plan.pk]) + "?year=2012"
    assert hr_client.get(url).status_code == 200
    data = {
        "line-TOTAL_FORMS": "2",
        "line-INITIAL_FORMS": "0",
        "line-0-category": "anwaerter",
        "line-0-training": "Inspektoranwärter/-innen (gehobener Verwaltungsdienst)",
        "line-0-number": "12",
        "line-0-number_previous": "10",
        "line-1-category": "azubi",
        "line-1-training": "",
        "line-1-number": "",
    }
    assert hr_client.post(url, data).status_code == 302
    line = TraineeCount.objects.get(year=2012)
    assert (line.number, line.number_previous) == (12, 10)
    response = hr_client.get(reverse("plandoc:pdf", args=[plan.pk]))
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    assert response.status_code == 200 and text.startswith(b"%PDF")
    detail = hr_client.get(reverse("plandoc:detail", args=[plan.pk])).content.decode()
    assert "Nachwuchskräfte 2012" in detail and "Summe Nachwuchskräfte" in detail
    # a fraction of a person is refused, naming field and value
    data.update(
        {
            "line-INITIAL_FORMS": "1",
            "line-0-pk": str(line.pk),
            "line-0-version": str(line.version),
            "line-0-number": "2,5",
        }
    )
    response = hr_client.post(url, data)
    assert response.status_code == 400
    assert "Anzahl im Haushaltsjahr: „2,5“ ist keine Anzahl" in response.content.decode()
    assert TraineeCount.objects.get(pk=line.pk).number == 12
    # an emptied number removes the line
    data.update({"line-0-number": ""})
    assert hr_client.post(url, data).status_code == 302
    assert not TraineeCount.objects.exists()
    assert Position.objects.count() == 18


# --- the Excel import of Vorjahreszahlen --------------------------------------------------------


def vorjahr_file(rows, header=("Amt", "Besoldungs-/Entgeltgruppe", "Stellen", "besetzt am 30.06.")):
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vorjahreszahlen"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    stream = BytesIO()
    workbook.save(stream)
    stream.seek(0)
    stream.name = "vorjahr.xlsx"
    return stream


def test_an_excel_file_is_previewed_then_saved_all_or_nothing(hr_client):
    plan = reference_plan()
    url = previous_url(plan, amt("20"))
    # the app's own file is the template: it downloads with the entered figures
    template = hr_client.get(reverse("plandoc:previous_figures_excel", args=[plan.pk]))
    assert template.status_code == 200
    sheet = load_workbook(__import__("io").BytesIO(b"".join(template.streaming_content)))[
        "Vorjahreszahlen"
    ]
    assert [c.value for c in sheet[4]] == [
        "Amt",
        "Besoldungs-/Entgeltgruppe",
        "Stellen 2011",
        "besetzt am 30.06.2011",
    ]
    assert sheet.max_row == 4 + PreviousYearFigure.objects.count()
    upload = vorjahr_file(
        [("20", "A 8", "2,5", 2), ("29", "eg 11", 3, None), ("14", "A 13 hD", 0, 0)]
    )
    response = hr_client.post(url, {"action": "import", "file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vorschau der Datei" in page and "2,5 Stellen, besetzt 2,0" in page
    assert "unverändert" in page  # 14, A 13 hD: 0 as before
    assert PreviousYearFigure.objects.get(org_unit__code="20", pay_grade__code="A 8").fte == 0
    payload = response.context["payload"]
    response = hr_client.post(url, {"action": "confirm", "payload": payload})
    assert response.status_code == 302
    a8 = PreviousYearFigure.objects.get(org_unit__code="20", pay_grade__code="A 8")
    assert (a8.fte, a8.occupied, a8.acting_user.username) == (Decimal("2.5"), 2, "personalamt")
    eg11 = PreviousYearFigure.objects.get(org_unit__code="29", pay_grade__code="EG 11")
    assert (eg11.fte, eg11.occupied) == (Decimal("3"), None)
    # a changed preview is refused, not saved
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = hr_client.post(url, {"action": "confirm", "payload": forged})
    assert response.status_code == 400
    assert "Die Vorschau ist abgelaufen oder verändert" in response.content.decode()


def test_a_bad_file_names_sheet_row_column_and_value_and_saves_nothing(hr_client):
    plan = reference_plan()
    before = list(PreviousYearFigure.objects.values_list("pk", "fte", "occupied", "version"))
    upload = vorjahr_file(
        [
            ("20", "A 8", "2,5", None),
            ("20-4", "A 10", 1, None),  # not an Amt
            ("29", "X 99", 1, None),  # no such grade
            ("29", "EG 9", "viel", None),
            ("10", "A 12", 1, 2),  # more occupied than Stellen
            ("20", "A 8", 1, None),  # twice
        ]
    )
    response = hr_client.post(previous_url(plan), {"action": "import", "file": upload})
    assert response.status_code == 400
    page = " ".join(response.content.decode().split())
    assert "Zeile 3" in page and "20-4" in page and "ist kein Amt" in page
    assert "X 99" in page and "ist kein erfasster Stellenwert" in page
    assert "viel" in page and "erwartet eine Zahl von Stellen" in page
    assert "muss zwischen 0 und den Stellen (1,0) liegen" in page
    assert "steht für dieses Amt schon in Zeile 2" in page
    assert "Vorschau der Datei" not in page
    after = list(PreviousYearFigure.objects.values_list("pk", "fte", "occupied", "version"))
    assert after == before
    response = hr_client.post(
        previous_url(plan), {"action": "import", "file": __import__("io").BytesIO(b"kein Excel")}
    )
    assert response.status_code == 400
