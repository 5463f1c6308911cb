"""The Kämmerei keeps its tables in a real browser: a new table copied +3,5 % and compared
before saving, and a new reimbursement rate from a date."""

import re

import pytest
from playwright.sync_api import expect

from costing.models import CostTable, ReimbursementRule
from tests.browser.test_hr_workflow import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_it_lets_the_kaemmerei_copy_a_table_and_set_a_new_rate(
    browser, live_server, seed, role_users, output_dir
):
    base = live_server.url
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de-DE")
    log_in(page, base, "kaemmerei")

    page.goto(f"{base}/kosten/kostensaetze/")
    page.get_by_role("link", name="Neue Kostentabelle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Kostentabelle")
    page.get_by_label("Bezeichnung").fill("Rundschreiben Nr. 02/2013 – Kosten eines Arbeitsplatzes")
    page.get_by_label("gültig ab").fill("01.01.2013")
    page.get_by_label("Kostensätze übernehmen aus").select_option(
        label="Rundschreiben Nr. 03/2010 – Kosten eines Arbeitsplatzes"
    )
    page.get_by_label("Erhöhung in %").fill("3,5")
    page.get_by_label("Rundung").select_option(label="auf volle Euro")
    page.get_by_role("button", name="Weiter zum Vergleich").click()

    # the comparison before saving: grade, old, new, %
    expect(page.get_by_role("status")).to_contain_text("Noch nicht gespeichert")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="EG 9", exact=True))
    expect(row).to_contain_text("63.000 €")
    expect(row).to_contain_text("65.205 €")
    expect(row).to_contain_text("+3,5 %")
    page.screenshot(
        path=str(output_dir / "kostentabelle-vergleich-vor-dem-speichern.png"), full_page=True
    )
    assert CostTable.objects.count() == 1
    page.get_by_role("button", name="Kostentabelle speichern").click()

    expect(page.locator(".messages")).to_contain_text("wurde angelegt")
    expect(
        page.get_by_role("heading", level=2, name="Kostensätze: Rundschreiben Nr. 02/2013")
    ).to_be_visible()
    assert CostTable.objects.count() == 2

    # the comparison with the predecessor, after saving
    new_table = CostTable.objects.get(valid_from__year=2013)
    expect(
        page.locator(f"a[href='/kosten/kostentabellen/{new_table.pk}/vergleich/']")
    ).to_contain_text("Vergleich mit Vorgänger")
    page.goto(f"{base}/kosten/kostentabellen/{new_table.pk}/vergleich/")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="A 13 hD", exact=True))
    expect(row).to_contain_text("110.400 €")
    expect(row).to_contain_text("114.264 €")
    expect(row).to_contain_text("+3,5 %")
    page.screenshot(path=str(output_dir / "kostentabelle-vergleich.png"), full_page=True)

    # a new reimbursement rate from 01.01.2013
    page.goto(f"{base}/kosten/kostensaetze/#erstattung")
    page.get_by_role("link", name=re.compile("Neuer Satz ab")).click()
    page.get_by_label("neuer Satz ab").fill("01.01.2013")
    page.get_by_label("neuer Erstattungssatz").fill("85 %")
    page.screenshot(path=str(output_dir / "erstattung-neuer-satz.png"), full_page=True)
    page.get_by_role("button", name="Neuen Satz speichern").click()
    expect(page.get_by_text("die bisherige endet am 31.12.2012")).to_be_visible()
    rules = page.locator(
        "#erstattung ~ .table-container table, section[aria-labelledby=erstattung] table"
    )
    expect(rules.first).to_contain_text("31.12.2012")
    page.screenshot(path=str(output_dir / "erstattungsregeln.png"), full_page=True)
    old, new = ReimbursementRule.objects.order_by("valid_from")
    assert str(old.valid_to) == "2012-12-31" and new.valid_to is None

    # the footnote of 2013 names the one rule that applied
    page.goto(f"{base}/kosten/?year=2013")
    expect(page.get_by_text(re.compile(r"Erstattung: .*\(85\s%\sder Kosten\)\."))).to_be_visible()
    expect(page.get_by_text(re.compile(r"84,8\s%\sder Kosten"))).to_have_count(0)
    page.close()
