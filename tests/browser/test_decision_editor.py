"""The Sitzungsdienst writes a Beschlussvorlage in a real browser (issue 14): rows added,
reordered and previewed without saving in between, one save for everything, and a warning
before leaving a form with unsaved changes."""

import re

import pytest
from playwright.sync_api import Page, expect

from decisions.models import Decision
from tests.browser.test_hr_workflow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TITLE = "Zusätzliche Stellen im Jugendamt"
COMMITTEES = [
    ("Jugendhilfeausschuss", "vorberatung"),
    ("Verwaltungsausschuss", "vorberatung"),
    ("Gemeinderat", "beschlussfassung"),
]
POINTS = [
    "Der Schaffung von 2,0 Stellen wird zugestimmt.",
    "Die Mittel werden im Teilhaushalt 510 bereitgestellt.",
    "Die Verwaltung berichtet **jährlich**:\n\n- über die Fallzahlen\n- über die Besetzung",
    "Über die Stellenschaffungen wird im Stellenplanverfahren entschieden.",
]
SIGNATORIES = [("Dr. Martin Schairer", "Bürgermeister"), ("Isabel Fezer", "Bürgermeisterin")]


def fieldset(page: Page, legend: str):
    return page.locator("fieldset[data-formset]").filter(
        has=page.locator("legend", has_text=legend)
    )


def field(page: Page, name: str):
    return page.locator(f"[name='{name}']")


def test_it_writes_a_paper_with_many_rows_in_one_save(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "sitzungsdienst")
    page.goto(f"{base}/beschluesse/neu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Beschlussvorlage")
    field(page, "date").fill("01.02.2026")
    field(page, "title").fill(TITLE)

    # three committees: two rows added with JavaScript, numbered 2 and 3 (not 1)
    steps = fieldset(page, "Beratungsfolge")
    for _ in range(2):
        steps.get_by_role("button", name="Zeile hinzufügen").click()
    expect(field(page, "beratung-TOTAL_FORMS")).to_have_value("3")
    for index, (committee, purpose) in enumerate(COMMITTEES):
        expect(field(page, f"beratung-{index}-order")).to_have_value(str(index + 1))
        field(page, f"beratung-{index}-committee").fill(committee)
        field(page, f"beratung-{index}-purpose").select_option(purpose)
    # the Gremien already used are suggested
    expect(page.locator("datalist#gremien option[value='Gemeinderat']")).to_have_count(1)

    # four points
    points = fieldset(page, "Beschlussantrag")
    for _ in range(3):
        points.get_by_role("button", name="Zeile hinzufügen").click()
    for index, text in enumerate(POINTS):
        field(page, f"antrag-{index}-text").fill(text)
    expect(field(page, "antrag-3-order")).to_have_value("4")

    # reorder: the last point up one place, the numbers follow
    row = points.locator("[data-row]").nth(3)
    row.get_by_role("button", name="Zeile nach oben (Beschlussantrag (Ziffern))").click()
    expect(field(page, "antrag-3-order")).to_have_value("3")
    expect(field(page, "antrag-2-order")).to_have_value("4")

    # preview the Markdown of point 3 as the PDF renders it (nothing saved)
    area = field(page, "antrag-2-text")
    area.locator("xpath=following-sibling::button[1]").click()
    preview = area.locator("xpath=following-sibling::div[contains(@class,'markdown-preview')][1]")
    expect(preview.locator("strong")).to_have_text("jährlich")
    expect(preview.locator("li")).to_have_count(2)
    assert not Decision.objects.filter(title=TITLE).exists()

    # two signatories
    signatories = fieldset(page, "Unterzeichner")
    signatories.get_by_role("button", name="Zeile hinzufügen").click()
    for index, (name, office) in enumerate(SIGNATORIES):
        field(page, f"unterschrift-{index}-name").fill(name)
        field(page, f"unterschrift-{index}-office").fill(office)

    # an empty reference row added and removed again: nothing of it is saved
    references = fieldset(page, "Bezüge")
    references.get_by_role("button", name="Zeile hinzufügen").click()
    references.locator("[data-row]").nth(1).get_by_role(
        "button", name=re.compile("entfernen")
    ).click()
    expect(references.locator("[data-row]:visible")).to_have_count(1)
    page.screenshot(path=str(output_dir / "decision-editor.png"), full_page=True)

    # ONE save for everything
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("wurde angelegt")
    decision = Decision.objects.get(title=TITLE)
    assert list(decision.consultation_steps.values_list("order", "committee__name")) == [
        (1, "Jugendhilfeausschuss"),
        (2, "Verwaltungsausschuss"),
        (3, "Gemeinderat"),
    ]
    texts = decision.proposal_points.values_list("text", flat=True)
    assert [text.replace("\r\n", "\n") for text in texts] == [
        POINTS[0],
        POINTS[1],
        POINTS[3],
        POINTS[2],
    ]
    assert list(decision.signatories.values_list("order", "name")) == [
        (1, SIGNATORIES[0][0]),
        (2, SIGNATORIES[1][0]),
    ]
    assert not decision.references.exists()
    page.screenshot(path=str(output_dir / "decision-editor-saved.png"), full_page=True)


def test_it_warns_before_leaving_a_form_with_unsaved_changes(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "sitzungsdienst")
    reference = Decision.objects.get(number="647/2011")
    dialogs = []
    stay = {"on_page": True}

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        if stay["on_page"]:
            dialog.dismiss()  # stay on the page
        else:
            dialog.accept()  # leave, dropping the changes

    page.on("dialog", on_dialog)
    edit = f"{base}/beschluesse/{reference.pk}/bearbeiten/"

    # unchanged: leaving asks nothing
    page.goto(edit)
    page.get_by_role("link", name="Abbrechen").click()
    expect(page).to_have_url(re.compile(rf"/beschluesse/{reference.pk}/$"))
    assert dialogs == []

    # typed text: leaving asks (beforeunload), dismissing keeps the page and the text
    page.goto(edit)
    field(page, "title").fill("Ein ungespeicherter Betreff")
    page.get_by_role("link", name="Abbrechen").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(edit)
    expect(field(page, "title")).to_have_value("Ein ungespeicherter Betreff")
    page.screenshot(path=str(output_dir / "decision-editor-unsaved.png"), full_page=True)

    # leaving anyway: asked again, accepted, the text is not saved
    stay["on_page"] = False
    page.goto(edit)
    assert dialogs == ["beforeunload", "beforeunload"]
    expect(field(page, "title")).not_to_have_value("Ein ungespeicherter Betreff")

    # a row added with JavaScript counts as a change too; saving does not ask
    stay["on_page"] = True
    steps = fieldset(page, "Beratungsfolge")
    steps.get_by_role("button", name="Zeile hinzufügen").click()
    page.get_by_role("link", name="Abbrechen").click()
    page.wait_for_timeout(500)
    assert len(dialogs) == 3
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("gespeichert")
    assert len(dialogs) == 3

    # the same script guards the position form of the Personalamt (data-warn-unsaved)
    hr = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    hr.on("dialog", on_dialog)
    log_in(hr, base, "personalamt")
    hr.goto(f"{base}/stellen/neu/")
    hr.locator("[name='title']").fill("Sachbearbeitung")
    hr.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Übersicht"
    ).click()
    hr.wait_for_timeout(500)
    assert len(dialogs) == 4
