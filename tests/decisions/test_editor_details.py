"""Smaller points of issue 14 on the decision pages: task lists as lists, the findings'
wording and links to the passage, a start date of the Beschlussantrag against the linked
positions, and one spelling of "Beschlussvorlage" per paper."""

from datetime import date

from django.urls import reverse

from decisions.consistency import check_decision
from decisions.markup import render_task_list, task_markdown
from decisions.models import Decision, DecisionPosition, ProposalPoint
from decisions.pdf import decision_html
from stellenplan.models import Position

TASKS = "Beratung der Ämter\nPrüfung der Vergabeunterlagen\nVertragserstellung"


def test_it_renders_one_task_per_line_as_a_list():
    html = str(render_task_list(TASKS))
    assert html.count("<li>") == 3
    assert "<ul>" in html and "<li>Prüfung der Vergabeunterlagen</li>" in html


def test_it_keeps_prose_and_lists_as_written_and_separates_an_introduced_list():
    assert task_markdown("Ein Absatz.\n\nNoch einer.") == "Ein Absatz.\n\nNoch einer."
    assert task_markdown("- a\n- b") == "- a\n- b"
    html = str(render_task_list("Tätigkeiten im Einzelnen:\n- Beratung\n- Prüfung"))
    assert "<p>Tätigkeiten im Einzelnen:</p>" in html
    assert "<li>Beratung</li>" in html and "<li>Prüfung</li>" in html


def _first_linked_position(decision) -> Position:
    return DecisionPosition.objects.filter(decision=decision).order_by("order")[0].position


def test_the_annex_shows_tasks_as_a_list_on_screen_and_in_the_pdf(personalamt, reference):
    position = _first_linked_position(reference)
    Position.objects.filter(pk=position.pk).update(tasks=TASKS)
    html = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "<li>Beratung der Ämter</li>" in html
    assert "<li>Vertragserstellung</li>" in html
    pdf_html = decision_html(reference)
    assert "<li>Beratung der Ämter</li>" in pdf_html
    assert "<li>Vertragserstellung</li>" in pdf_html


def test_the_findings_say_textstellen_and_link_to_the_passage(personalamt, reference):
    html = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "4 Textstellen widersprechen den Daten" in html
    assert "Stellen im Text" not in html
    # the wrong amount is in Ziffer 2 of the Beschlussantrag: the finding links there
    assert 'href="#ziffer-2"' in html and 'id="ziffer-2"' in html
    assert 'id="personalbedarf"' in html and 'href="#personalbedarf"' in html
    print_html = personalamt.get(reverse("decisions:print", args=[reference.pk])).content.decode()
    assert f'href="/beschluesse/{reference.pk}/#ziffer-2"' in print_html


def test_one_finding_is_singular(personalamt, reference):
    findings = check_decision(reference)
    assert len(findings) == 4
    point = reference.proposal_points.get(order=2)
    point.text = point.text.replace("rund 1.682.510 EUR", "rund 1.128.560 EUR")
    point.save()
    # left: the grade (Ziffer 1) and the two calculations; correct the grade too
    point = reference.proposal_points.get(order=1)
    point.text = point.text.replace("(stellv. Teamleitung), A 11", "(stellv. Teamleitung), A 10")
    point.save()
    reference.proposal_points.create(order=3, text="Die Stellen werden ab 01.01.2013 besetzt.")
    messages = [f.message for f in check_decision(reference) if f.kind != "bedarf"]
    assert len(messages) == 1
    html = personalamt.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "3 Textstellen widersprechen den Daten" in html  # 1 + the two calculations


def test_it_flags_a_start_date_no_linked_position_has(reference):
    decision = Decision.objects.create(title="Neue Stelle", date=date(2026, 3, 1))
    position = _first_linked_position(reference)
    Position.objects.filter(pk=position.pk).update(start_date=date(2026, 7, 1))
    DecisionPosition.objects.create(decision=decision, position=position, order=1)
    ProposalPoint.objects.create(
        decision=decision, order=1, text="Der Schaffung der Stelle ab 01.01.2027 wird zugestimmt."
    )
    findings = [f for f in check_decision(decision) if f.kind == "beginn"]
    assert len(findings) == 1
    finding = findings[0]
    assert finding.place == "Beschlussantrag, Ziffer 1" and finding.anchor == "ziffer-1"
    assert finding.stated == "ab 01.01.2027"
    assert "01.07.2026" in finding.message
    # the right date: no finding
    ProposalPoint.objects.filter(decision=decision).update(
        text="Der Schaffung der Stelle ab 01.07.2026 wird zugestimmt."
    )
    assert not [f for f in check_decision(decision) if f.kind == "beginn"]


def test_a_paper_prints_in_one_spelling(reference, sitzungsdienst):
    # the 2011 reference keeps the spelling of its source, on screen and on paper
    assert reference.spelling == Decision.Spelling.TRADITIONAL
    html = decision_html(reference).split("<body", 1)[1]  # the text, not the stylesheet
    assert "Beschlußvorlage" in html and "Beschlußantrag:" in html
    assert "Beschlussvorlage" not in html and "Beschlussantrag" not in html
    page = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    assert "Beschlußvorlage GRDrs 647/2011" in page
    # a new paper: today's spelling throughout
    new = Decision.objects.create(title="Neu", date=date(2026, 3, 1))
    new.proposal_points.create(order=1, text="Der Gemeinderat beschließt.")
    assert new.spelling == Decision.Spelling.CURRENT
    html = decision_html(new).split("<body", 1)[1]
    assert "Beschlussvorlage" in html and "Beschlussantrag:" in html
    assert "Beschluß" not in html
