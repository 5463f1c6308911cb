"""The PDF of the reference decision, read back as text, and rendered pages as PNG."""

import re
import struct
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from decisions.models import Decision, DecisionPosition
from decisions.pdf import LocalFileFetcher, allowed_dirs, decision_html, render_decision_pdf
from departments.models import OrgUnit
from tests.factories import CostRateFactory, OrgUnitFactory, PayGradeFactory, PositionFactory

# About the PDF itself: rendered by WeasyPrint, not the test stand-in.
pytestmark = pytest.mark.pdf

REFERENCE_PAGES = 19

# Every line of the Anlage as printed: org unit, grade, title, share, cost
ANNEX_ROWS = [
    ("10-1.2", "EG 9", "SB/-in Zentraler Einkauf", "0,5", "31.500 €"),
    ("10-3.3", "A 12", "SB/-in Aus- und Fortbildung", "0,3", "29.790 €"),
    ("10-5.1", "A 12", "SB/-in Personal", "0,3", "29.790 €"),
    ("10-5.1", "EG 6", "MA/-in Personalaktei", "0,1", "5.040 €"),
    ("10-5.3", "A 8", "SB/-in Bezügeabrechnung", "0,3", "21.090 €"),
    ("29AL", "A 13 hD", "SB Steuerungsunterstützung", "1,0", "110.400 €"),
    ("29AL", "EG 11", "SB Zentrales Controlling", "1,0", "74.300 €"),
    ("29AL", "EG 11", "SB Öffentlichkeitsarbeit, Berichtswesen", "1,0", "74.300 €"),
    ("29-1", "A 12", "SB Finanzen / Finanzcontrolling", "1,0", "99.300 €"),
    ("29-1", "EG 9", "SB Aus- / Fort- / Weiterbildung", "0,5", "31.500 €"),
    ("29-3", "A 11", "SB Einkauf Arbeitsmarktdienstleistungen, Vertragswesen", "1,0", "88.700 €"),
    ("14-2", "A 13 hD", "Prüfer/-in", "1,0", "110.400 €"),
    ("20-2", "A 12", "SB/-in Haushalt", "0,5", "49.650 €"),
    ("20-4", "A 10", "SB/Stv. Teamleitung", "1,0", "80.700 €"),
    ("20-4", "A 8", "SB/-in Buchhaltung", "1,0", "70.300 €"),
    ("20-4", "EG 6", "SB/-in Buchhaltung", "1,0", "50.400 €"),
    ("20-5", "EG 8", "SB/-in Beitreibung, Vollstreckung", "1,0", "53.900 €"),
    ("WFB", "A 14", "SB/-in Controlling", "1,0", "117.500 €"),
]
ANNEX_TOTALS = ["Gesamt 1,5 117.210 €", "Gesamt 5,5 478.500 €", "Gesamt 4,5 304.950 €"]
DEPARTMENTS = [
    "1. Haupt- und Personalamt",
    "2. Jobcenter",
    "3. Rechnungsprüfungsamt",
    "4. Stadtkämmerei",
    "5. Referat WFB",
]
HEADINGS = [
    "10-1.2: 0,5 Stellen in EG 9 für eine/n SB/-in für Vergaberecht bei der Abteilung Allgemeiner Service",
    "10-5.3: 0,3 Stellen in A 8 für die Bezügeabrechnung bei der Abteilung Personalservice",
    "29AL: 1,0 Stelle in A 13 hD für SB Steuerungsunterstützung bei der Amtsleitung u. a. mit folgenden Aufgaben",
    "29-3: 1,0 Stelle in A 11 für SB Einkauf Arbeitsmarktdienstleistungen, Vertragswesen u. a. mit folgenden Aufgaben",
    "14-2: 1,0 Stelle in A 13 hD für Prüfer/-in für die Prüfungsbereiche SGB II und SGB III",
    "20-4: 1,0 Stelle in A 10 für die Sachbearbeitung und stellvertretende Teamleitung",
    "20-4: 1,0 Stelle in EG 6 für die Buchhaltung",
    "WFB: 1,0 Stelle in A 14 für die Führungsunterstützung und zentrale Steuerung, Controlling",
]
FINANCE_LINES = [
    "THH 200 – Stadtkämmerei 1,0 20.175 € 0 € 20.175 € 0 € 20.175 €",
    "THH 290 – Jobcenter 1,0 22.175 € 0 € 22.175 € 0 € 22.175 €",
    "Summe 2011 2,0 42.350 € 0 € 42.350 € 0 € 42.350 €",
    "THH 100 – Haupt- und Personalamt 1,5 117.210 € 480.000 € 597.210 € 0 € 597.210 €",
    "THH 140 – Rechnungsprüfungsamt 1,0 110.400 € 0 € 110.400 € 0 € 110.400 €",
    "THH 200 – Stadtkämmerei 4,5 304.950 € 0 € 304.950 € 0 € 304.950 €",
    "THH 290 – Jobcenter 5,5 478.500 € 0 € 478.500 € 405.768 € 72.732 €",
    "THH 810 – Bürgermeisteramt 1,0 117.500 € 0 € 117.500 € 0 € 117.500 €",
    "Summe ab 2012 13,5 1.128.560 € 480.000 € 1.608.560 € 405.768 € 1.202.792 €",
]


def flat(text: str) -> str:
    """Whitespace collapsed; words hyphenated at a line end joined again."""
    return re.sub(r"\s+", " ", re.sub("\u2010\\s*\n", "", text)).strip()


@pytest.fixture(scope="module")
def reference_pdf(django_db_setup, django_db_blocker) -> bytes:
    """Rendered once for the module, in a transaction that is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "seed", verbosity=0)
        pdf = render_decision_pdf(Decision.objects.get(number="647/2011"))
        transaction.set_rollback(True)
    return pdf


@pytest.fixture(scope="module")
def pages(reference_pdf) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(reference_pdf)).pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return flat("\n".join(pages))


def test_it_has_a_stable_number_of_a4_portrait_pages(reference_pdf, pages):
    reader = PdfReader(BytesIO(reference_pdf))
    assert len(pages) == REFERENCE_PAGES
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_it_numbers_every_page_and_repeats_the_grdrs_in_the_header(pages):
    for number, page in enumerate(pages, start=1):
        assert f"Seite {number} von {REFERENCE_PAGES}" in page
        assert "GRDrs 647/2011" in page
    assert "Beschlußvorlage vom 19.09.2011" in pages[1]  # running header from page 2 on
    assert "Anlage 1: Aufgabenbeschreibungen" in pages[-1]


def test_it_prints_the_first_page_in_the_stuttgart_layout(pages):
    first = flat(pages[0])
    for part in [
        "Landeshauptstadt Stuttgart",
        "Referat Wirtschaft, Finanzen und Beteiligungen",
        "GRDrs 647/2011",
        "Stuttgart, 19.09.2011",
        "Projekt Jobcenter - Umsetzung der Option in der LHS Stuttgart",
        "Stadtweite Stellenbedarfe im Zusammenhang mit Option",
        "Beschlußvorlage",
        "Vorlage an zur Sitzungsart Sitzungstermin",
        "Unterausschuss JobCenter Beratung nicht öffentlich 23.09.2011",
        "Ausschuss für Wirtschaft und Wohnen Vorberatung öffentlich 30.09.2011",
        "Verwaltungsausschuss Vorberatung öffentlich 05.10.2011",
        "Gemeinderat Beschlussfassung öffentlich 06.10.2011",
        "Beschlußantrag:",
    ]:
        assert part in first, part


def test_it_contains_every_annex_line(text):
    for code, grade, title, fte, cost in ANNEX_ROWS:
        first = title.split()[0]
        row = rf"{re.escape(code)} {re.escape(grade)} {re.escape(first)}.{{0,80}}? {fte} - {re.escape(cost)}"
        assert re.search(row, text), (code, grade, title)
        assert all(word in text for word in title.split())


def test_it_contains_every_annex_total_heading_and_department(text):
    for line in ANNEX_TOTALS + HEADINGS + DEPARTMENTS:
        assert line in text, line
    order = [text.index(d) for d in DEPARTMENTS]
    assert order == sorted(order)
    assert "Org.einheit (aut. Stpl.) Stellenwert Haushalt Funktionsbezeichnung" in text


def test_it_contains_the_generated_finance_and_the_text_as_written(text):
    for line in FINANCE_LINES:
        assert line in text, line
    assert "Erstattung: Bundesbeteiligung Verwaltungskosten SGB II (84,8 %)" in text
    assert "weiterverrechnet an THH 290 – Jobcenter" in text and "Kostenart 48111002" in text
    # the source's errors stay in the text (they are findings, not silently fixed)
    assert "in Höhe von rund 1.682.510 EUR bewilligt" in text
    assert "Kreditorenbuchhaltung (stellv. Teamleitung), A 11" in text
    assert "3.5 Referat WFB, Controlling (insgesamt 1,0 Stelle)" in text
    assert "Michael Föll Erster Bürgermeister" in text or "Michael Föll Werner Wölfle" in text
    assert "Anlage 1: Aufgabenbeschreibungen" in text


def test_it_hyphenates_german_text_and_embeds_dejavu(reference_pdf, pages):
    assert any("\u2010\n" in page for page in pages)  # lang="de" + hyphens: auto
    fonts = set()
    for page in PdfReader(BytesIO(reference_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("DejaVu-Sans" in name for name in fonts)


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_it_renders_page_one_and_an_annex_page_as_png(reference_pdf, pages, output_dir, tmp_path):
    pdf_path = output_dir / "decision-reference.pdf"
    pdf_path.write_bytes(reference_pdf)
    annex_page = next(i for i, p in enumerate(pages, 1) if "1. Haupt- und Personalamt" in p)
    assert annex_page > 2
    for number, name in [(1, "decision-page-1"), (annex_page, "decision-annex")]:
        target = output_dir / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-singlefile",
                "-f",
                str(number),
                "-l",
                str(number),
                pdf_path,
                target,
            ],
            check=True,
        )
        png = target.with_suffix(".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = png_size(png)
        assert abs(height / width - 297 / 210) < 0.01


def test_it_escapes_raw_html_of_the_text_in_the_pdf_html(reference):
    point = reference.proposal_points.get(order=3)
    point.text = "Achtung <script>alert('x')</script> und <b>fett</b>"
    point.save()
    html = decision_html(reference)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html


def test_it_builds_self_contained_html_without_network_urls(reference):
    html = decision_html(reference)
    assert '<html lang="de">' in html
    assert (
        "hyphens: auto" in html and "table-header-group" in html and "break-inside: avoid" in html
    )
    assert "file:///" in html and "DejaVuSans.ttf" in html
    assert "http://" not in html and "https://" not in html


def test_it_refuses_network_and_files_outside_the_allowed_folders(db):
    fetcher = LocalFileFetcher(allowed_dirs())
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/style.css")
    with pytest.raises(ValueError):
        fetcher.fetch(Path("/etc/passwd").as_uri())
    font = next(d for d in allowed_dirs() if (d / "DejaVuSans.ttf").exists()) / "DejaVuSans.ttf"
    response = fetcher.fetch(font.as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()


@pytest.mark.django_db
def test_it_repeats_table_headers_and_keeps_rows_whole_across_pages():
    grade = PayGradeFactory(code="EG 9")
    CostRateFactory(pay_grade=grade)
    amt = OrgUnitFactory(kind=OrgUnit.Kind.AMT, code="51", name="Jugendamt")
    decision = Decision.objects.create(
        date=__import__("datetime").date(2012, 5, 1), title="Viele Stellen"
    )
    for n in range(70):
        position = PositionFactory(
            org_unit=amt,
            pay_grade=grade,
            title=f"Sachbearbeitung Nr. {n:02d} mit langer Funktionsbezeichnung",
        )
        DecisionPosition.objects.create(decision=decision, position=position, order=n + 1)
    pages = [p.extract_text() for p in PdfReader(BytesIO(render_decision_pdf(decision))).pages]
    table_pages = [p for p in pages if "Sachbearbeitung Nr." in p and "€" in p and "51 EG 9" in p]
    assert len(table_pages) >= 2  # the table spans pages
    for page in table_pages:
        assert "Stellenwert" in page and "Funktionsbezeichnung" in page  # header repeated
    for n in range(70):  # every row whole on one page: number and cost together
        assert any(
            re.search(rf"Nr\. {n:02d} mit.{{0,60}}?1,0 - 60.000\s€", flat(p)) for p in pages
        ), n


NEED_PARTS = [
    # Rechnungsprüfungsamt: 662 cases at 60–120 minutes against 1.590 h
    "Rechnungsprüfungsamt: Prüfung SGB II / SGB III Für: 14-2 A 13 hD Prüfer/-in (1,0)",
    "662 Fälle × 60–120 min ÷ 95.400 min 0,42–0,83",
    "Berechneter Bedarf 0,42–0,83",
    "Beamte, 39 h/Woche: 1.590 h = 95.400 min",
    # Stadtkasse: 3,5 × 22.000 ÷ 25.000
    "Stadtkasse 20-4: Kreditoren- und Debitorenbuchhaltung WAUS",
    "3,5 Stellen × 22.000 ÷ 25.000 Fälle 3,08",
    "Berechneter Bedarf 3,08 Beantragte Stellen 3,00",
    # Beitreibung: the shares as the paper states them
    "Beitreibungsabteilung 20-5: Beitreibung und Vollstreckung",
    "Sachbearbeitung Beitreibung (Innendienst) Angabe ohne Herleitung",
    "Vollstreckungsaußendienst Angabe ohne Herleitung 0,45 Stellen angegeben",
    "Berechneter Bedarf 1,00 Beantragte Stellen 1,00",
]


def test_it_prints_the_three_personalbedarfsberechnungen(text):
    start = text.index("Personalbedarfsberechnung Rechnungsprüfungsamt")
    end = text.index("Finanzielle Auswirkungen", start)
    # page breaks repeat the running header and the table head inside the section
    need = re.sub(
        r" Beschlußvorlage vom 19\.09\.2011 GRDrs 647/2011 Seite \d+ von \d+"
        r"(?: Aufgabe Methode Rechnung Stellen Quelle, Bemerkungen)?",
        "",
        text[start:end],
    )
    for part in NEED_PARTS:
        assert part in need, part
    assert text.index("3.5 Referat WFB, Controlling") < start  # after the Begründung
