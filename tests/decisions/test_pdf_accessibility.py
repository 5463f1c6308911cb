"""Accessible PDFs (issue 13): tagged PDF/UA-1, the adopted record also PDF/A-3a, ENTWURF on drafts.

The PDF/UA-1 and PDF/A checks are those of `page-validation` (pinned 0.11.0, a dev dependency);
poppler's pdfinfo/pdftotext read the files back as a user's tools would.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import page
import pytest
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from decisions.models import AdoptedRecord, Decision
from decisions.pdf import DRAFT_MARK, decision_html, render_decision_pdf
from decisions.services import decision_change_status
from tests.factories import council_decided

REFERENCE_PAGES = 19
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"
# Also when a single test that uses only the module's rendered PDF is selected (-k).
# About the PDF itself: rendered by WeasyPrint, not the test stand-in.
pytestmark = [pytest.mark.django_db, pytest.mark.pdf]


@pytest.fixture(scope="module")
def draft(django_db_setup, django_db_blocker) -> tuple[str, bytes]:
    """HTML and PDF of the reference decision as in the seed ("eingebracht", not adopted)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "seed", verbosity=0)
        reference = Decision.objects.get(number="647/2011")
        assert reference.status != Decision.Status.ADOPTED
        html, pdf = decision_html(reference), render_decision_pdf(reference)
        transaction.set_rollback(True)
    return html, pdf


@pytest.fixture(scope="module")
def draft_pdf(draft) -> bytes:
    return draft[1]


@pytest.fixture
def adopted_record(reference) -> AdoptedRecord:
    council_decided(reference, on=date(2011, 10, 6))
    decision_change_status(
        decision=reference,
        status=Decision.Status.ADOPTED,
        acting_user=None,
        expected_version=Decision.objects.get(pk=reference.pk).version,
        on=date(2011, 10, 6),
    )
    return AdoptedRecord.objects.get(decision=reference)


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "vorlage.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of every page (pdftotext ends each page with a form feed)."""
    return poppler("pdftotext", pdf, tmp_path, "-layout").split("\f")[:-1]


def failures(report: page.ValidationReport) -> list[str]:
    return [f"{f.rule_id}: {f.message}" for f in report.failures]


def structure_types(pdf: bytes) -> list[str]:
    """The types of all structure elements, in document order."""
    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject) and node.get("/Type") == "/StructElem":
            found.append(str(node["/S"]))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"]["/K"])
    return found


def xmp_ids(pdf: bytes) -> dict[str, str]:
    """pdfaid/pdfuaid properties of the XMP metadata stream (as attributes or elements)."""
    root = PdfReader(BytesIO(pdf)).trailer["/Root"]
    xmp = root["/Metadata"].get_object()
    tree = ElementTree.fromstring(xmp.get_data().split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    ids: dict[str, str] = {}
    for element in tree.iter():
        for key, value in [*element.attrib.items(), (element.tag, element.text or "")]:
            for prefix, ns in (("pdfaid:", PDFAID), ("pdfuaid:", PDFUAID)):
                if key.startswith(ns):
                    ids[prefix + key.removeprefix(ns)] = value.strip()
    return ids


def test_the_reference_pdf_is_tagged_with_title_and_language(draft_pdf, tmp_path):
    info = poppler("pdfinfo", draft_pdf, tmp_path)
    assert "Tagged:          yes" in info
    assert "Title:           GRDrs 647/2011 – Stadtweite Stellenbedarfe" in info
    assert f"Pages:           {REFERENCE_PAGES}" in info  # print layout unchanged
    catalog = PdfReader(BytesIO(draft_pdf)).trailer["/Root"]
    assert catalog["/Lang"] == "de"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert xmp_ids(draft_pdf) == {"pdfuaid:part": "1"}


def test_the_reference_pdf_passes_the_pdf_ua_1_check(draft_pdf):
    report = page.validate_pdf_bytes(draft_pdf, profile=page.ValidationProfile.PDF_UA_1)
    assert failures(report) == []
    assert report.is_compliant and report.rules.passed > 0


def test_the_structure_has_headings_tables_with_headers_and_captions(draft):
    html, draft_pdf = draft
    types = structure_types(draft_pdf)
    # The paper's title is the one H1 before the Begründung's H2 (no skipped heading level).
    assert types.index("/H1") < types.index("/H2")
    for kind in ("/Table", "/Caption", "/THead", "/TBody", "/TH", "/TD", "/L", "/LI", "/P"):
        assert kind in types, kind
    # Every table has its caption (a table running over pages is one Table element per page).
    assert html.count("<table") == html.count("<caption") == types.count("/Caption") >= 9
    # Every header cell has its scope; each is a TH (repeated on continued pages).
    assert len(re.findall(r"<th[ >]", html)) == html.count('<th scope="col"') <= types.count("/TH")


def test_reading_order_follows_the_paper(draft_pdf, tmp_path):
    text = " ".join(" ".join(page_texts(draft_pdf, tmp_path)).split())
    order = ["Beschlußvorlage", "Beschlußantrag:", "Begründung:", "Finanzielle Auswirkungen"]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)


def test_a_draft_shows_entwurf_on_every_page(draft_pdf, tmp_path):
    texts = page_texts(draft_pdf, tmp_path)
    assert len(texts) == REFERENCE_PAGES
    assert [n for n, text in enumerate(texts, start=1) if DRAFT_MARK not in text] == []
    assert all("Seite" in text and f"von {REFERENCE_PAGES}" in text for text in texts)


def test_the_adopted_record_is_pdf_a_3a_and_pdf_ua_1_without_draft_mark(adopted_record, tmp_path):
    pdf = bytes(adopted_record.pdf)
    metadata = PdfReader(BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object()
    assert "/Filter" not in metadata  # PDF/A: the metadata stream stays uncompressed
    assert xmp_ids(pdf) == {
        "pdfaid:part": "3",
        "pdfaid:conformance": "A",
        "pdfuaid:part": "1",
    }
    for profile in (page.ValidationProfile.PDF_A_3A, page.ValidationProfile.PDF_UA_1):
        assert failures(page.validate_pdf_bytes(pdf, profile=profile)) == [], profile
    assert "Tagged:          yes" in poppler("pdfinfo", pdf, tmp_path)
    texts = page_texts(pdf, tmp_path)
    assert len(texts) == REFERENCE_PAGES
    assert not any(DRAFT_MARK in text for text in texts)
    assert "beschlossen am 06.10.2011" in texts[0]


def test_an_adopted_decision_is_printed_without_draft_mark(adopted_record, tmp_path):
    live = render_decision_pdf(adopted_record.decision)  # e.g. a preview, not the record
    assert not any(DRAFT_MARK in text for text in page_texts(live, tmp_path))
    assert xmp_ids(live) == {"pdfuaid:part": "1"}


@pytest.mark.parametrize("status", [Decision.Status.DRAFT, Decision.Status.REJECTED])
def test_every_paper_that_is_not_adopted_is_marked(reference, status, tmp_path):
    Decision.objects.filter(pk=reference.pk).update(status=status)
    reference.refresh_from_db()
    texts = page_texts(render_decision_pdf(reference), tmp_path)
    assert all(DRAFT_MARK in text for text in texts)
