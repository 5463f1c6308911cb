"""Light formatting of decision texts: Markdown (lists, bold, tables), raw HTML escaped.

Python-Markdown passes raw HTML through by default. We switch that off (the typed `<b>` or
`<script>` comes out as text, escaped), then sanitise the result with nh3 as a second line of
defence, allowing only the tags Markdown itself produces for our features.

Nesting is limited: a list nested a hundred levels deep took Python-Markdown minutes and made
WeasyPrint fail on every print of the decision. ``validate_nesting`` refuses such text on save
(a German message); ``render_markdown`` shows text that is nested deeper anyway (saved before
the limit, or written by a script) as plain paragraphs instead of converting it.
"""

import re

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "code",
    "pre",
    "hr",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"ol": {"start"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}


#: Lists and quotes nested deeper than this are refused (more than any decision text needs).
MAX_NESTING = 10
#: What opens a nesting level at the start of a line: a quote mark, a list marker, or four
#: spaces (a tab) of indentation.
_LINE_PREFIX = re.compile(r"(?:[ \t]|>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t]))*")
_MARKER = re.compile(r">|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])")


def nesting_depth(text: str) -> int:
    """How deep lists and quotes in `text` may nest at most (an upper bound, from the source)."""
    depth = 0
    for line in text.splitlines():
        prefix = _LINE_PREFIX.match(line)
        if prefix is None or not prefix.group():
            continue
        markers = _MARKER.findall(prefix.group())
        indent = len(_MARKER.sub("", prefix.group()).expandtabs(4))
        depth = max(depth, len(markers) + indent // 4)
    return depth


def validate_nesting(text: str | None) -> None:
    """A German error for text whose lists or quotes nest deeper than ``MAX_NESTING``."""
    depth = nesting_depth(text or "")
    if depth > MAX_NESTING:
        raise ValidationError(
            "Der Text ist %(depth)s Ebenen tief verschachtelt (Listen, Einrückungen oder "
            "Zitate); erlaubt sind höchstens %(max)s Ebenen. Bitte die Gliederung flacher "
            "fassen.",
            code="nesting",
            params={"depth": depth, "max": MAX_NESTING},
        )


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    # No raw HTML: neither blocks nor inline tags; they are escaped as text instead.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML, safe to put into a template."""
    if not text:
        return mark_safe("")
    if nesting_depth(text) > MAX_NESTING:
        return _plain(text)
    try:
        html = _converter().convert(text)
    except RecursionError:
        return _plain(text)
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def _plain(text: str) -> SafeString:
    """Text too deeply nested for Markdown: escaped paragraphs and line breaks only."""
    return mark_safe(linebreaks(text, autoescape=True))  # noqa: S308 - escaped by linebreaks


LIST_ITEM_RE = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
BLOCK_MARK_RE = re.compile(r"^\s*(?:\||#|>|```)")


def task_markdown(text: str) -> str:
    """A task description ("Eine Aufgabe je Zeile") as Markdown that keeps the lines apart.

    Markdown joins consecutive lines into one sentence. Here a paragraph of several plain
    lines becomes a list, one item per line; a line introducing a list ("Tätigkeiten:"
    directly followed by "- …" lines) gets the blank line Markdown needs before the list.
    Single-line paragraphs, lists, tables, quotes and explicit line breaks stay as written.
    """
    blocks = []
    for block in re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        bullets = [bool(LIST_ITEM_RE.match(line)) for line in lines]
        special = any(BLOCK_MARK_RE.match(line) or line.endswith("  ") for line in lines[:-1])
        if len(lines) < 2 or special or all(bullets):
            blocks.append(block)
        elif not any(bullets):
            blocks.append("\n".join(f"- {line.strip()}" for line in lines))
        elif not bullets[0] and all(bullets[1:]):
            blocks.append(lines[0] + "\n\n" + "\n".join(lines[1:]))
        else:  # plain lines and list items mixed: every plain line an item of its own
            blocks.append(
                "\n".join(
                    line if bullet else f"- {line.strip()}"
                    for line, bullet in zip(lines, bullets, strict=True)
                )
            )
    return "\n\n".join(blocks)


def render_task_list(text: str) -> SafeString:
    """Tasks rendered as lists wherever shown (annex on screen, print, PDF)."""
    return render_markdown(task_markdown(text))
