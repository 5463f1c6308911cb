"""The Sitzungsdienst walks the Beratungsfolge as a worklist in a real browser (issue 22): a new
paper with three committees (two Vorberatungen, the Gemeinderat zur Beschlussfassung), three
meetings created on the page, the paper put on each agenda, each result entered at its
meeting; the paper is beschlossen only after the Gemeinderat's result. Then the Personalamt
finds the decided position in the Veränderungsnachweis of the plan year, cuts it and sees the
departure on the form before saving, on the position and on the paper. Screenshots go to
test-output/."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from decisions.models import (
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    StatusChange,
)
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.plan_services import plan_create
from stellenplan.services import position_create
from tests.browser.test_hr_workflow import log_in, nav

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

STEPS = [
    ("Jugendhilfeausschuss", "vorberatung", "10.11.2026", "3"),
    ("Verwaltungsausschuss", "vorberatung", "18.11.2026", "7"),
    ("Gemeinderat", "beschlussfassung", "26.11.2026", "12"),
]


def new_paper() -> Decision:
    decision = Decision.objects.create(
        number="901/2026",
        date=date(2026, 11, 2),
        title="Zusätzliche Stellen im Jugendamt",
        status=Decision.Status.SUBMITTED,
    )
    for order, (name, purpose, _day, _top) in enumerate(STEPS, start=1):
        ConsultationStep.objects.create(
            decision=decision,
            order=order,
            committee=Committee.objects.get(name=name),
            purpose=purpose,
        )
    position = position_create(
        acting_user=None,
        org_unit=OrgUnit.objects.get(code="29-1"),
        pay_grade=PayGrade.objects.get(code="EG 9"),
        fte=Decimal("1.0"),
        title="SB Jugendhilfe (GRDrs 901/2026)",
        start_date=date(2027, 1, 1),
    )
    DecisionPosition.objects.create(decision=decision, position=position)
    StatusChange.objects.create(
        decision=decision, from_status="entwurf", to_status="eingebracht", date=decision.date
    )
    return decision


def status_of(page: Page) -> str:
    return page.locator("dl.facts dd").first.inner_text()


def test_the_paper_is_beschlossen_only_after_the_gemeinderat(
    browser, live_server, seed, role_users, output_dir
):
    decision = new_paper()
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "sitzungsdienst")

    # three meetings, created on the page the menu leads to
    nav(page).get_by_role("link", name="Sitzungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sitzungen")
    for name, _purpose, day, _top in STEPS:
        page.get_by_role("link", name="Neue Sitzung").click()
        page.get_by_label("Gremium").select_option(label=name)
        page.get_by_label("Sitzungstag").fill(day)
        page.get_by_label("Beginn (Uhrzeit)").fill("16:00")
        page.get_by_label("Ort").fill("Rathaus")
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}, Sitzung am {day}")
        page.goto(f"{base}/sitzungsdienst/sitzungen/")
    page.screenshot(path=str(output_dir / "council-meetings.png"), full_page=True)

    # each step of the Beratungsfolge on the agenda of its committee's meeting
    paper = f"{base}/beschluesse/{decision.pk}/"
    for name, _purpose, day, top in STEPS:
        page.goto(paper)
        page.get_by_role("link", name=f"auf Tagesordnung setzen ({name})").click()
        page.get_by_label("Sitzung", exact=False).and_(page.locator("select")).select_option(
            label=f"{name}, Sitzung am {day}"
        )
        page.get_by_label("TOP").fill(top)
        page.get_by_role("button", name="Auf Tagesordnung setzen").click()
        expect(page.locator(".messages")).to_contain_text(f"TOP {top}")
    page.screenshot(path=str(output_dir / "council-paper-scheduled.png"), full_page=True)

    # the results, each entered on its meeting's page
    for index, (name, _purpose, day, top) in enumerate(STEPS):
        page.goto(paper)
        page.get_by_role("link", name=f"{day}, 16:00 Uhr").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}, Sitzung am {day}")
        page.get_by_label("Ergebnis zu GRDrs 901/2026").select_option(label="zugestimmt")
        page.get_by_label("Datum des Ergebnisses zu GRDrs 901/2026").fill(day)
        page.get_by_role("button", name="Ergebnisse speichern").click()
        expect(page.locator(".messages")).to_contain_text("1 Ergebnis gespeichert")
        page.screenshot(path=str(output_dir / f"council-agenda-{index + 1}.png"), full_page=True)
        page.goto(paper)
        row = page.locator("table.consultation tbody tr").nth(index)
        expect(row).to_contain_text(f"Ö {top}")
        expect(row).to_contain_text("zugestimmt")
        if index < 2:
            expect(page.locator("dl.facts dd").first).to_have_text("eingebracht")
    expect(page.locator("dl.facts dd").first).to_contain_text("beschlossen am 26.11.2026")
    page.screenshot(path=str(output_dir / "council-paper-beschlossen.png"), full_page=True)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ADOPTED
    assert decision.adopted_records.get().adopted_on == date(2026, 11, 26)

    # the Personalamt: the decided position is in the Veränderungsnachweis of 2027
    position = decision.position_links.get().position
    plan = plan_create(acting_user=None, first_year=2027)
    hr = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(hr, base, "personalamt")
    hr.goto(f"{base}/stellenplaene/{plan.pk}/?year=2027")
    decided = hr.locator("tr", has_text="GRDrs 901/2026")
    expect(decided.first).to_contain_text("Schaffung")
    expect(decided.first).to_contain_text("1,0")
    hr.screenshot(path=str(output_dir / "council-plan-2027.png"), full_page=True)

    # a later cut shows the departure on the form before saving ...
    hr.goto(f"{base}/stellen/{position.pk}/bearbeiten/")
    hr.get_by_label("Anzahl der Stellen").fill("0,5")
    hr.get_by_role("button", name="Speichern").click()
    expect(hr.locator("#abweichungen")).to_contain_text("beschlossen 1,0, jetzt 0,5")
    hr.screenshot(path=str(output_dir / "council-cut-before-saving.png"), full_page=True)
    assert Position.objects.get(pk=position.pk).fte == 1
    hr.get_by_label("Abweichung vom Beschluss bestätigen").check()
    hr.get_by_role("button", name="Speichern").click()
    # ... on the position ...
    expect(hr).to_have_url(re.compile(rf"/stellen/{position.pk}/$"))
    expect(hr.locator("#abweichungen")).to_contain_text("beschlossen 1,0, jetzt 0,5")
    # ... and on the paper
    hr.goto(paper)
    section = hr.locator("section[aria-labelledby=abweichungen]")
    expect(section).to_contain_text("beschlossen 1,0, jetzt 0,5")
    hr.screenshot(path=str(output_dir / "council-paper-departure.png"), full_page=True)
