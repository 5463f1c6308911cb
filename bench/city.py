"""The generator of a plausible, reproducible city (issue 6), a development tool.

    from bench.city import generate_city
    summary = generate_city(positions=20000, seed=1)

or from the shell (the dev tools are installed with DJANGO_DEBUG=1 or STELLENPLAN_DEVTOOLS=1):

    python manage.py generate_city --positions 20000 --seed 1

Referate, some 40 Ämter with their Teilhaushalte, sub-units to depth 3 (about 700 units),
all pay grades as in the reference data (A 5–A 16 with A 9 mD/gD and A 13 gD/hD, EG 1–EG 15),
three cost tables (2010, 2012, 2014) with a rate for every grade, the Jobcenter's federal
reimbursement, N position lines and 50 decisions linking positions.

Everything comes from one `random.Random(seed)`: the same seed gives the same city, the same
lines and the same totals. Rows are written with `bulk_create`, which writes no simple-history
rows: the history of a generated line starts with its first edit (`with_history=True` writes
the "created" rows too, at about twice the time).

It lives in the dev-tools app `bench`, outside the product apps, and may use all of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models, transaction

from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import (
    Annex,
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    ProposalPoint,
    StatusChange,
)
from departments.models import BudgetSection, OrgUnit
from stellenplan.models import (
    Occupation,
    PayGrade,
    PlanExplanation,
    Position,
    PositionChange,
    StaffingPlan,
)

BATCH_SIZE = 1000
DECISIONS = 50
LARGEST_DECISION = 200  # the benchmark renders the PDF of a decision with 200 positions
MIN_POSITIONS = 100

# code, name, Teilhaushalt of the Referat's own units
REFERATE = [
    ("OB", "Referat Oberbürgermeister"),
    ("AKR", "Referat Allgemeine Verwaltung, Kultur und Recht"),
    ("WFB", "Referat Wirtschaft, Finanzen und Beteiligungen"),
    ("SOS", "Referat Sicherheit, Ordnung und Sport"),
    ("JB", "Referat Jugend und Bildung"),
    ("SI", "Referat Soziales und gesellschaftliche Integration"),
    ("StU", "Referat Städtebau, Wohnen und Umwelt"),
    ("T", "Referat Technik"),
]

# Amt code, name, Referat, relative size (staff)
AEMTER = [
    ("10", "Haupt- und Personalamt", "AKR", 5),
    ("12", "Statistisches Amt", "OB", 2),
    ("13", "Amt für Kommunikation", "OB", 1),
    ("14", "Rechnungsprüfungsamt", "OB", 2),
    ("15", "Amt für Digitalisierung, Organisation und IT", "AKR", 4),
    ("16", "Bezirksämter", "AKR", 3),
    ("20", "Stadtkämmerei", "WFB", 4),
    ("21", "Steueramt", "WFB", 2),
    ("23", "Amt für Liegenschaften und Wohnen", "WFB", 3),
    ("29", "Jobcenter", "SI", 8),
    ("30", "Rechtsamt", "AKR", 1),
    ("32", "Amt für öffentliche Ordnung", "SOS", 6),
    ("33", "Amt für Bürgerservice", "SOS", 3),
    ("34", "Standesamt", "SOS", 1),
    ("36", "Ausländerbehörde", "SOS", 2),
    ("37", "Branddirektion", "SOS", 8),
    ("38", "Amt für Verkehrsüberwachung", "SOS", 2),
    ("40", "Schulverwaltungsamt", "JB", 4),
    ("41", "Kulturamt", "AKR", 2),
    ("42", "Stadtbibliothek", "AKR", 3),
    ("43", "Stadtarchiv", "AKR", 1),
    ("44", "Musikschule", "AKR", 2),
    ("50", "Sozialamt", "SI", 8),
    ("51", "Jugendamt", "JB", 12),
    ("52", "Amt für Sport und Bewegung", "SOS", 2),
    ("53", "Gesundheitsamt", "SI", 4),
    ("54", "Amt für Integration", "SI", 1),
    ("55", "Amt für Pflege und Altenhilfe", "SI", 3),
    ("60", "Baurechtsamt", "StU", 3),
    ("61", "Amt für Stadtplanung und Wohnen", "StU", 3),
    ("62", "Stadtmessungsamt", "StU", 2),
    ("63", "Amt für Stadterneuerung", "StU", 1),
    ("65", "Hochbauamt", "T", 3),
    ("66", "Tiefbauamt", "T", 5),
    ("67", "Garten-, Friedhofs- und Forstamt", "T", 5),
    ("68", "Amt für Umweltschutz", "StU", 2),
    ("69", "Amt für Verkehrsplanung", "T", 1),
    ("70", "Abfallwirtschaft", "T", 6),
    ("71", "Stadtentwässerung", "T", 4),
    ("80", "Wirtschaftsförderung", "WFB", 1),
    ("83", "Marktamt", "WFB", 1),
    ("82", "Bäderbetriebe", "SOS", 3),
]
REIMBURSED_AMT = "29"  # Bundesbeteiligung SGB II, as in the reference decision

DIVISIONS = [
    "Verwaltung",
    "Finanzen und Controlling",
    "Grundsatz und Planung",
    "Service",
    "Personal und Organisation",
    "Recht",
    "Technik",
    "Beratung",
    "Betrieb",
    "Projekte",
    "Aufsicht",
    "Qualitätssicherung",
]
TOPICS = [
    "Haushalt",
    "Personal",
    "Vergabe",
    "Controlling",
    "Bürgeranfragen",
    "Digitalisierung",
    "Genehmigungen",
    "Förderung",
    "Vollzug",
    "Widersprüche",
    "Statistik",
    "Öffentlichkeitsarbeit",
    "Beschaffung",
    "Gebühren",
    "Fachaufsicht",
    "Registratur",
    "Planung",
    "Prüfung",
    "Unterhaltung",
    "Einsatzdienst",
    "Kassenwesen",
    "Leistungsgewährung",
    "Fallmanagement",
    "Datenschutz",
]

# code, status group, career group, sort order, weight, level (title family), 2010 rate
GRADES = [
    ("A 5", "beamte", "mD", 10, 1.0, 1, "58000"),
    ("A 6", "beamte", "mD", 20, 2.0, 1, "61500"),
    ("A 7", "beamte", "mD", 30, 3.0, 2, "65600"),
    ("A 8", "beamte", "mD", 40, 4.0, 2, "70300"),
    ("A 9 mD", "beamte", "mD", 50, 3.0, 2, "74800"),
    ("A 9 gD", "beamte", "gD", 60, 5.0, 3, "76200"),
    ("A 10", "beamte", "gD", 70, 6.0, 3, "80700"),
    ("A 11", "beamte", "gD", 80, 6.0, 3, "88700"),
    ("A 12", "beamte", "gD", 90, 4.0, 3, "99300"),
    ("A 13 gD", "beamte", "gD", 100, 2.0, 3, "104600"),
    ("A 13 hD", "beamte", "hD", 110, 2.0, 4, "110400"),
    ("A 14", "beamte", "hD", 120, 2.0, 4, "117500"),
    ("A 15", "beamte", "hD", 130, 1.0, 4, "131800"),
    ("A 16", "beamte", "hD", 140, 0.3, 4, "147200"),
    ("EG 1", "tarif", "", 150, 0.5, 1, "38900"),
    ("EG 2", "tarif", "", 160, 1.0, 1, "42600"),
    ("EG 3", "tarif", "", 170, 2.0, 1, "45100"),
    ("EG 4", "tarif", "", 180, 3.0, 1, "47300"),
    ("EG 5", "tarif", "", 190, 6.0, 2, "48900"),
    ("EG 6", "tarif", "", 200, 6.0, 2, "50400"),
    ("EG 7", "tarif", "", 210, 4.0, 2, "52100"),
    ("EG 8", "tarif", "", 220, 6.0, 2, "53900"),
    ("EG 9", "tarif", "", 230, 8.0, 3, "63000"),
    ("EG 10", "tarif", "", 240, 4.0, 3, "68500"),
    ("EG 11", "tarif", "", 250, 4.0, 3, "74300"),
    ("EG 12", "tarif", "", 260, 2.0, 3, "79600"),
    ("EG 13", "tarif", "", 270, 2.0, 4, "84900"),
    ("EG 14", "tarif", "", 280, 1.0, 4, "90800"),
    ("EG 15", "tarif", "", 290, 0.5, 4, "99700"),
]
TITLES = {
    1: [
        "MA/-in Poststelle",
        "Hausmeister/-in",
        "MA/-in Registratur",
        "Bote/Botin",
        "MA/-in Hausdienst",
    ],
    2: ["MA/-in {topic}", "Verwaltungsangestellte/-r {topic}", "Sekretariat", "MA/-in Kasse"],
    3: ["SB/-in {topic}", "SB/-in {topic}", "Sachbearbeitung {topic}", "Teamleitung {topic}"],
    4: ["Referent/-in {topic}", "Sachgebietsleitung {topic}", "Abteilungsleitung", "Justiziar/-in"],
}
# (table name, valid from, factor on the 2010 rates)
COST_TABLES = [
    ("Rundschreiben Nr. 03/2010 – Kosten eines Arbeitsplatzes", date(2010, 1, 1), "1"),
    ("Rundschreiben Nr. 02/2012 – Kosten eines Arbeitsplatzes", date(2012, 1, 1), "1.045"),
    ("Rundschreiben Nr. 04/2014 – Kosten eines Arbeitsplatzes", date(2014, 1, 1), "1.092"),
]
FTE_SHARES = [
    (Decimal("1.00"), 70),
    (Decimal("0.50"), 14),
    (Decimal("0.75"), 5),
    (Decimal("0.80"), 3),
    (Decimal("0.60"), 2),
    (Decimal("0.30"), 2),
    (Decimal("0.25"), 2),
    (Decimal("0.40"), 1),
    (Decimal("0.10"), 1),
]


@dataclass
class Summary:
    referate: int = 0
    aemter: int = 0
    units: int = 0
    grades: int = 0
    tables: int = 0
    rates: int = 0
    positions: int = 0
    decisions: int = 0
    plans: int = 0
    changes: int = 0
    occupations: int = 0


def hundreds(value: Decimal) -> Decimal:
    """Round a rate to whole hundreds of euros, half-up, as the Rundschreiben print them."""
    return (value / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100


def existing_data() -> list[str]:
    """German names of the kinds of data already in the database (empty: it may be filled)."""
    checks: list[tuple[type[models.Model], str]] = [
        (OrgUnit, "Organisationseinheiten"),
        (BudgetSection, "Teilhaushalte"),
        (PayGrade, "Stellenwerte"),
        (CostTable, "Kostentabellen"),
        (Position, "Stellen"),
        (Decision, "Beschlussvorlagen"),
    ]
    return [label for model, label in checks if model._default_manager.exists()]


@transaction.atomic
def generate_city(*, positions: int, seed: int, with_history: bool = False) -> Summary:
    rng = random.Random(seed)
    summary = Summary()
    units, unit_weights = _org_units(rng, summary)
    grades = _grades(summary)
    _cost_tables(grades, summary)
    created = _positions(rng, positions, units, unit_weights, grades, with_history)
    summary.positions = len(created)
    summary.decisions = _decisions(rng, created)
    # its own random stream, so that the lines and decisions stay those of earlier versions
    _staffing_plans(random.Random(f"plans-{seed}"), created, units, grades, summary)
    return summary


def _org_units(rng: random.Random, summary: Summary) -> tuple[list[OrgUnit], list[float]]:
    """Referate > Ämter > Abteilungen > Sachgebiete > Teams; weights for placing positions."""
    mayor_section = BudgetSection.objects.create(number="810", name="Bürgermeisteramt")
    sections = BudgetSection.objects.bulk_create(
        [BudgetSection(number=f"{code}0", name=name) for code, name, _, _ in AEMTER],
        batch_size=BATCH_SIZE,
    )
    referate = OrgUnit.objects.bulk_create(
        [
            OrgUnit(kind=OrgUnit.Kind.REFERAT, code=code, name=name, budget_section=mayor_section)
            for code, name in REFERATE
        ]
    )
    referat_by_code = {u.code: u for u in referate}
    aemter = OrgUnit.objects.bulk_create(
        [
            OrgUnit(
                kind=OrgUnit.Kind.AMT,
                code=code,
                name=name,
                parent=referat_by_code[referat],
                budget_section=section,
            )
            for (code, name, referat, _), section in zip(AEMTER, sections, strict=True)
        ]
    )
    ReimbursementRule.objects.create(
        name="Bundesbeteiligung Verwaltungskosten SGB II",
        rate=Decimal("0.8480"),
        valid_from=date(2012, 1, 1),
    ).org_units.set([u for u in aemter if u.code == REIMBURSED_AMT])

    # Weights: a Referat's own staff is small, an Amt's leadership small, the rest in sub-units.
    weight_of: dict[str, float] = {u.code: 0.3 for u in referate}
    divisions: list[OrgUnit] = []
    for amt, (_, _, _, size) in zip(aemter, AEMTER, strict=True):
        weight_of[amt.code] = 0.2 * size
        divisions.append(
            OrgUnit(
                kind=OrgUnit.Kind.ABTEILUNG,
                code=f"{amt.code}AL",
                name=f"Amtsleitung {amt.name}",
                parent=amt,
            )
        )
        weight_of[f"{amt.code}AL"] = 0.3 * size
        count = 2 + rng.randint(0, 2) + size // 4
        for number, title in enumerate(rng.sample(DIVISIONS, count), start=1):
            code = f"{amt.code}-{number}"
            divisions.append(
                OrgUnit(
                    kind=OrgUnit.Kind.ABTEILUNG, code=code, name=f"Abteilung {title}", parent=amt
                )
            )
            weight_of[code] = size * rng.uniform(0.2, 0.6)
    divisions = OrgUnit.objects.bulk_create(divisions, batch_size=BATCH_SIZE)

    groups = _sub_units(rng, divisions, weight_of, share=1.0, teams=False)
    teams = _sub_units(rng, groups, weight_of, share=0.15, teams=True)

    summary.referate = len(referate)
    summary.aemter = len(aemter)
    all_units = [*referate, *aemter, *divisions, *groups, *teams]
    summary.units = len(all_units)
    return all_units, [weight_of[u.code] for u in all_units]


def _sub_units(
    rng: random.Random,
    parents: list[OrgUnit],
    weight_of: dict[str, float],
    *,
    share: float,
    teams: bool,
) -> list[OrgUnit]:
    """Sachgebiete below each Abteilung (Amtsleitung excepted), or teams below some of those."""
    units: list[OrgUnit] = []
    for parent in parents:
        if parent.code.endswith("AL") or rng.random() >= share:
            continue
        count = rng.randint(1, 3) if teams else rng.randint(1, 4)
        for number, topic in enumerate(rng.sample(TOPICS, count), start=1):
            code = f"{parent.code}.{number}"
            name = f"Team {topic}" if teams else topic
            units.append(OrgUnit(kind=OrgUnit.Kind.SACHGEBIET, code=code, name=name, parent=parent))
            weight_of[code] = weight_of[parent.code] * rng.uniform(0.5, 1.5)
    return OrgUnit.objects.bulk_create(units, batch_size=BATCH_SIZE)


def _grades(summary: Summary) -> list[PayGrade]:
    grades = PayGrade.objects.bulk_create(
        [
            PayGrade(code=code, status_group=status, career_group=career, sort_order=order)
            for code, status, career, order, *_ in GRADES
        ]
    )
    summary.grades = len(grades)
    return grades


def _cost_tables(grades: list[PayGrade], summary: Summary) -> None:
    rates: list[CostRate] = []
    for name, valid_from, factor in COST_TABLES:
        table = CostTable.objects.create(
            name=name,
            valid_from=valid_from,
            remark="Erzeugt von generate_city: Gesamtkosten eines Vollzeitarbeitsplatzes pro Jahr.",
        )
        material = hundreds(Decimal("9500") * Decimal(factor))
        it = hundreds(Decimal("2800") * Decimal(factor))
        for grade, spec in zip(grades, GRADES, strict=True):
            annual = hundreds(Decimal(spec[6]) * Decimal(factor))
            rates.append(
                CostRate(
                    table=table,
                    pay_grade=grade,
                    annual_cost=annual,
                    personnel_cost=annual - material - it,
                    material_cost=material,
                    it_cost=it,
                )
            )
        summary.tables += 1
    CostRate.objects.bulk_create(rates, batch_size=BATCH_SIZE)
    summary.rates = len(rates)


def _start_date(rng: random.Random) -> date:
    roll = rng.random()
    if roll < 0.25:
        return date(2012, 1, 1)  # the big Stellenplan 2012/2013 round, as in the reference
    year = rng.choices(range(1985, 2017), weights=[1 + (y - 1985) // 3 for y in range(1985, 2017)])[
        0
    ]
    day = 15 if roll > 0.95 else 1  # a few start mid-month: that month does not count
    return date(year, rng.randint(1, 12), day)


def _end_date(rng: random.Random, start: date) -> date:
    """The last day of a month one to six years after the start."""
    year = start.year + rng.randint(1, 6)
    month = rng.randint(1, 12)
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _positions(
    rng: random.Random,
    count: int,
    units: list[OrgUnit],
    unit_weights: list[float],
    grades: list[PayGrade],
    with_history: bool,
) -> list[Position]:
    unit_picks = rng.choices(units, weights=unit_weights, k=count)
    grade_picks = rng.choices(range(len(grades)), weights=[g[4] for g in GRADES], k=count)
    shares = [share for share, _ in FTE_SHARES]
    fte_picks = rng.choices(shares, weights=[w for _, w in FTE_SHARES], k=count)
    lines: list[Position] = []
    for unit, grade_index, fte in zip(unit_picks, grade_picks, fte_picks, strict=True):
        grade = grades[grade_index]
        level = GRADES[grade_index][5]
        topic = rng.choice(TOPICS)
        title = rng.choice(TITLES[level]).format(topic=topic)
        start = _start_date(rng)
        end = None
        fixed_term = False
        if rng.random() < 0.18:
            end = _end_date(rng, start)
            fixed_term = rng.random() < 0.7
        note = ""
        note_date = None
        roll = rng.random()
        if roll < 0.06:
            note = Position.Note.KW
            note_date = date(rng.randint(2012, 2018), rng.choice([1, 7]), 1)
            if roll < 0.015:
                note_date = None  # a kw note without a date (the draws stay the same)
        elif roll < 0.08:
            note = Position.Note.KU
            note_date = date(rng.randint(2012, 2018), 1, 1)
        ku_target = _ku_target(grades, grade_index) if note == Position.Note.KU else None
        lines.append(
            Position(
                org_unit=unit,
                pay_grade=grade,
                fte=fte,
                title=title,
                task_heading=f"eine/n {title} bei {unit.name}",
                note=note,
                note_date=note_date,
                ku_target_grade=ku_target,
                start_date=start,
                end_date=end,
                # saved without clean(): the model's rule by hand (an end makes it befristet)
                fixed_term=Position.fixed_term_for(end, fixed_term),
                tasks=f"{topic}: Bearbeitung, Beratung und Dokumentation im Aufgabengebiet.",
            )
        )
    if with_history:
        from simple_history.utils import bulk_create_with_history

        return bulk_create_with_history(lines, Position, batch_size=BATCH_SIZE)
    return Position.objects.bulk_create(lines, batch_size=BATCH_SIZE)


def _ku_target(grades: list[PayGrade], index: int) -> PayGrade:
    """The grade a ku note converts to: the next lower grade of the same status group (the
    next higher for the lowest)."""
    group = GRADES[index][1]
    lower = index - 1
    if lower >= 0 and GRADES[lower][1] == group:
        return grades[lower]
    return grades[index + 1]


def _decisions(rng: random.Random, lines: list[Position]) -> int:
    """50 decisions, each proposing positions of one Amt that start the year after it; the
    first (the Stellenplan 2012/2013 round) proposes 200 positions of the whole city that
    start on 1 January 2012, as the reference decision did."""
    first_start = date(2012, 1, 1)
    citywide = [p for p in lines if p.start_date == first_start]
    rng.shuffle(citywide)
    citywide = citywide[:LARGEST_DECISION]
    taken = {id(p) for p in citywide}
    pools: dict[tuple[str, int], list[Position]] = {}
    for line in lines:
        if id(line) not in taken:
            pools.setdefault((_amt_of(line.org_unit).code, line.start_date.year), []).append(line)
    keys = sorted(key for key in pools if 2011 <= key[1] <= 2016)
    decisions: list[Decision] = []
    chosen_lines: list[list[Position]] = []
    for index in range(DECISIONS):
        if index == 0:
            chosen, year, subject = citywide, first_start.year, "Stadtweite Stellenschaffungen"
        elif not keys:
            break  # a very small city has fewer (Amt, year) groups than decisions
        else:
            key = keys.pop(rng.randrange(len(keys)))
            pool = pools[key]
            rng.shuffle(pool)
            chosen, year = pool[: rng.randint(2, 40)], key[1]
            subject = f"Stellenschaffungen {_amt_of(chosen[0].org_unit).name}"
        chosen.sort(key=lambda p: (p.org_unit.code, p.pk))
        chosen_lines.append(chosen)
        day = date(year - 1, rng.randint(3, 11), rng.randint(1, 28))
        decisions.append(
            Decision(
                number=f"{100 + 13 * index}/{day.year}",
                date=day,
                project=f"Stellenplan {year}/{year + 1}",
                title=subject,
                status=Decision.Status.ADOPTED if year < 2016 else Decision.Status.SUBMITTED,
                involved_units="Referat WFB, Haupt- und Personalamt",
                created_at=_noon(day),
                updated_at=_noon(day),
            )
        )
    decisions = Decision.objects.bulk_create(decisions, batch_size=BATCH_SIZE)

    Submitted = Decision.submitted_by.through
    links: list[DecisionPosition] = []
    submitted: list[tuple[int, int]] = []  # (decision id, org unit id)
    points: list[ProposalPoint] = []
    annexes: list[Annex] = []
    steps: list[ConsultationStep] = []
    committees = {
        name: Committee.objects.get_or_create(name=name, defaults={"classification": kind})[0]
        for name, kind in (
            ("Verwaltungsausschuss", Committee.Classification.COMMITTEE),
            ("Gemeinderat", Committee.Classification.MAIN),
        )
    }
    changes: list[StatusChange] = []
    for decision, chosen in zip(decisions, chosen_lines, strict=True):
        links.extend(
            DecisionPosition(decision=decision, position=position, order=order)
            for order, position in enumerate(chosen, start=1)
        )
        amter = sorted({_amt_of(p.org_unit).pk for p in chosen})
        submitted.extend((decision.pk, pk) for pk in amter)
        fte = sum((p.fte for p in chosen), Decimal(0))
        points.append(
            ProposalPoint(
                decision=decision,
                order=1,
                text=(
                    f"Zum {decision.project} werden {_fte_de(fte)} Stellen geschaffen "
                    "(Einzelheiten siehe Anlage 1)."
                ),
            )
        )
        annexes.append(
            Annex(decision=decision, number=1, title="Aufgabenbeschreibungen", generated=True)
        )
        steps.append(
            ConsultationStep(
                decision=decision,
                order=1,
                committee=committees["Verwaltungsausschuss"],
                purpose=ConsultationStep.Purpose.PRELIMINARY,
                public=True,
                meeting_date=decision.date + timedelta(days=14),
            )
        )
        steps.append(
            ConsultationStep(
                decision=decision,
                order=2,
                committee=committees["Gemeinderat"],
                purpose=ConsultationStep.Purpose.RESOLUTION,
                public=True,
                meeting_date=decision.date + timedelta(days=24),
            )
        )
        changes.append(
            StatusChange(
                decision=decision,
                from_status="",
                to_status=Decision.Status.SUBMITTED,
                date=decision.date,
                comment="Erzeugt von generate_city",
                recorded_at=_noon(decision.date),
            )
        )
        if decision.status == Decision.Status.ADOPTED:
            adopted = decision.date + timedelta(days=24)
            changes.append(
                StatusChange(
                    decision=decision,
                    from_status=Decision.Status.SUBMITTED,
                    to_status=Decision.Status.ADOPTED,
                    date=adopted,
                    comment="Erzeugt von generate_city",
                    recorded_at=_noon(adopted),
                )
            )
    DecisionPosition.objects.bulk_create(links, batch_size=BATCH_SIZE)
    Submitted.objects.bulk_create(
        [
            Submitted(decision_id=decision_id, orgunit_id=unit_id)
            for decision_id, unit_id in submitted
        ],
        batch_size=BATCH_SIZE,
    )
    ProposalPoint.objects.bulk_create(points, batch_size=BATCH_SIZE)
    Annex.objects.bulk_create(annexes, batch_size=BATCH_SIZE)
    ConsultationStep.objects.bulk_create(steps, batch_size=BATCH_SIZE)
    StatusChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    return len(decisions)


def _amt_of(unit: OrgUnit) -> OrgUnit:
    """The Amt above a generated unit (the unit itself for a Referat's own lines)."""
    current = unit
    while current.kind != OrgUnit.Kind.AMT and current.parent is not None:
        current = current.parent
    return current if current.kind == OrgUnit.Kind.AMT else unit


def _fte_de(value: Decimal) -> str:
    """13.50 -> "13,5", 200.00 -> "200"."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


# --- the Stellenplan: two consecutive plans, occupations, changes of every kind -------------

#: the older (one-year) plan N-1 and the draft N
OLDER_PLAN_YEAR = 2015
PLAN_YEAR = 2016
CITY_THRESHOLD = Decimal("5")


def _active_in(line: Position, year: int) -> bool:
    return line.start_date <= date(year, 12, 31) and (
        line.end_date is None or line.end_date >= date(year, 1, 1)
    )


def _stellen_by_grade(lines: list[Position], year: int) -> dict[int, Decimal]:
    sums: dict[int, Decimal] = {}
    for line in lines:
        if _active_in(line, year):
            sums[line.pay_grade_id] = sums.get(line.pay_grade_id, Decimal(0)) + line.fte
    return sums


def _occupations(rng: random.Random, lines: list[Position]) -> list[Occupation]:
    """Most positions filled (some vacant, some part-filled, some with a change of occupant),
    each occupation within its position's time and never above its share."""
    rows: list[Occupation] = []
    for line in lines:
        roll = rng.random()
        if roll < 0.12:
            continue  # vacant
        start = line.start_date + timedelta(days=rng.choice([0, 0, 0, 31, 92]))
        end = line.end_date
        if end is not None and start > end:
            start = line.start_date
        fte = line.fte
        if roll < 0.22 and line.fte > Decimal("0.25"):
            fte = (line.fte / 2).quantize(Decimal("0.01"))  # part-filled
        if roll > 0.9 and (end is None or end > date(2014, 12, 31)) and start < date(2013, 1, 1):
            # a change of occupant: the first until the end of 2012, the next from 2013
            rows.append(
                Occupation(position=line, fte=fte, start_date=start, end_date=date(2012, 12, 31))
            )
            start = date(2013, 3, 1) if end is None or end >= date(2013, 3, 1) else date(2013, 1, 1)
        rows.append(Occupation(position=line, fte=fte, start_date=start, end_date=end))
    return rows


def _change(line: Position, kind: str, day: date, **values) -> PositionChange:
    return PositionChange(
        kind=kind,
        effective_date=day,
        position=line,
        summary=f"{_fte_de(line.fte)} {line.pay_grade.code}, {line.org_unit.code} {line.title}"[
            :300
        ],
        **values,
    )


def _changes(
    rng: random.Random,
    lines: list[Position],
    units: list[OrgUnit],
    grades: list[PayGrade],
    plan: StaffingPlan,
) -> list[PositionChange]:
    """A Schaffung for every position a decision proposed (by its GRDrs; those that start in
    the last quarter of N-1 im Vorgriff on plan N), and changes of every other kind in the
    plan years, by a GRDrs or by plan N."""
    links = DecisionPosition.objects.values_list("position_id", "decision__number")
    grdrs_of = dict(links)
    numbers = sorted(set(grdrs_of.values()))
    by_id = {line.pk: line for line in lines}
    index_of = {grade.pk: index for index, grade in enumerate(grades)}
    rows: list[PositionChange] = []
    for position_id, number in sorted(grdrs_of.items()):
        line = by_id[position_id]
        rows.append(
            _change(
                line,
                PositionChange.Kind.CREATE,
                line.start_date,
                grdrs=number,
                in_advance=date(OLDER_PLAN_YEAR, 10, 1)
                <= line.start_date
                <= date(OLDER_PLAN_YEAR, 12, 31),
                org_unit_after=line.org_unit,
                pay_grade_after=line.pay_grade,
                fte_after=line.fte,
            )
        )
    for line in lines:
        if line.pk in grdrs_of and line.start_date.year < OLDER_PLAN_YEAR - 1:
            continue
        if (
            OLDER_PLAN_YEAR <= line.start_date.year <= PLAN_YEAR
            and line.pk not in grdrs_of
            and rng.random() < 0.5
        ):
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.CREATE,
                    line.start_date,
                    plan=plan,
                    in_advance=line.start_date.year == OLDER_PLAN_YEAR
                    and line.start_date.month >= 10,
                    org_unit_after=line.org_unit,
                    pay_grade_after=line.pay_grade,
                    fte_after=line.fte,
                )
            )
    authority: dict[str, Any] = {"grdrs": numbers[-1]} if numbers else {"plan": plan}
    active = [line for line in lines if _active_in(line, PLAN_YEAR)]
    for line in active:
        roll = rng.random()
        year = rng.choice([OLDER_PLAN_YEAR, PLAN_YEAR])
        day = date(year, rng.choice([1, 4, 7, 10]), 1)
        how: dict[str, Any] = (
            {"grdrs": rng.choice(numbers)} if numbers and rng.random() < 0.7 else {"plan": plan}
        )
        index = index_of[line.pay_grade_id]
        same_group_lower = index > 0 and GRADES[index - 1][1] == GRADES[index][1]
        if line.note and roll < 0.5:  # the note was put on (or its date moved) in the plan years
            extended = roll >= 0.3
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.NOTE_EXTEND if extended else PositionChange.Kind.NOTE_ADD,
                    day,
                    note_before=line.note if extended else "",
                    note_after=line.note,
                    note_date_after=line.note_date,
                    ku_target_grade=line.ku_target_grade,
                    **how,
                )
            )
        elif roll < 0.02 and same_group_lower:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.UPGRADE,
                    day,
                    pay_grade_before=grades[index - 1],
                    pay_grade_after=line.pay_grade,
                    **how,
                )
            )
        elif roll < 0.025 and index + 1 < len(grades) and GRADES[index + 1][1] == GRADES[index][1]:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.DOWNGRADE,
                    day,
                    pay_grade_before=grades[index + 1],
                    pay_grade_after=line.pay_grade,
                    **how,
                )
            )
        elif roll < 0.04:
            other = rng.choice(units)
            if other.pk != line.org_unit_id:
                rows.append(
                    _change(
                        line,
                        PositionChange.Kind.TRANSFER,
                        day,
                        org_unit_before=other,
                        org_unit_after=line.org_unit,
                        **how,
                    )
                )
        elif roll < 0.05 and line.fte < 1:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.SHARE,
                    day,
                    fte_before=Decimal("1.00"),
                    fte_after=line.fte,
                    **how,
                )
            )
        elif roll < 0.07 and not line.note:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.NOTE_REMOVE,
                    day,
                    note_before=Position.Note.KW,
                    note_after="",
                    **how,
                )
            )
        elif roll < 0.075:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.AUTHORISATION,
                    day,
                    end_date=date(day.year + 1, 12, 31),
                    org_unit_after=line.org_unit,
                    pay_grade_after=line.pay_grade,
                    fte_after=line.fte,
                    **how,
                )
            )
    for line in lines:  # positions that end in the plan years: Streichung the day after
        if line.end_date is not None and OLDER_PLAN_YEAR - 1 <= line.end_date.year < PLAN_YEAR:
            rows.append(
                _change(
                    line,
                    PositionChange.Kind.ABOLISH,
                    line.end_date + timedelta(days=1),
                    org_unit_before=line.org_unit,
                    pay_grade_before=line.pay_grade,
                    fte_before=line.fte,
                    **authority,
                )
            )
    return rows


def _staffing_plans(
    rng: random.Random,
    lines: list[Position],
    units: list[OrgUnit],
    grades: list[PayGrade],
    summary: Summary,
) -> None:
    """The Stellenplan OLDER_PLAN_YEAR (one year, a draft complete enough to be adopted: an
    Erläuterung for every grade whose change exceeds the threshold; no plan before it, so its
    Vorjahr counts 0) and the draft PLAN_YEAR based on it, with about half of its required
    Erläuterungen (so that the document lists the missing ones); occupations and changes."""
    older = StaffingPlan.objects.create(
        first_year=OLDER_PLAN_YEAR,
        last_year=OLDER_PLAN_YEAR,
        explanation_threshold_fte=CITY_THRESHOLD,
        remarks=f"Stellenplan {OLDER_PLAN_YEAR} der erzeugten Stadt.",
    )
    newer = StaffingPlan.objects.create(
        first_year=PLAN_YEAR,
        last_year=PLAN_YEAR,
        based_on=older,
        explanation_threshold_fte=CITY_THRESHOLD,
        remarks=f"Entwurf des Stellenplans {PLAN_YEAR} der erzeugten Stadt.",
    )
    summary.plans = 2
    occupations = Occupation.objects.bulk_create(_occupations(rng, lines), batch_size=BATCH_SIZE)
    summary.occupations = len(occupations)
    changes = PositionChange.objects.bulk_create(
        _changes(rng, lines, units, grades, newer), batch_size=BATCH_SIZE
    )
    summary.changes = len(changes)
    older_sums = _stellen_by_grade(lines, OLDER_PLAN_YEAR)
    newer_sums = _stellen_by_grade(lines, PLAN_YEAR)
    explanations: list[PlanExplanation] = []
    for grade in grades:
        change = older_sums.get(grade.pk, Decimal(0))  # no plan before it: Vorjahr 0
        if abs(change) > CITY_THRESHOLD:
            explanations.append(
                PlanExplanation(
                    plan=older,
                    year=OLDER_PLAN_YEAR,
                    pay_grade=grade,
                    text=f"{grade.code}: erster Stellenplan im Programm, Stellen "
                    f"{_fte_de(change)} gegenüber keinem erfassten Vorjahr.",
                )
            )
        change = newer_sums.get(grade.pk, Decimal(0)) - older_sums.get(grade.pk, Decimal(0))
        if abs(change) > CITY_THRESHOLD and rng.random() < 0.5:
            explanations.append(
                PlanExplanation(
                    plan=newer,
                    year=PLAN_YEAR,
                    pay_grade=grade,
                    text=f"{grade.code}: Veränderung um {_fte_de(change)} Stellen durch "
                    "Schaffungen, Streichungen und Umwandlungen.",
                )
            )
    PlanExplanation.objects.bulk_create(explanations, batch_size=BATCH_SIZE)
