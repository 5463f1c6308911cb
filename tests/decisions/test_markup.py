"""Decision texts: Markdown (lists, bold, tables) rendered; raw HTML escaped, never executed."""

from decisions.markup import render_markdown


def test_it_renders_lists_bold_and_tables():
    html = render_markdown("**fett**\n\n- eins\n- zwei\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>fett</strong>" in html
    assert "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>" in html
    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html


def test_it_escapes_a_script_tag():
    html = render_markdown("Text <script>alert('x')</script> Ende")
    assert "<script" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html


def test_it_escapes_raw_html_blocks_and_attributes():
    html = render_markdown('<div onclick="evil()">roh</div>\n\n<img src=x onerror=alert(1)>')
    assert "<div" not in html and "<img" not in html
    assert "&lt;div onclick=" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_it_drops_links_with_javascript_urls():
    html = render_markdown("[klick](javascript:alert(1))")
    assert "javascript:" not in html
    assert "<a" not in html and "klick" in html


def test_it_keeps_ordered_lists_with_their_start_number():
    assert '<ol start="3">' in render_markdown("3. drei\n4. vier")
