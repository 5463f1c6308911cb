"""The PDF of a Stellenplan: WeasyPrint on one self-contained HTML document (the decision PDF's
approach, through core.pdf): tagged PDF/UA-1, lang de, a title, real <th> headers with scope,
a <caption> per table, "Seite x von y", and "ENTWURF" on every page of a draft. The adopted
record's PDF is PDF/A-3a with PDF/UA-1 declared (``archive``).

The HTML comes from a PlanDocument, live or read back from the record, with the templates
the screen uses (stellenplan/_plan_year.html).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from core.pdf import DRAFT_MARK, font_faces, render_pdf, static_text
from stellenplan.plan_document import PlanDocument

if TYPE_CHECKING:
    from stellenplan.imports import Progress

STYLESHEET = "stellenplan/plan-pdf.css"


def plan_html(document: PlanDocument) -> str:
    """The complete HTML of the PDF (stylesheet and fonts inlined)."""
    first = document.years[0]
    with translation.override("de"):
        return render_to_string(
            "stellenplan/pdf/plan.html",
            {
                "plan": document,
                "first": first,
                "css": mark_safe(font_faces() + "\n" + static_text(STYLESHEET)),  # our files
                "draft": first.draft,
                "draft_mark": DRAFT_MARK,
                "city": getattr(settings, "OPARL", {}).get("body_name", ""),
            },
        )


#: Shares of the work of a PDF for its progress: the HTML, then the layout by WeasyPrint (by
#: far the larger part: long tables are its slow path).
PDF_STEPS = (("Seiten vorbereiten (HTML)", 5), ("PDF setzen (Seitenlayout)", 95))


def render_plan_pdf(
    document: PlanDocument, *, archive: bool = False, progress: Progress | None = None
) -> bytes:
    """The PDF of `document`; `progress(done, total, step)` hears of the HTML and the layout
    (in shares of 100; WeasyPrint reports nothing while it lays out the pages)."""
    (html_step, html_share), (layout_step, _layout_share) = PDF_STEPS
    if progress is not None:
        progress(0, 100, html_step)
    html = plan_html(document)
    if progress is not None:
        progress(html_share, 100, layout_step)
    return render_pdf(html, archive=archive)


def plan_pdf_filename(label: str) -> str:
    """The file name of the PDF of the plan labelled `label` ("2012/2013")."""
    return f"Stellenplan-{label.replace('/', '-')}.pdf"
