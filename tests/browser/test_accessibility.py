"""Every page type, in every role, checked by axe-core and at a phone's width (issue 13);
every form also after invalid input, in each role that may submit it (issue 23).

One browser, one context per role (logged in once through the form). On each page axe-core
(WCAG 2.0/2.1 A and AA rules) must find nothing serious or critical, and at 390 × 844 px the
page itself must not scroll sideways (a wide table may, inside its own scroll container).

The pages come from the URL resolver: ``test_it_checks_every_page_of_the_url_conf`` fails for a
new URL of front/urls.py that is neither in ``PAGES`` (checked here) nor in ``NOT_PAGES``
(downloads and POST-only actions, with the reason). The URL arguments are filled from the
reference data the way tests/test_permissions_matrix.py does it, and which role sees the page
or a 403 comes from its expectations.

Forms (tests/form_pages.py): each role that may use a form submits it with its text fields and
choices made invalid, and the page with the errors is checked at desktop width. axe reports an
``aria-describedby`` pointing at a missing id only as "needs review" (incomplete) under
``aria-valid-attr-value``: that counts as a failure here, and a script of our own checks every
id reference of the page (also in rows a script added).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from stellenplan.services import position_update
from tests.conftest import TEST_PASSWORD
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes
from tests.form_pages import (
    FORM_PAGES,
    GARBAGE,
    form_page_url,
    parse,
    roles_of,
    with_form_samples,
)
from tests.test_permissions_matrix import (
    LOGGED_IN,
    ROUTES,
    build_samples,
    expectation,
    sample_kwargs,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def samples(seed, role_users) -> dict:
    """The permission matrix's sample objects, committed for the live server."""
    return build_samples(role_users)


#: Which axe results fail the test. "moderate"/"minor" findings are reported, not fatal.
FATAL_IMPACTS = {"serious", "critical"}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}
#: Rules whose "needs review" results fail the test too: axe cannot tell whether a missing id
#: is in a shadow root, so it asks; this app has none, so a missing id is a dangling reference.
FATAL_INCOMPLETE = {"aria-valid-attr-value"}
#: At 390 px, the rules that depend on the width: scroll boxes must be reachable by keyboard.
PHONE_AXE_OPTIONS = {
    "runOnly": {"type": "rule", "values": ["scrollable-region-focusable", "aria-allowed-role"]},
    "resultTypes": ["violations"],
}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# --- which URLs are pages -------------------------------------------------------------------

#: URL names of front/urls.py (and the project's own) that are no HTML page, with the reason.
NOT_PAGES: dict[str, str] = {
    "home": "redirect to costs:overview",
    "favicon": "redirect to the icon among the static files",
    "logout": "POST only",
    "excel:export": "XLSX download",
    "excel:export_positions": "XLSX download",
    "excel:export_org_unit": "XLSX download",
    "excel:import_positions_template": "XLSX download",
    "excel:import_cost_table_template": "XLSX download",
    "excel:import_batch_confirm": "POST only",
    "changes:export": "XLSX download",
    "need:export": "XLSX download",
    "decisions:pdf": "PDF download (PDF/UA-1, tests/decisions/test_pdf_accessibility.py)",
    "decisions:position_add": "POST only",
    "decisions:position_remove": "POST only",
    "decisions:position_move": "POST only",
    "decisions:status": "POST only",
    "decisions:reopen": "POST only",
    "decisions:record_again": "POST only",
    "decisions:preview": "POST only (Markdown preview fragment)",
    "decisions:edit_text": "redirect to the Begründung of the one-page editor (decisions:edit)",
    "decisions:edit_finance": "redirect to the Finanzen of the one-page editor (decisions:edit)",
    "council:amend": "POST only",
    "costs:projection_export": "XLSX download",
    "plandoc:excel": "XLSX download",
    "plandoc:previous_figures_excel": "XLSX download",
    "plandoc:pdf": "PDF download (PDF/UA-1, tests/stellenplan/test_plan_document_output.py)",
    "plans:create_next": "POST only",
    "plans:occupation_delete": "POST only",
    "positions:restore": "POST only",
    "jobs:download": "file download (the job's result, its owner only)",
    "jobs:restart": "POST only",
}
#: Namespaces that are not pages of the app: the OParl JSON interface, Django's admin
#: (named as not checked in the Erklärung zur Barrierefreiheit).
OTHER_NAMESPACES = ("oparl:", "admin:")

#: Every page, by URL name; `query` is appended (e.g. the year of the figures).
PAGES: dict[str, str] = {
    "login": "",
    "accessibility_statement": "",
    # the Bürgerinfo (issue 23): public, walked by every role and the anonymous visitor
    "buergerinfo:start": "",
    "buergerinfo:paper_list": "?suche=2011",
    "buergerinfo:paper": "",
    "buergerinfo:meeting_list": "",
    "buergerinfo:meeting": "",
    "buergerinfo:committee_list": "",
    "buergerinfo:committee": "",
    "costs:overview": "?year=2012",
    "search": "?q=Jobcenter&year=2012",
    "positions:list": "?year=2012",
    "positions:detail": "",
    "positions:create": "",
    "positions:update": "",
    "positions:delete": "",
    "positions:deleted_list": "",
    "positions:deleted_detail": "",
    "paygrades:list": "",
    "paygrades:create": "",
    "paygrades:update": "",
    "paygrades:delete": "",
    "orgunits:tree": "?year=2012",
    "orgunits:detail": "?year=2012",
    "orgunits:create": "",
    "orgunits:update": "",
    "orgunits:delete": "",
    "costs:costtable_list": "",
    "costs:costtable_update": "",
    "costs:costrate_update": "",
    "costs:rule_create": "",
    "costs:rule_update": "",
    "costs:rule_delete": "",
    "excel:import_positions": "",
    "excel:import_cost_table": "",
    "excel:import_list": "",
    "excel:import_batch": "",
    "excel:import_batch_undo": "",
    "decisions:list": "",
    "decisions:create": "",
    "decisions:detail": "",
    "decisions:edit": "",
    "decisions:positions": "",
    "decisions:print": "",
    "changes:list": "",
    "need:list": "",
    "need:create": "",
    "need:detail": "",
    "need:update": "",
    "need:delete": "",
    "need:line_create": "",
    "need:line_update": "",
    "need:line_delete": "",
    "need:workingtime_list": "",
    "need:workingtime_create": "",
    "need:workingtime_update": "",
    "need:workingtime_delete": "",
    "costs:adjustment_list": "",
    "costs:adjustment_create": "",
    "costs:adjustment_update": "",
    "costs:adjustment_delete": "",
    "costs:costrate_delete": "",
    "costs:costtable_compare": "",
    "costs:costtable_create": "",
    "costs:costtable_delete": "",
    "costs:costtable_rate_create": "",
    "costs:rule_new_rate": "",
    "costs:projection": "?year=2012",
    "plans:list": "",
    "plans:create": "",
    "plans:update": "",
    "plans:changes": "",
    "plans:change_update": "",
    "plans:authorisation_create": "",
    "plans:occupations": "",
    "plans:occupation_update": "",
    "plandoc:list": "",
    "plandoc:detail": "",
    "plandoc:compare": "",
    "plandoc:explanations": "",
    "plandoc:adopt": "",
    "plandoc:previous_figures": "",
    "plandoc:trainees": "",
    "positions:move": "",
    "jobs:list": "",
    "jobs:detail": "",
    "council:committee_list": "",
    "council:committee_create": "",
    "council:committee_update": "",
    "council:meeting_list": "",
    "council:meeting_create": "",
    "council:meeting_update": "",
    "council:meeting_detail": "",
    "council:step_schedule": "",
}


def _page_routes(resolver=None, namespace: str = "") -> list[str]:
    """The names of every URL pattern of the project, namespaced."""
    resolver = resolver or get_resolver()
    names: list[str] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names.extend(_page_routes(entry, full))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_it_checks_every_page_of_the_url_conf():
    routed = {name for name in _page_routes() if not name.startswith(OTHER_NAMESPACES)}
    unchecked = sorted(routed - set(PAGES) - set(NOT_PAGES))
    assert not unchecked, (
        f"Pages without an axe check: {unchecked}. Add them to PAGES (or, if they are no "
        f"HTML page, to NOT_PAGES) in {__file__}."
    )
    stale = sorted((set(PAGES) | set(NOT_PAGES)) - routed)
    assert not stale, f"PAGES/NOT_PAGES name URLs that no longer exist: {stale}"
    assert not set(PAGES) & set(NOT_PAGES)


# --- the walk -------------------------------------------------------------------------------


@dataclass
class Findings:
    """Everything wrong on the walk, reported together at the end."""

    problems: list[str] = field(default_factory=list)
    checked: int = 0
    minor: set[str] = field(default_factory=set)
    durations: list[tuple[float, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")


def axe_script() -> str:
    """axe-core as shipped with axe-playwright-python (added to every page of a context)."""
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !(el.parentElement && el.parentElement.closest('.table-container'))) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
               ' (' + Math.round(box.right) + ' px)');
      if (out.length >= 5) break;
    }
  }
  return out;
}"""


#: The content of a page without its CSRF tokens (to check equal content only once).
MAIN_MARKUP = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(el => el.remove());
  return main.innerHTML;
}"""


#: Every id that an attribute of the page refers to and no element has.
DANGLING_REFERENCES = """() => {
  const out = [];
  for (const attribute of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
    for (const el of document.querySelectorAll('[' + attribute + ']')) {
      if (attribute === 'for' && el.tagName !== 'LABEL') continue;
      for (const id of el.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(el.tagName.toLowerCase() + ' ' + attribute + '=' + id);
      }
    }
  }
  return out.slice(0, 5);
}"""


def check_page(
    page: Page, where: str, findings: Findings, screenshot=None, phone: bool = True
) -> None:
    """axe and the id references at desktop width, then the page width at 390 px."""
    findings.checked += 1
    page.set_viewport_size(DESKTOP)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    incomplete = [r for r in results["incomplete"] if r["id"] in FATAL_INCOMPLETE]
    for violation in results["violations"] + incomplete:
        nodes = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        if violation["impact"] in FATAL_IMPACTS:
            findings.add(
                where,
                f"axe {violation['id']} ({violation['impact']}): {violation['help']} – {nodes}",
            )
        else:
            findings.minor.add(f"{violation['id']} ({violation['impact']}) {where}")
    dangling = page.evaluate(DANGLING_REFERENCES)
    if dangling:
        findings.add(where, f"references to ids that do not exist: {dangling}")
    if not phone:
        return
    page.set_viewport_size(PHONE)
    # after the resize handlers (app.js marks the table boxes that now scroll)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
    for violation in page.evaluate("o => axe.run(document, o)", PHONE_AXE_OPTIONS)["violations"]:
        nodes = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        findings.add(where, f"390 px: axe {violation['id']} ({violation['impact']}) – {nodes}")
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width > client_width:
        wide = page.evaluate(WIDE_ELEMENTS)
        findings.add(where, f"scrolls sideways at 390 px ({scroll_width} > {client_width}): {wide}")
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)


#: role -> username; the Sitzungsdienst-Leitung is created by the test.
ROLE_USERS = {
    "anonymous": None,
    "personalamt": "personalamt",
    "kaemmerei": "kaemmerei",
    "sitzungsdienst": "sitzungsdienst",
    "sitzungsdienst_leitung": "leitung",
    "admin": "admin",
}
#: Pages saved as screenshots at 390 px (test-output/a11y-390-<name>.png), with the role.
SCREENSHOTS = {
    ("personalamt", "positions:update"): "stelle-formular",
    ("personalamt", "costs:overview"): "uebersicht",
    ("kaemmerei", "costs:costtable_list"): "kostensaetze",
    ("sitzungsdienst", "decisions:detail"): "beschlussvorlage",
    ("sitzungsdienst", "decisions:edit"): "beschlussvorlage-formular",
    ("anonymous", "accessibility_statement"): "barrierefreiheit",
    ("anonymous", "buergerinfo:start"): "buergerinfo",
    ("anonymous", "buergerinfo:paper"): "buergerinfo-vorlage",
    ("anonymous", "buergerinfo:meeting"): "buergerinfo-sitzung",
}
#: Pages anyone may open without logging in.
PUBLIC_PAGES = ("login", "accessibility_statement")


def is_public(name: str) -> bool:
    return name in PUBLIC_PAGES or name.startswith("buergerinfo:")


def expected_statuses(name: str, role: str) -> set[int]:
    if is_public(name):
        return {200}
    expect_ = expectation(name)
    assert expect_ is not None, name
    if role == "sitzungsdienst_leitung":  # reads everything, edits nothing of these pages
        allowed = expect_.allowed >= LOGGED_IN
    else:
        allowed = role in expect_.allowed
    wanted = expect_.get if allowed else expect_.denied_get
    return {status for status in wanted if isinstance(status, int)}


def log_in(context: BrowserContext, base: str, username: str) -> None:
    page = context.new_page()
    page.goto(f"{base}/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Übersicht")
    page.close()


def walk_role(context, base, role, urls, findings, output_dir, seen: set[str]) -> set[str]:
    """Every page as the role; the names of those that showed it something new."""
    new: set[str] = set()
    page = context.new_page()
    header_checked = False  # the header (navigation of the role): on its first page
    for name, url in urls.items():
        where = f"{role} {name} {url}"
        started = time.monotonic()
        response = page.goto(base + url)
        if role == "anonymous" and not is_public(name):
            # every page asks for a login first: the login page is checked as "login"
            if not re.search(r"/anmelden/\?next=", page.url):
                findings.add(where, f"anonymous user not sent to the login page ({page.url})")
            continue
        wanted = expected_statuses(name, role)
        if response is None or response.status not in wanted:
            findings.add(where, f"status {response and response.status}, expected {wanted}")
            continue
        shot = SCREENSHOTS.get((role, name))
        # the same content as on a page checked before (a read-only page several roles see
        # alike, the same 403 page): the header of this role is checked on its other pages
        markup = page.evaluate(MAIN_MARKUP)
        if markup in seen and shot is None and header_checked:
            continue
        seen.add(markup)
        new.add(name)
        header_checked = True
        check_page(page, where, findings, output_dir / f"a11y-390-{shot}.png" if shot else None)
        findings.durations.append((round(time.monotonic() - started, 2), where))
    page.close()
    return new


#: Makes the text fields and choices of a page's form invalid and submits it (the same
#: choice of form and of values as tests/form_pages.py; axe is loaded before any page script).
SUBMIT_INVALID = """({method, part, fill, garbage, dry}) => {
  const typed = ['text', 'number', 'email', 'search', 'password', 'date', 'url', 'tel'];
  const fillable = form => [...form.elements].some(e =>
    (e.tagName === 'SELECT' || e.tagName === 'TEXTAREA' || e.tagName === 'INPUT') &&
    !['hidden', 'submit', 'button'].includes(e.type));
  const form = [...document.forms].find(f =>
    (f.getAttribute('method') || 'get').toLowerCase() === method && fillable(f) &&
    (part ? (f.getAttribute('action') || '').includes(part) : f.closest('main')));
  if (!form || dry) return !!form;
  for (const e of form.elements) {
    if (e.tagName === 'SELECT') {
      if (fill === 'blank') { for (const o of e.options) o.selected = false; e.value = ''; }
    } else if (e.tagName === 'TEXTAREA' || (e.tagName === 'INPUT' && typed.includes(e.type))) {
      e.value = fill === 'blank' ? '' : garbage;
    }
  }
  form.noValidate = true;  // the server's errors are checked, not the browser's
  const buttons = [...form.elements].filter(e => e.type === 'submit');
  form.requestSubmit(buttons.find(b => !b.name) || buttons[0]);
  return true;
}"""
#: How a page shows that input was refused: at the field, in an alert, or as a message.
ERROR_STATE = "[aria-invalid=true], [role=alert], .message.error"


def walk_error_states(context, base, role, samples, findings, seen: set[str], new: set[str]):
    """Every form the role may use, submitted with invalid input: the page with the errors.
    Only forms whose page showed this role something new (``new``): the same form in the same
    page gives the same errors. A search form (GET) gets its invalid input in the address (a
    browser lets nobody type a word into a number field)."""
    page = context.new_page()
    for name, form_page in FORM_PAGES.items():
        if form_page.no_errors or role not in roles_of(name):
            continue
        url = form_page_url(name, samples)
        if name not in new and not form_page.sample:
            continue
        where = f"{role} {name} {url} with errors"
        started = time.monotonic()
        page.goto(base + url)
        if form_page.method == "get":
            form = parse(page.content()).the_form(form_page)
            if form is None:
                findings.add(where, "no form to fill in")
                continue
            query = urlencode(form.data(form_page.fill), doseq=True)
            action = urljoin(url, form.action) if form.action else url
            page.goto(f"{base}{action.split('?')[0]}?{query}")
            check_error_state(page, where, form_page.fill, findings, seen)
            findings.durations.append((round(time.monotonic() - started, 2), where))
            continue
        how = {
            "method": form_page.method,
            "part": form_page.form,
            "fill": form_page.fill,
            "garbage": GARBAGE,
        }
        if not page.evaluate(SUBMIT_INVALID, {**how, "dry": True}):
            findings.add(where, "no form to fill in")
            continue
        try:
            with page.expect_navigation(timeout=10_000):
                page.evaluate(SUBMIT_INVALID, {**how, "dry": False})
        except PlaywrightTimeoutError:
            findings.add(where, "the form was not sent")
            continue
        check_error_state(page, where, form_page.fill, findings, seen)
        findings.durations.append((round(time.monotonic() - started, 2), where))
    page.close()


def check_error_state(page: Page, where: str, fill: str, findings: Findings, seen: set[str]):
    if page.locator(ERROR_STATE).count() == 0:
        findings.add(where, f"invalid input ({fill}) shows no error")
    markup = page.evaluate(MAIN_MARKUP)
    if markup not in seen:
        seen.add(markup)
        check_page(page, where, findings, phone=False)


def special_states(context, base, urls, findings, output_dir, position, admin) -> None:
    """States a plain GET does not show (as the Personalamt): a page with messages, the
    conflict page of a concurrent edit, an import preview, the 404 page (forms with errors:
    ``walk_error_states``)."""
    page = context.new_page()
    # a message after saving (the "listitem" finding of issue 13)
    page.goto(base + urls["positions:update"])
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".messages")).to_contain_text("gespeichert")
    check_page(
        page,
        "personalamt positions:detail with a message",
        findings,
        output_dir / "a11y-390-stelle-meldung.png",
    )

    # the conflict page: someone else saves the position while the form is open
    page.goto(base + urls["positions:update"])
    position.refresh_from_db()
    position_update(
        acting_user=admin,
        position=position,
        expected_version=position.version,
        data={"title": f"{position.title} (inzwischen)"},
    )
    page.get_by_label("Funktionsbezeichnung").fill("Meine Änderung")
    response_info = page.expect_response(lambda r: r.request.method == "POST")
    with response_info as info:
        page.get_by_role("button", name="Speichern").click()
    assert info.value.status == 409, info.value.status
    check_page(
        page,
        "personalamt positions:update conflict",
        findings,
        output_dir / "a11y-390-konflikt.png",
    )

    # the preview of an Excel import (upload, then the rows to confirm)
    position.refresh_from_db()
    row = [position.pk, position.org_unit.code, position.pay_grade.code, "Vorschau", position.fte]
    page.goto(base + urls["excel:import_positions"])
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "stellen.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": xlsx_bytes([["ID", *POSITION_HEADER], row]),
            }
        ]
    )
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_page(page, "personalamt excel:import_positions preview", findings)

    # the 404 page in the layout
    response = page.goto(base + "/nicht-vorhanden/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    check_page(page, "personalamt 404", findings)
    page.close()


@pytest.mark.slow  # every page type in six roles, every form with errors (about 2 minutes)
def test_every_page_has_no_serious_barriers_and_fits_a_phone(
    browser,
    live_server,
    samples,
    role_users,
    output_dir,
    django_user_model,  # noqa: F811
):
    leitung = django_user_model.objects.create_user("leitung", password=TEST_PASSWORD)
    leitung.groups.add(Group.objects.get(name="Sitzungsdienst-Leitung"))
    urls = {
        name: reverse(name, kwargs=sample_kwargs(ROUTES[name], samples) or None) + query
        for name, query in PAGES.items()
    }
    form_samples = with_form_samples(samples, role_users["admin"])
    base = live_server.url
    findings = Findings()
    seen: set[str] = set()
    for role, username in ROLE_USERS.items():
        context = browser.new_context(viewport=DESKTOP, locale="de-DE")
        context.add_init_script(script=axe_script())
        try:
            if username:
                log_in(context, base, username)
            new = walk_role(context, base, role, urls, findings, output_dir, seen)
            walk_error_states(context, base, role, form_samples, findings, seen, new)
            if role == "personalamt":
                special_states(
                    context,
                    base,
                    urls,
                    findings,
                    output_dir,
                    samples["position"],
                    role_users["admin"],
                )
            if role == "anonymous":
                page = context.new_page()
                response = page.goto(base + "/nicht-vorhanden/")
                assert response is not None and response.status == 404
                check_page(page, "anonymous 404", findings, output_dir / "a11y-390-404.png")
                page.close()
        finally:
            context.close()
    print(f"{findings.checked} pages checked; moderate/minor: {sorted(findings.minor)}")
    print("slowest:", sorted(findings.durations, reverse=True)[:8])
    assert findings.checked >= 60, findings.checked
    assert not findings.problems, "\n".join(findings.problems)
