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
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader, PdfWriter
from pypdf.generic import StreamObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from decisions.models import Decision
from decisions.selectors import DecisionDocument, decision_document, decision_for_page

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = [
    # (file, weight, style)
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
]
STYLESHEET = "decisions/pdf.css"
DRAFT_MARK = "ENTWURF"

# Added to the XMP metadata of the PDF/A-3a record: the PDF/A extension schema that declares
# the pdfuaid namespace (PDF/A allows only predefined or declared properties) and PDF/UA-1.
PDFUA_XMP = b"""<rdf:Description rdf:about=""
 xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the document conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
"""
# write_pdf options: every PDF, and the frozen record of an adopted decision (PDF/A needs the
# metadata stream uncompressed; WeasyPrint compresses it otherwise).
PDF_OPTIONS: dict[str, object] = {"pdf_variant": "pdf/ua-1"}
ARCHIVE_OPTIONS: dict[str, object] = {"pdf_variant": "pdf/a-3a", "uncompressed_pdf": True}


def font_dir() -> Path:
    return Path(getattr(settings, "DECISIONS_PDF_FONT_DIR", DEFAULT_FONT_DIR))


def font_faces() -> str:
    """@font-face rules for DejaVu Sans read from disk; a clear error when it is missing."""
    folder = font_dir()
    rules = []
    for name, weight, style in FONTS:
        path = folder / name
        if not path.is_file():
            raise ImproperlyConfigured(
                f"Schrift {path} fehlt: bitte das Debian-Paket fonts-dejavu-core installieren "
                "(scripts/system-deps.sh) oder DECISIONS_PDF_FONT_DIR setzen."
            )
        rules.append(
            "@font-face { font-family: 'DejaVu Sans'; "
            f"src: url('{path.resolve().as_uri()}'); font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


def stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if path is None:
        raise ImproperlyConfigured(f"Stylesheet {STYLESHEET} nicht gefunden.")
    return Path(path).read_text(encoding="utf-8")


def allowed_dirs() -> list[Path]:
    dirs = [font_dir(), *(Path(d) for d in settings.STATICFILES_DIRS)]
    if settings.STATIC_ROOT:
        dirs.append(Path(settings.STATIC_ROOT))
    return [d.resolve() for d in dirs]


class LocalFileFetcher(URLFetcher):
    """Reads file: and data: URLs below the allowed folders; refuses everything else."""

    def __init__(self, folders: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, timeout=5)
        self.folders = folders

    def fetch(self, url, headers=None):
        # The scheme is case-insensitive ("FILE:///etc/passwd" is a file URL too), and urlsplit
        # drops leading blanks and control characters as urllib would: check what is fetched.
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc.lower() not in {"", "localhost"}:
            raise ValueError(f"Nur Dateien der erlaubten Ordner und data:-URLs: {url[:200]}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.folders):
            raise ValueError(f"Datei außerhalb der erlaubten Ordner: {url[:200]}")
        # Fetch exactly the file that was checked (normalised, symlinks resolved).
        return super().fetch(path.as_uri(), headers)


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


def html_to_pdf(html: str) -> bytes:
    """Our own self-contained HTML as a tagged PDF/UA-1 (local files only)."""
    base = Path(settings.STATICFILES_DIRS[0]).resolve() if settings.STATICFILES_DIRS else font_dir()
    document = HTML(
        string=html, base_url=base.as_uri() + "/", url_fetcher=LocalFileFetcher(allowed_dirs())
    )
    return document.write_pdf(**PDF_OPTIONS)


def render_annex_pdf(
    decision: Decision,
    number: int,
    doc: DecisionDocument | Any | None = None,
    adopted_on: date | None = None,
) -> bytes:
    """One generated Anlage as its own PDF/UA-1 file."""
    return html_to_pdf(annex_html(decision, number, doc, adopted_on))


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
    html = decision_html(decision, doc, adopted_on)
    base = Path(settings.STATICFILES_DIRS[0]).resolve() if settings.STATICFILES_DIRS else font_dir()
    document = HTML(
        string=html, base_url=base.as_uri() + "/", url_fetcher=LocalFileFetcher(allowed_dirs())
    )
    if not archive:
        return document.write_pdf(**PDF_OPTIONS)
    return declare_pdfua(document.write_pdf(**ARCHIVE_OPTIONS))


def declare_pdfua(pdf: bytes) -> bytes:
    """The PDF/A-3a file with PDF/UA-1 declared in its XMP metadata as well.

    WeasyPrint writes one variant, and what it adds through `xmp_metadata` lands after its
    rdf:RDF element, where XMP readers do not look; so the descriptions go into that element
    here. pypdf rewrites the file with the same objects, trailer ID and uncompressed metadata.
    """
    writer = PdfWriter(clone_from=BytesIO(pdf))
    metadata = writer.root_object["/Metadata"].get_object()
    if not isinstance(metadata, StreamObject):
        raise ValueError("Das PDF/A der Beschlussvorlage hat keine XMP-Metadaten.")
    xmp = metadata.get_data()
    end = xmp.rindex(b"</rdf:RDF>")
    metadata.set_data(xmp[:end] + PDFUA_XMP + xmp[end:])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_filename(decision: Decision) -> str:
    if decision.number:
        return f"GRDrs-{decision.number.replace('/', '-')}.pdf"
    return f"Beschlussvorlage-{decision.pk}.pdf"


def annex_filename(decision: Decision, number: int) -> str:
    return pdf_filename(decision).removesuffix(".pdf") + f"-Anlage-{number}.pdf"
