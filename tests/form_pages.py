"""Every form page of the app, and what makes its form show errors (issue 23).

Shared by the fast check through the test client (tests/test_form_accessibility.py) and the
axe walk in Chromium (tests/browser/test_accessibility.py): both visit each page empty and
after submitting invalid data, in every role that may open it.

``FORM_PAGES`` names the page by URL name; ``form`` picks the form on it (a part of its
``action``; empty: the first POST form in ``<main>`` with a field to fill in) and ``fill`` says
what invalid means for it: ``blank`` empties every text field and choice, ``garbage`` writes
``GARBAGE`` into every text field (a number or date field then refuses it) and, in a search
form (GET), into every choice too: the address as a person may edit it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from django.urls import reverse

from decisions.services import decision_create
from tests.test_permissions_matrix import ROUTES, expectation, sample_kwargs

GARBAGE = "kein Wert ✗"


@dataclass(frozen=True)
class FormPage:
    query: str = ""
    form: str = ""
    fill: str = "blank"
    method: str = "post"
    #: a sample object of ``with_form_samples`` instead of the permission matrix's
    sample: str = ""
    #: why invalid input cannot be entered (the page is then checked empty only)
    no_errors: str = ""
    #: who sees the form, if fewer than may open the page
    roles: tuple[str, ...] = ()


FORM_PAGES: dict[str, FormPage] = {
    "login": FormPage(),
    "positions:create": FormPage(),
    "positions:update": FormPage(),
    "positions:move": FormPage(query="?von={unit}"),
    "paygrades:create": FormPage(),
    "paygrades:update": FormPage(),
    "orgunits:create": FormPage(),
    "orgunits:update": FormPage(),
    "costs:costtable_create": FormPage(),
    "costs:costtable_update": FormPage(),
    "costs:costtable_rate_create": FormPage(),
    "costs:costrate_update": FormPage(),
    "costs:rule_create": FormPage(),
    "costs:rule_update": FormPage(),
    "costs:rule_new_rate": FormPage(),
    "costs:adjustment_create": FormPage(),
    "costs:adjustment_update": FormPage(),
    "excel:import_positions": FormPage(),
    "excel:import_cost_table": FormPage(),
    "decisions:create": FormPage(),
    "decisions:edit": FormPage(),
    # the one-page editor with every section; its former part pages only redirect to them
    # the status change (of a draft: the reference paper is adopted and has no such form)
    "decisions:detail": FormPage(
        form="/status/", sample="draft_decision", roles=("admin", "sitzungsdienst")
    ),
    "decisions:positions": FormPage(
        method="get", fill="garbage", roles=("admin", "sitzungsdienst")
    ),
    "need:create": FormPage(),
    "need:update": FormPage(),
    "need:line_create": FormPage(),
    "need:line_update": FormPage(),
    "need:workingtime_create": FormPage(),
    "need:workingtime_update": FormPage(),
    "plans:list": FormPage(no_errors="one checkbox, shown beside an adopted plan only"),
    "plans:create": FormPage(),
    "plans:update": FormPage(),
    "plans:changes": FormPage(method="get", fill="garbage"),
    "plans:change_update": FormPage(no_errors="one optional text (Erläuterung)"),
    "plans:authorisation_create": FormPage(),
    "plans:occupations": FormPage(),
    "plans:occupation_update": FormPage(),
    "plandoc:list": FormPage(method="get", fill="garbage"),
    "plandoc:compare": FormPage(method="get", fill="garbage"),
    "plandoc:explanations": FormPage(no_errors="optional texts only (Erläuterungen)"),
    "plandoc:adopt": FormPage(),
    "plandoc:previous_figures": FormPage(fill="garbage"),
    "plandoc:trainees": FormPage(fill="garbage"),
    "positions:list": FormPage(query="?year=2012", method="get", fill="garbage"),
    "decisions:list": FormPage(method="get", fill="garbage"),
    "council:committee_create": FormPage(),
    "council:committee_update": FormPage(),
    "council:meeting_create": FormPage(),
    "council:meeting_update": FormPage(),
    "changes:list": FormPage(method="get", fill="garbage"),
}


def roles_of(name: str) -> list[str]:
    """The roles that may open (and submit) the form page."""
    if name == "login":
        return ["anonymous"]
    if FORM_PAGES[name].roles:
        return sorted(FORM_PAGES[name].roles)
    expect_ = expectation(name)
    assert expect_ is not None, name
    return sorted(expect_.allowed)


def with_form_samples(samples: dict, admin) -> dict:
    """The permission matrix's samples and a draft paper (whose status can change)."""
    draft = decision_create(
        data={"title": "Entwurf zur Prüfung der Formulare", "date": date(2026, 1, 15)},
        acting_user=admin,
    )
    return {**samples, "draft_decision": draft}


def form_page_url(name: str, samples: dict) -> str:
    page = FORM_PAGES[name]
    if page.sample:
        kwargs = {"pk": samples[page.sample].pk}
    else:
        kwargs = sample_kwargs(ROUTES[name], samples) if name != "login" else {}
    return reverse(name, kwargs=kwargs or None) + page.query.format(unit=samples["unit"].pk)


#: input types a person types into
TEXT_TYPES = {"text", "number", "email", "search", "password", "date", "url", "tel", ""}


@dataclass
class Control:
    tag: str
    type: str
    name: str
    value: str
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str
    in_main: bool
    controls: list[Control] = field(default_factory=list)

    @property
    def fillable(self) -> list[Control]:
        return [c for c in self.controls if c.type not in ("hidden", "submit", "button")]

    def data(self, fill: str) -> dict[str, list[str]]:
        """What a browser sends after the user made each text field and choice invalid."""
        out: dict[str, list[str]] = {}
        for control in self.controls:
            if not control.name or control.type in ("submit", "button", "file"):
                continue
            values: list[str]
            if control.tag == "select" and fill == "garbage" and self.method == "get":
                values = [GARBAGE]
            elif control.tag == "select":
                values = [""] if fill == "blank" else control.selected
            elif control.type in ("checkbox", "radio"):
                values = [control.value or "on"] if control.checked else []
            elif control.type == "hidden":
                values = [control.value]
            else:
                values = ["" if fill == "blank" else GARBAGE]
            if values:
                out.setdefault(control.name, []).extend(values)
        return out


class PageParser(HTMLParser):
    """The ids of a page, what refers to ids, labels, options, and its forms. What stands in
    a ``<template>`` is no part of the page until a script copies it (it is parsed apart)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.references: list[tuple[str, str, str]] = []  # (attribute, id, element)
        self.label_for: list[str] = []
        self.label_texts: list[str] = []
        self.option_texts: list[str] = []
        self.invalid: list[str] = []
        self.forms: list[Form] = []
        self.template_depth = 0
        self.main_depth = 0
        self._label: list[str] | None = None
        self._option: list[str] | None = None
        self._select: Control | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = {name: value or "" for name, value in attrs_list}
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "main":
            self.main_depth += 1
        where = f"<{tag} name={attrs.get('name', '')!r} id={attrs.get('id', '')!r}>"
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for attribute in ("aria-describedby", "aria-labelledby", "aria-errormessage"):
            for ref in attrs.get(attribute, "").split():
                self.references.append((attribute, ref, where))
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(where)
        if tag == "label":
            self._label = []
            if "for" in attrs:
                self.label_for.append(attrs["for"])
        elif tag == "form":
            self.forms.append(
                Form(
                    method=attrs.get("method", "get").lower(),
                    action=attrs.get("action", ""),
                    in_main=bool(self.main_depth),
                )
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            control = Control(
                tag=tag,
                type=attrs.get("type", "submit" if tag == "button" else "").lower(),
                name=attrs.get("name", ""),
                value=attrs.get("value", ""),
                checked="checked" in attrs,
            )
            self.forms[-1].controls.append(control)
            if tag == "select":
                self._select = control
            elif tag == "textarea":
                self._textarea = control
        elif tag == "option":
            self._option = []
            if self._select is not None:
                value = attrs.get("value", "")
                self._select.options.append(value)
                if "selected" in attrs:
                    self._select.selected.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.template_depth -= 1
            return
        if self.template_depth:
            return
        if tag == "main":
            self.main_depth -= 1
        elif tag == "label" and self._label is not None:
            self.label_texts.append(" ".join("".join(self._label).split()))
            self._label = None
        elif tag == "option" and self._option is not None:
            self.option_texts.append("".join(self._option).strip())
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self.template_depth:
            return
        for collector in (self._label, self._option):
            if collector is not None:
                collector.append(data)
        if self._textarea is not None:
            self._textarea.value += data

    def the_form(self, page: FormPage) -> Form | None:
        """The form of the page to submit (see the module docstring)."""
        for form in self.forms:
            if form.method != page.method or not form.fillable:
                continue
            if page.form and page.form not in form.action:
                continue
            if not page.form and not form.in_main:
                continue
            return form
        return None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def problems(html: str) -> list[str]:
    """What makes a form page hard to use with a screen reader, or reads badly."""
    page = parse(html)
    ids = set(page.ids)
    found = [
        f"{attribute}={ref!r} on {where}: no element has this id"
        for attribute, ref, where in page.references
        if ref not in ids
    ]
    found += [
        f"<label for={ref!r}>: no element has this id" for ref in page.label_for if ref not in ids
    ]
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    found += [f"id {i!r} stands more than once" for i in duplicates]
    found += [
        f"label {text!r} ends with a colon" for text in page.label_texts if text.endswith(":")
    ]
    found += [
        f"choice {text!r}: no German empty label"
        for text in page.option_texts
        if text.startswith("---")
    ]
    return found
