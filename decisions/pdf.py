"""The PDF of a decision, rendered by WeasyPrint from one self-contained HTML document.

decision_html(decision) gives the HTML with its stylesheet and @font-face rules inlined (fonts
as file:// URLs of the Debian package fonts-dejavu-core), so that WeasyPrint renders the same
document whether it is called here or by anyone else with HTML(string=...). render_decision_pdf
adds a URL fetcher that only reads files below the static and font folders: no network fetch,
ever (an http(s) URL in the HTML fails instead of being fetched).

Every PDF is tagged PDF/UA-1 (PDF_OPTIONS): WeasyPrint writes the structure tree from the HTML,
which therefore has `lang`, a `<title>`, `<th scope>` in `<thead>`, captions, headings without
gaps and source order = reading order. The printed record of an adopted decision (`archive`)
is PDF/A-3a for archiving, which is tagged as well, and also declares PDF/UA-1 in its XMP
metadata (with the extension schema PDF/A asks for): one file for both (ARCHIVE_OPTIONS). A
paper that is not adopted carries "ENTWURF" at the top of every page.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader

# The shared PDF machinery lives in core.pdf; imported here by name for the callers of this
# module (tests, bench).
from core.pdf import (  # noqa: F401 - re-exported
    ARCHIVE_OPTIONS,
    DRAFT_MARK,
    PDF_OPTIONS,
    LocalFileFetcher,
    allowed_dirs,
    declare_pdfua,
    font_dir,
    font_faces,
    render_pdf,
    static_text,
)
from decisions.models import Decision
from decisions.selectors import DecisionDocument, decision_document, decision_for_page

STYLESHEET = "decisions/pdf.css"


def stylesheet() -> str:
    return static_text(STYLESHEET)


def document_for(decision: Decision) -> DecisionDocument:
    """The decision with its parts prefetched, and the generated figures."""
    fresh = decision_for_page(decision.pk).first() or decision
    return decision_document(fresh)


def decision_html(
    decision: Decision, doc: DecisionDocument | None = None, adopted_on: date | None = None
) -> str:
    """The complete HTML of the PDF (stylesheet and fonts inlined); `adopted_on` marks the
    printed record of an adopted decision ("beschlossen am …"). A paper that is not adopted
    is marked as a draft on every page."""
    doc = doc or document_for(decision)
    # one spelling per paper: "Beschlussvorlage", or "Beschlußvorlage" as in its source
    kind_label, points_label = doc.decision.document_label, doc.decision.proposal_label
    with translation.override("de"):
        return render_to_string(
            "decisions/pdf/decision.html",
            {
                "doc": doc,
                "css": mark_safe(font_faces() + "\n" + stylesheet()),  # our own files
                "kind_label": kind_label,
                "points_label": points_label,
                "adopted_on": adopted_on,
                "draft": adopted_on is None and doc.decision.status != Decision.Status.ADOPTED,
                "draft_mark": DRAFT_MARK,
            },
        )


def annex_html(
    decision: Decision,
    number: int,
    doc: DecisionDocument | Any | None = None,
    adopted_on: date | None = None,
) -> str:
    """The HTML of one generated Anlage alone (an OParl auxiliaryFile); `doc` may be the frozen
    document of an adopted paper, which then prints as decided."""
    doc = doc or document_for(decision)
    annex = next(
        (a for a in doc.annexes if a.generated and a.number == number),
        None,
    )
    if annex is None:
        raise LookupError(f"Die Vorlage hat keine erzeugte Anlage {number}.")
    with translation.override("de"):
        return render_to_string(
            "decisions/pdf/annex.html",
            {
                "doc": doc,
                "annex": annex,
                "css": mark_safe(font_faces() + "\n" + stylesheet()),  # our own files
                "adopted_on": adopted_on,
                "draft": adopted_on is None and doc.decision.status != Decision.Status.ADOPTED,
                "draft_mark": DRAFT_MARK,
            },
        )


def render_annex_pdf(
    decision: Decision,
    number: int,
    doc: DecisionDocument | Any | None = None,
    adopted_on: date | None = None,
) -> bytes:
    """One generated Anlage as its own PDF/UA-1 file."""
    return render_pdf(annex_html(decision, number, doc, adopted_on))


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF, page by page (OParl File.text), as a reader would extract it."""
    reader = PdfReader(BytesIO(pdf))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def render_decision_pdf(
    decision: Decision,
    doc: DecisionDocument | None = None,
    adopted_on: date | None = None,
    *,
    archive: bool = False,
) -> bytes:
    """The PDF of the decision as bytes (A4, page numbers, running header with the GRDrs),
    tagged PDF/UA-1; with `archive` PDF/A-3a and PDF/UA-1 (the adopted record)."""
    return render_pdf(decision_html(decision, doc, adopted_on), archive=archive)


def pdf_filename(decision: Decision) -> str:
    if decision.number:
        return f"GRDrs-{decision.number.replace('/', '-')}.pdf"
    return f"Beschlussvorlage-{decision.pk}.pdf"


def annex_filename(decision: Decision, number: int) -> str:
    return pdf_filename(decision).removesuffix(".pdf") + f"-Anlage-{number}.pdf"
