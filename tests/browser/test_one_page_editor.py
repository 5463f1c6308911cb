"""A paper written on one page with one save (issue 23), in Chromium at 1280 px: every section
reached from the table of contents, rows added with JavaScript, the number check beside."""

import re

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Decision
from tests.browser.test_accessibility import Findings, axe_script, check_page
from tests.browser.test_decision_editor import field
from tests.browser.test_hr_workflow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TITLE = "Stellen für die Wohngeldstelle"


def section(page: Page, anchor: str):
    return page.locator(f"section#{anchor}")


def test_it_writes_a_paper_on_one_page_with_one_save(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    context.add_init_script(script=axe_script())
    page = context.new_page()
    log_in(page, base, "sitzungsdienst")
    page.goto(f"{base}/beschluesse/neu/")
    toc = page.get_by_role("navigation", name="Abschnitte der Vorlage")
    expect(toc.get_by_role("link")).to_have_count(8)

    field(page, "date").fill("01.03.2026")
    field(page, "title").fill(TITLE)
    # Beratungsfolge: a second row added with JavaScript
    section(page, "beratungsfolge").get_by_role("button", name="Zeile hinzufügen").click()
    for index, (committee, purpose) in enumerate(
        [("Verwaltungsausschuss", "vorberatung"), ("Gemeinderat", "beschlussfassung")]
    ):
        field(page, f"beratung-{index}-committee").fill(committee)
        field(page, f"beratung-{index}-purpose").select_option(purpose)
    field(page, "antrag-0-text").fill("Der Schaffung von 2,0 Stellen wird zugestimmt.")
    # the table of contents leads to the Begründung further down
    toc.get_by_role("link", name="Begründung").click()
    expect(page).to_have_url(re.compile("#begruendung$"))
    field(page, "abschnitt-0-number").fill("1")
    field(page, "abschnitt-0-heading").fill("Ausgangslage")
    field(page, "abschnitt-0-text").fill("Die Fallzahlen steigen seit 2024.")
    toc.get_by_role("link", name="Unterschriften").click()
    field(page, "unterschrift-0-name").fill("Isabel Fezer")
    field(page, "unterschrift-0-office").fill("Bürgermeisterin")
    field(page, "anlage-0-title").fill("Organigramm")
    page.screenshot(path=str(output_dir / "one-page-editor-1280.png"), full_page=True)
    assert not Decision.objects.filter(title=TITLE).exists()  # nothing saved so far

    page.get_by_role("button", name="Speichern", exact=True).click()  # the one save
    expect(page.locator(".messages")).to_contain_text("wurde angelegt")
    decision = Decision.objects.get(title=TITLE)
    assert list(decision.consultation_steps.values_list("order", "committee__name")) == [
        (1, "Verwaltungsausschuss"),
        (2, "Gemeinderat"),
    ]
    assert decision.proposal_points.get().text.startswith("Der Schaffung von 2,0 Stellen")
    assert decision.reason_sections.get().heading == "Ausgangslage"
    assert decision.signatories.get().name == "Isabel Fezer"
    assert decision.annexes.get().title == "Organigramm"

    # editing it again: the number check stands beside the form on an office screen
    page.goto(f"{base}/beschluesse/{decision.pk}/bearbeiten/")
    form = page.locator("form.decision-form").bounding_box()
    check = page.locator("aside.editor-check").bounding_box()
    assert check["x"] >= form["x"] + form["width"]  # beside, not below
    assert form["width"] >= 640  # the form uses the width the screen has
    expect(page.locator("aside.editor-check")).to_contain_text("Prüfung der Zahlen im Text")
    page.screenshot(path=str(output_dir / "one-page-editor-edit-1280.png"), full_page=False)

    # axe (0 serious or critical) and no sideways scrolling at 390 px: empty and with an error
    # in one section, which the table of contents marks
    findings = Findings()
    check_page(page, "one-page editor", findings)
    page.set_viewport_size({"width": 1280, "height": 900})
    field(page, "title").fill("")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Abschnitte: Kopf der Vorlage")
    expect(page.locator(".editor-toc li.has-errors")).to_have_text(re.compile("Kopf der Vorlage"))
    check_page(
        page,
        "one-page editor with an error",
        findings,
        output_dir / "one-page-editor-error-390.png",
    )
    assert not findings.problems, "\n".join(findings.problems)
