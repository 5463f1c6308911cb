"""What every PDF of the app shares (decisions, the Stellenplan): fonts read from disk, a URL
fetcher that only reads local files, the tagged PDF/UA-1 variant, the PDF/A-3a archive variant
with PDF/UA-1 declared, and the static stylesheets.

Moved here from decisions.pdf so that lower apps (stellenplan) print with the same machinery
without importing decisions; decisions.pdf imports these names from here.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfWriter
from pypdf.generic import StreamObject
from weasyprint import HTML
from weasyprint.urls import URLFetcher

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = [
    # (file, weight, style)
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
]
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


def static_text(name: str) -> str:
    """A stylesheet of the static folder, read from disk."""
    path = finders.find(name)
    if path is None:
        raise ImproperlyConfigured(f"Stylesheet {name} nicht gefunden.")
    return Path(path).read_text(encoding="utf-8")


def html_source(html: str) -> HTML:
    """`html` (self-contained) as WeasyPrint reads it for every PDF: local files only. Its
    ``render(**PDF_OPTIONS)`` is the laid-out document (pages, anchors) a test can measure."""
    base = Path(settings.STATICFILES_DIRS[0]).resolve() if settings.STATICFILES_DIRS else font_dir()
    return HTML(
        string=html, base_url=base.as_uri() + "/", url_fetcher=LocalFileFetcher(allowed_dirs())
    )


def render_pdf(html: str, *, archive: bool = False) -> bytes:
    """`html` (self-contained) as a PDF: tagged PDF/UA-1; with `archive` PDF/A-3a + PDF/UA-1."""
    document = html_source(html)
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
        raise ValueError("Das PDF/A hat keine XMP-Metadaten.")
    xmp = metadata.get_data()
    end = xmp.rindex(b"</rdf:RDF>")
    metadata.set_data(xmp[:end] + PDFUA_XMP + xmp[end:])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
