"""Every long form keeps its input over an expired session (static/js/keep-input.js) and warns
before unsaved changes are lost (static/js/unsaved.js): both marks on the same forms."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The decision editor adds and removes rows in the page; restoring fields by name into a page
# with other rows would mix them up, so it only warns.
WARN_ONLY = {"decisions/decision_form.html"}


def test_every_form_that_warns_also_keeps_its_input():
    warned = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        for tag in re.findall(r"<form[^>]*data-warn-unsaved[^>]*>", path.read_text()):
            warned.append(name)
            if name not in WARN_ONLY:
                assert "data-keep-input" in tag, name
                assert "data-bound" in tag, name  # a form shown again drops the stored input
    assert len(warned) >= 15
