"""A fast stand-in for WeasyPrint in the tests that are not about a PDF.

Rendering the reference paper costs 3–4 s CPU; most tests that touch a PDF only need one to
exist (an adoption freezes one, a download answers with one). The stand-in writes a small,
valid PDF whose pages hold the text of the HTML, one line per block, in the order of the
document, so text checks keep working; it knows nothing of layout, CSS counters ("Seite x von
y"), tagging or PDF/A. Tests about those are marked ``pdf`` and get WeasyPrint
(tests/conftest.py). The HTML still goes through the project's own code up to ``HTML(...)``,
so a template error still fails every test.
"""

from __future__ import annotations

import hashlib

import pytest
from lxml import html as lxml_html

BLOCKS = {
    "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table", "section",
    "header", "footer", "caption", "dt", "dd", "ul", "ol", "thead", "tbody", "tfoot",
    "article", "aside", "nav", "figure", "figcaption", "blockquote", "pre",
}  # fmt: skip
CELLS = {"td", "th"}
LINES_PER_PAGE = 70


def html_lines(html: str) -> tuple[str, list[str]]:
    """The title and the text lines of an HTML document, as a reader would see them."""
    root = lxml_html.document_fromstring(html)
    for element in root.iter("style", "script"):
        element.text = ""
    title = " ".join((root.findtext(".//title") or "").split())
    head = root.find("head")
    if head is not None:
        head.getparent().remove(head)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in BLOCKS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
        elif element.tag in CELLS:
            element.tail = " " + (element.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().splitlines()]
    return title, [line for line in lines if line]


def _literal(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def standin_pdf(html: str) -> bytes:
    """A PDF 1.7 with Helvetica (WinAnsi) pages holding the lines of `html`."""
    title, lines = html_lines(html)
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for page_lines in pages:
        content = (
            b"BT /F1 8 Tf 10 TL 30 810 Td "
            + b" ".join(_literal(line) + b" Tj T*" for line in page_lines)
            + b" ET"
        )
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] " % pages_obj
                + b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    info = add(b"<< /Title " + _literal(title) + b" /Producer (Stellenplan test stand-in) >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().encode()
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        catalog,
        info,
        digest,
        digest,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


class StandinHTML:
    """What ``core.pdf`` uses of ``weasyprint.HTML``: HTML(string=…, …).write_pdf(**options)."""

    def __init__(self, *, string: str, **_options) -> None:
        self.string = string

    def write_pdf(self, **_options) -> bytes:
        return standin_pdf(self.string)


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.pdf

    monkeypatch.setattr(core.pdf, "HTML", StandinHTML)
    monkeypatch.setattr(core.pdf, "declare_pdfua", lambda pdf: pdf)
