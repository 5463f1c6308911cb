"""Light formatting of decision texts: Markdown (lists, bold, tables), raw HTML escaped.

Python-Markdown passes raw HTML through by default. We switch that off (the typed `<b>` or
`<script>` comes out as text, escaped), then sanitise the result with nh3 as a second line of
defence, allowing only the tags Markdown itself produces for our features.
"""

import markdown
import nh3
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
    html = _converter().convert(text)
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
