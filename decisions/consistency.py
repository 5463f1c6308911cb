"""Consistency check: figures stated in a decision's text against its data.

The Beschlussantrag and the Begründung are typed text; the Finanzielle Auswirkungen and the
Anlage are generated from the linked positions. This module reads the text for stated figures
and lists every one the data contradicts (a Finding). It never changes anything.

What is read (German administrative prose, so the rules are deliberately narrow):

- Euro amounts ("rund 1.682.510 EUR", "42.350,00 EUR") in sentences about money (Mittel,
  Kosten, Betrag, Ausgabenbedarf …). Sentences about personnel (Personalausgaben …) are compared
  with the positions' cost in the year the sentence names ("ab 01.01.2012", "in 2011"); other
  amounts with the other financial items of that year (or positions plus items). "rund"/"ca."
  allow the rounding the written number implies. Teilhaushalte named in such a sentence must
  be those that carry the costs.
- Stellen counts in the Beschlussantrag tied to a year ("im Jahr 2011 in Höhe von 2,0 Stellen",
  "ab 01.01.2012 in Höhe von 11,5 Stellen"): the positions added in that year (first costed
  month in that year), or all positions of the decision active in it, must give that number.
- Department totals in the Begründung: "(insgesamt 1,5 Stellen)" in a section heading and
  "im Umfang von 1,5 Planstellen" in its text, for the one department the heading names;
  "20-4: 3,0 Stellen" for an org unit with its sub-units.
- Each position bullet of the Beschlussantrag ("100 % Sachbearbeitung …, A 11") under a
  department line ("Stadtkämmerei (Amt 20):") is paired with a linked position of that
  department (same share and grade first, then the most similar text): share and grade must
  agree, an "Einstellung ab sofort" must not start after the decision's year, and every linked
  position must be named.
- A reimbursement percentage ("Erstattung … 84,8%") must be the rate of a rule that applies.
- Each Personalbedarfsberechnung attached to a linked position (``stellenplan.need``): the
  positions requested must lie within the calculated need (a range where the inputs are ranges)
  give or take the tolerance the city sets (``settings.NEED_TOLERANCE_FTE``, 0,10 Stellen by
  default); a calculation that cannot be computed or only states shares is reported as well.

Sentences that cite another GRDrs are skipped: their figures belong to that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher

from django.conf import settings

from core import parsing
from core.formatting import euro, format_decimal, percent
from costing.engine import CostingError, YearCosting, cost_year
from decisions.models import Decision
from decisions.selectors import (
    AnnexLine,
    DecisionFinance,
    decision_finance,
    department_heading,
    first_costed_year,
    linked_positions,
)
from departments.selectors import OrgTree, UnitInfo
from stellenplan.models import PayGrade
from stellenplan.need import NeedResult, calculations_for

ZERO = Decimal("0.00")
NUMBER = r"\d{1,3}(?:\.\d{3})+|\d+"
AMOUNT_RE = re.compile(
    r"(?P<approx>\b(?:rund|ca\.|circa|etwa|rd\.)\s+)?"
    rf"(?P<int>{NUMBER})(?:,(?P<dec>\d{{1,2}}))?\s*(?:EUR\b|€|Euro\b)"
)
YEAR_RE = re.compile(
    r"(?<![\d/])(?:\d{1,2}\.\d{1,2}\.)?(?P<year>(?:19|20)\d{2})(?:/(?:19|20)?\d{2})?\b"
)
STELLEN_RE = re.compile(r"(?<![\d,.])(?P<num>\d+(?:,\d+)?)\s+Stellen?\b")
HEADING_TOTAL_RE = re.compile(
    r"insgesamt\s+(?P<num>\d+(?:,\d+)?|eine[rn]?)\s+(?P<half>halben?\s+)?(?:Plan)?[Ss]tellen?\b"
)
EXTENT_RE = re.compile(
    r"im Umfang von\s+(?P<num>\d+(?:,\d+)?|eine[rmn]?)\s+(?P<half>halben?\s+)?Planstellen?\b"
)
UNIT_COUNT_RE = re.compile(
    r"(?<![\w.-])(?P<code>[\w]+(?:[-.][\w]+)*)\s*:\s*(?P<num>\d+(?:,\d+)?)\s+Stellen?\b"
)
PERCENT_RE = re.compile(r"(?P<num>\d+(?:,\d+)?)\s*%")
SECTION_RE = re.compile(r"(?:Teilhaushalt|THH)\s*[-–]?\s*(?P<number>\d{3})\b")
GRDRS_RE = re.compile(r"\bGR\s?D[Rr]s\.?\s*\d+/\d{4}")
AMT_RE = re.compile(r"\(Amt\s+(?P<code>[\w-]+)\)")
BULLET_SHARE_RE = re.compile(r"^(?P<share>\d+(?:,\d+)?)\s*%\s+(?P<rest>.+)$")
MONEY_WORDS = (
    "Mittel",
    "Kosten",
    "Betrag",
    "Ausgaben",
    "Aufwand",
    "Aufwendungen",
    "Personalausgaben",
    "finanzier",
)
PERSONNEL_WORDS = ("Personalausgaben", "Personalkosten", "Personalaufwand", "Personalmittel")
APPROX_WORDS = ("rund", "ca.", "circa", "etwa", "rd.")
ABBREVIATIONS = {
    "abs", "anl", "bes", "bzgl", "bezgl", "bzw", "ca", "d", "drs", "etc", "evtl", "ff", "gem",
    "ggf", "gr", "i", "inkl", "insb", "lt", "max", "mind", "min", "mio", "mrd", "nr", "o", "rd",
    "s", "sog", "std", "stellv", "stv", "tsd", "u", "usw", "v", "vgl", "z", "ziff", "teil",
}  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """A figure in the text that the data contradicts."""

    kind: str  # betrag, stellen, teilhaushalt, stellenwert, anteil, zuordnung, erstattung, bedarf
    place: str  # "Beschlussantrag, Ziffer 2"
    stated: str  # the text as written
    computed: str  # what the data gives
    message: str  # one German sentence for the page
    anchor: str = ""  # id of the passage on the detail page ("ziffer-2"), "" if none


# --- reading the text ----------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # "para" or "bullet"
    text: str


def plain(text: str) -> str:
    """Markdown emphasis and hard breaks removed, whitespace collapsed."""
    text = re.sub(r"(\*\*|__|\*)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def blocks(markdown_text: str) -> list[Block]:
    """Paragraphs and list items of a Markdown text, in order, as plain text."""
    found: list[Block] = []
    current: Block | None = None
    for line in markdown_text.splitlines():
        stripped = line.strip()
        bullet = re.match(r"^(?:[-*+]|\d+[.)])\s+(.*)$", stripped)
        if not stripped:
            current = None
        elif bullet:
            current = Block("bullet", bullet.group(1))
            found.append(current)
        elif current is not None:
            current.text += " " + stripped
        else:
            current = Block("para", stripped)
            found.append(current)
    for block in found:
        block.text = plain(block.text)
    return found


def sentences(text: str) -> list[str]:
    """Split German prose into sentences, keeping "z. B.", "1. Januar", "Mio. Euro" whole."""
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"(])", text)
    merged: list[str] = []
    for piece in pieces:
        if merged:
            last_word = re.split(r"[\s(]", merged[-1])[-1].rstrip(".").lower()
            if merged[-1].endswith(".") and (
                last_word in ABBREVIATIONS
                or len(last_word) == 1
                or (last_word.isdigit() and len(last_word) <= 2)  # "1. Januar", not "2012."
            ):
                merged[-1] += " " + piece
                continue
        merged.append(piece)
    return merged


def parse_decimal(value: str) -> Decimal:
    words = {"ein": 1, "eine": 1, "einer": 1, "einen": 1, "einem": 1}
    if value.lower() in words:
        return Decimal(words[value.lower()])
    return parsing.parse_decimal(value)


def parse_amount(match: re.Match) -> Decimal:
    integer = match["int"].replace(".", "")
    return Decimal(f"{integer}.{match['dec'] or '0'}")


def amount_tolerance(match: re.Match) -> Decimal:
    """Exact to the cent; with "rund"/"ca." to the precision the written number implies."""
    if not match["approx"]:
        return Decimal("0.005")
    if match["dec"] and match["dec"].strip("0"):
        return Decimal("0.005")
    digits = match["int"].replace(".", "")
    zeros = len(digits) - len(digits.rstrip("0"))
    return Decimal(5) * Decimal(10) ** max(zeros - 1, 0) if zeros else Decimal("0.5")


def years_before(sentence: str, position: int) -> int | None:
    """The year the figure at `position` refers to: the last year named before it, else the
    first one named after it."""
    before = [m for m in YEAR_RE.finditer(sentence) if m.start() < position]
    if before:
        return int(before[-1]["year"])
    after = [m for m in YEAR_RE.finditer(sentence) if m.start() > position]
    return int(after[0]["year"]) if after else None


# --- the data -------------------------------------------------------------------------------


class DecisionData:
    """The decision's figures, computed once and looked up by the rules."""

    def __init__(self, decision: Decision, finance: DecisionFinance) -> None:
        self.decision = decision
        self.finance = finance
        self.tree: OrgTree | None = finance.tree
        self.lines: list[AnnexLine] = [line for dep in finance.annex for line in dep.lines]
        self.items = list(decision.financial_items.select_related("budget_section"))
        self._costings: dict[int, YearCosting] = {y.year: y.costing for y in finance.years}
        self.grades = sorted(PayGrade.objects.values_list("code", flat=True), key=len, reverse=True)
        if self.tree is None and self.lines:
            self.tree = self.costing(self.lines[0].position.start_date.year).tree

    def costing(self, year: int) -> YearCosting:
        if year not in self._costings:
            self._costings[year] = cost_year(year, positions=linked_positions(self.decision))
        return self._costings[year]

    def checkable(self, year: int | None) -> bool:
        """Whether the engine can cost `year` (a text may name 1990 or 2099: not checked)."""
        if year is None:
            return True
        try:
            self.costing(year)
        except CostingError:
            return False
        return True

    def personnel_cost(self, year: int) -> Decimal:
        return self.costing(year).total.cost_in_year

    def items_cost(self, year: int) -> Decimal:
        return sum((i.annual_amount for i in self.items if i.applies_to(year)), ZERO)

    def years(self) -> list[int]:
        years = [y.year for y in self.finance.years]
        return years or sorted({first_costed_year(line.position) for line in self.lines})

    def new_fte(self, year: int) -> Decimal:
        return sum(
            (ln.position.fte for ln in self.lines if first_costed_year(ln.position) == year), ZERO
        )

    def active_fte(self, year: int) -> Decimal:
        return self.costing(year).total.fte

    def department_fte(self, department_id: int) -> Decimal:
        return sum(
            (ln.line.fte for ln in self.lines if ln.line.department_id == department_id), ZERO
        )

    def unit_fte(self, unit_id: int) -> Decimal:
        assert self.tree is not None
        return sum(
            (
                ln.line.fte
                for ln in self.lines
                if unit_id in self.tree.ancestors_or_self(ln.line.org_unit_id)
            ),
            ZERO,
        )

    def departments_named_in(self, text: str) -> list[UnitInfo]:
        """Departments whose name (or "Referat CODE", or "Amt CODE") occurs in `text`."""
        if self.tree is None:
            return []
        found = []
        amt = AMT_RE.search(text)
        for unit in self.tree.departments():
            if amt and unit.code == amt["code"]:
                return [unit]
            names = [unit.name, department_heading(unit)]
            if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in names if n):
                found.append(unit)
        return found

    def unit_by_code(self, code: str) -> UnitInfo | None:
        if self.tree is None:
            return None
        return next((u for u in self.tree.units.values() if u.code == code), None)

    def rule_rates(self) -> list[Decimal]:
        rates: list[Decimal] = []
        for year in self.years():
            costing = self.costing(year)
            used = {line.rule_id for line in costing.lines if line.rule_id is not None}
            rates.extend(c.rate for c in costing.coverage if c.rule_id in used)
        return rates

    def sections_with_costs(self, year: int, personnel: bool) -> set[str]:
        if personnel:
            return {s.number for s, _ in self.costing(year).by_budget_section if s is not None}
        return {i.budget_section.number for i in self.items if i.applies_to(year)}


# --- the rules ------------------------------------------------------------------------------


def check_amounts(data: DecisionData, place: str, sentence: str) -> list[Finding]:
    if not any(word in sentence for word in MONEY_WORDS):
        return []
    personnel = any(word in sentence for word in PERSONNEL_WORDS)
    findings: list[Finding] = []
    for match in AMOUNT_RE.finditer(sentence):
        stated = parse_amount(match)
        tolerance = amount_tolerance(match)
        year = years_before(sentence, match.start())
        if not data.checkable(year):
            continue
        years = [year] if year else data.years()
        candidates: list[Decimal] = []
        for y in years:
            if personnel:
                candidates.append(data.personnel_cost(y))
            else:
                year_items = [i.annual_amount for i in data.items if i.applies_to(y)]
                candidates += [data.items_cost(y), *year_items]
                candidates.append(data.personnel_cost(y) + data.items_cost(y))
        if not year:
            candidates.append(data.finance.annex_total.annual_cost)
        if any(abs(stated - c) <= tolerance for c in candidates):
            findings += check_sections(data, place, sentence, year, personnel)
            continue
        if personnel:
            computed = euro(data.personnel_cost(year), " ") if year else euro(candidates[-1], " ")
            what = f"Personalkosten der verknüpften Stellen {year}" if year else "Summe der Anlage"
        else:
            computed = euro(data.items_cost(year), " ") if year else euro(candidates[0], " ")
            what = f"sonstige finanzielle Auswirkungen {year}" if year else "sonstige Auswirkungen"
        findings.append(
            Finding(
                "betrag",
                place,
                match.group(0).strip(),
                computed,
                f"{place}: „{match.group(0).strip()}“ – die Daten ergeben {computed} ({what}).",
            )
        )
    return findings


def check_sections(
    data: DecisionData, place: str, sentence: str, year: int | None, personnel: bool
) -> list[Finding]:
    named = {m["number"] for m in SECTION_RE.finditer(sentence)}
    if not named or year is None:
        return []
    actual = data.sections_with_costs(year, personnel)
    if named == actual:
        return []
    stated = ", ".join(sorted(named))
    computed = ", ".join(sorted(actual)) or "keine"
    return [
        Finding(
            "teilhaushalt",
            place,
            f"THH {stated}",
            f"THH {computed}",
            f"{place}: genannt sind die Teilhaushalte {stated}, Kosten {year} entstehen "
            f"in {computed}.",
        )
    ]


def check_year_counts(data: DecisionData, place: str, sentence: str) -> list[Finding]:
    findings = []
    for match in STELLEN_RE.finditer(sentence):
        year = years_before(sentence, match.start())
        if year is None or not data.checkable(year):
            continue
        stated = parse_decimal(match["num"])
        new, active = data.new_fte(year), data.active_fte(year)
        if stated in (new, active):
            continue
        computed = f"{format_decimal(new)} neue, insgesamt {format_decimal(active)} Stellen {year}"
        findings.append(
            Finding(
                "stellen",
                place,
                match.group(0),
                computed,
                f"{place}: „{match.group(0)}“ für {year} – die verknüpften Stellen ergeben "
                f"{computed}.",
            )
        )
    return findings


def stated_fte(match: re.Match) -> Decimal:
    value = parse_decimal(match["num"])
    return value / 2 if match["half"] else value


def check_department_total(
    data: DecisionData, place: str, match: re.Match, department: UnitInfo
) -> Finding | None:
    stated = stated_fte(match)
    actual = data.department_fte(department.id)
    if stated == actual:
        return None
    heading = department_heading(department)
    return Finding(
        "stellen",
        place,
        match.group(0),
        f"{format_decimal(actual)} Stellen",
        f"{place}: „{match.group(0)}“ – die verknüpften Stellen von {heading} ergeben "
        f"{format_decimal(actual)} Stellen.",
    )


def section_place(number: str) -> str:
    return f"Begründung, Abschnitt {number}".strip().rstrip(",")


def check_reason_section(data: DecisionData, number: str, heading: str, text: str) -> list[Finding]:
    place = section_place(number)
    findings: list[Finding] = []
    departments = data.departments_named_in(heading)
    department = departments[0] if len(departments) == 1 else None
    if department is not None:
        for match in HEADING_TOTAL_RE.finditer(plain(heading)):
            if finding := check_department_total(data, f"{place} (Überschrift)", match, department):
                findings.append(finding)
    for block in blocks(text):
        for sentence in sentences(block.text):
            if GRDRS_RE.search(sentence):
                continue
            findings += check_amounts(data, place, sentence)
            findings += check_percentages(data, place, sentence)
            if department is not None:
                for match in EXTENT_RE.finditer(sentence):
                    if finding := check_department_total(data, place, match, department):
                        findings.append(finding)
            for match in UNIT_COUNT_RE.finditer(sentence):
                unit = data.unit_by_code(match["code"])
                if unit is None:
                    continue
                stated = parse_decimal(match["num"])
                actual = data.unit_fte(unit.id)
                if stated != actual:
                    findings.append(
                        Finding(
                            "stellen",
                            place,
                            match.group(0),
                            f"{format_decimal(actual)} Stellen",
                            f"{place}: „{match.group(0)}“ – die verknüpften Stellen in "
                            f"{unit.code} ergeben {format_decimal(actual)} Stellen.",
                        )
                    )
    return findings


def check_percentages(data: DecisionData, place: str, sentence: str) -> list[Finding]:
    if "rstatt" not in sentence:  # Erstattung, erstattet
        return []
    rates = data.rule_rates()
    findings = []
    for match in PERCENT_RE.finditer(sentence):
        stated = parse_decimal(match["num"])
        if any(stated == rate * 100 for rate in rates):
            continue
        computed = ", ".join(sorted({percent(r, " ") for r in rates})) or "keine Erstattung"
        findings.append(
            Finding(
                "erstattung",
                place,
                match.group(0),
                computed,
                f"{place}: Erstattungssatz „{match.group(0)}“ – die geltenden "
                f"Erstattungsregeln ergeben {computed}.",
            )
        )
    return findings


@dataclass
class Bullet:
    place: str
    text: str
    share: Decimal
    grade: str | None
    description: str
    department_id: int | None
    immediate: bool


def proposal_bullets(data: DecisionData, place: str, text: str) -> list[Bullet]:
    grade_re = re.compile(
        r"(?<![\w])(" + "|".join(re.escape(code) for code in data.grades) + r")(?![\w])"
    )
    bullets: list[Bullet] = []
    department_id: int | None = None
    for block in blocks(text):
        if block.kind == "para":
            if block.text.endswith(":") and len(block.text) <= 120:
                named = data.departments_named_in(block.text)
                department_id = named[0].id if len(named) == 1 else None
            continue
        match = BULLET_SHARE_RE.match(block.text)
        if not match:
            continue
        grades = list(grade_re.finditer(match["rest"])) if data.grades else []
        grade = grades[-1] if grades else None
        description = match["rest"][: grade.start()] if grade else match["rest"]
        bullets.append(
            Bullet(
                place=place,
                text=block.text,
                share=parse_decimal(match["share"]) / 100,
                grade=grade.group(1) if grade else None,
                description=description.strip().rstrip(",").strip(),
                department_id=department_id,
                immediate="ab sofort" in block.text,
            )
        )
    return bullets


def _similarity(bullet: Bullet, line: AnnexLine) -> float:
    position = line.position
    target = f"{position.title} {position.task_heading}".lower()
    return SequenceMatcher(None, bullet.description.lower(), target).ratio()


def _pair(bullets: list[Bullet], pool: list[AnnexLine]) -> list[tuple[Bullet, AnnexLine]]:
    """Same share and grade first (most similar text among equals), then the best rest."""
    pairs: list[tuple[Bullet, AnnexLine]] = []
    for exact in (True, False):
        scored = []
        for b in bullets:
            for ln in pool:
                same = b.share == ln.line.fte and b.grade == ln.line.pay_grade_code
                if exact and not same:
                    continue
                bonus = 0.5 * (b.share == ln.line.fte) + 0.5 * (b.grade == ln.line.pay_grade_code)
                scored.append((bonus + _similarity(b, ln), id(b), b, ln))
        scored.sort(key=lambda item: -item[0])
        for _, _, b, ln in scored:
            if b in bullets and ln in pool:
                pairs.append((b, ln))
                bullets.remove(b)
                pool.remove(ln)
    return pairs


def check_proposal_bullets(data: DecisionData, bullets: list[Bullet]) -> list[Finding]:
    if not bullets:
        return []
    findings: list[Finding] = []
    remaining = list(data.lines)
    by_department: dict[int | None, list[Bullet]] = {}
    for bullet in bullets:
        by_department.setdefault(bullet.department_id, []).append(bullet)
    pairs: list[tuple[Bullet, AnnexLine]] = []
    unmatched: list[Bullet] = []
    # Bullets under a department line first; bullets without one may match any department.
    for department_id in sorted(by_department, key=lambda d: d is None):
        group = list(by_department[department_id])
        pool = [
            ln
            for ln in remaining
            if department_id is None or ln.line.department_id == department_id
        ]
        found = _pair(group, pool)
        pairs += found
        for _, ln in found:
            remaining.remove(ln)
        unmatched += group
    first_january = date(data.decision.date.year + 1, 1, 1)
    for bullet, ln in sorted(pairs, key=lambda p: bullets.index(p[0])):
        position, line = ln.position, ln.line
        where = f"{line.org_unit_code} „{position.title}“"
        if bullet.grade is not None and bullet.grade != line.pay_grade_code:
            findings.append(
                Finding(
                    "stellenwert",
                    bullet.place,
                    bullet.text,
                    f"{line.org_unit_code} {line.pay_grade_code}",
                    f"{bullet.place}: „{bullet.text}“ nennt {bullet.grade}, die verknüpfte "
                    f"Stelle {where} hat {line.pay_grade_code}.",
                )
            )
        if bullet.share != line.fte:
            findings.append(
                Finding(
                    "anteil",
                    bullet.place,
                    bullet.text,
                    f"{line.org_unit_code} {format_decimal(line.fte)}",
                    f"{bullet.place}: „{bullet.text}“ nennt {format_decimal(bullet.share)} Stellen, die "
                    f"verknüpfte Stelle {where} hat {format_decimal(line.fte)}.",
                )
            )
        if bullet.immediate and position.start_date >= first_january:
            findings.append(
                Finding(
                    "zuordnung",
                    bullet.place,
                    bullet.text,
                    f"Beginn {position.start_date:%d.%m.%Y}",
                    f"{bullet.place}: „{bullet.text}“ soll ab sofort besetzt werden, die "
                    f"verknüpfte Stelle {where} beginnt erst am {position.start_date:%d.%m.%Y}.",
                )
            )
    for bullet in unmatched:
        findings.append(
            Finding(
                "zuordnung",
                bullet.place,
                bullet.text,
                "keine passende Stelle",
                f"{bullet.place}: „{bullet.text}“ – dazu ist keine passende Stelle verknüpft.",
            )
        )
    for ln in remaining:
        line = ln.line
        findings.append(
            Finding(
                "zuordnung",
                "Beschlussantrag",
                "",
                f"{line.org_unit_code} {line.pay_grade_code} {format_decimal(line.fte)}",
                f"Beschlussantrag: die verknüpfte Stelle {line.org_unit_code} „{ln.position.title}“ "
                f"({format_decimal(line.fte)}, {line.pay_grade_code}) wird dort nicht genannt.",
            )
        )
    return findings


START_DATE_RE = re.compile(r"\b(?P<word>ab|zum|vom)\s+(?P<date>\d{1,2}\.\d{1,2}\.\d{4})\b")


def check_start_dates(data: DecisionData, place: str, sentence: str) -> list[Finding]:
    """A start date the Beschlussantrag states ("ab 01.01.2027") must be the start of at
    least one linked position: a paper saying 01.01.2027 for positions that begin on
    01.07.2026 states the wrong date (and the wrong costs)."""
    if not data.lines:
        return []
    starts = sorted({ln.position.start_date for ln in data.lines})
    findings = []
    for match in START_DATE_RE.finditer(sentence):
        day, month, year = (int(part) for part in match["date"].split("."))
        try:
            stated = date(year, month, day)
        except ValueError:  # not a date (31.02.2027): nothing to compare
            continue
        if stated in starts:
            continue
        shown = ", ".join(f"{start:%d.%m.%Y}" for start in starts[:5])
        if len(starts) > 5:
            shown += " …"
        findings.append(
            Finding(
                "beginn",
                place,
                match.group(0),
                shown,
                f"{place}: „{match.group(0)}“ – keine verknüpfte Stelle beginnt an diesem Tag "
                f"(Beginn der verknüpften Stellen: {shown}).",
            )
        )
    return findings


def need_tolerance() -> Decimal:
    """How far requested and calculated positions may differ without a finding (Stellen)."""
    return Decimal(str(getattr(settings, "NEED_TOLERANCE_FTE", "0.10")))


def _fte_range(low: Decimal, high: Decimal) -> str:
    if low == high:
        return f"{format_decimal(low)} Stellen"
    return f"{format_decimal(low)}–{format_decimal(high)} Stellen"


def check_need(result: NeedResult, tolerance: Decimal) -> Finding | None:
    """Requested against calculated positions of one Personalbedarfsberechnung."""
    place = f"Personalbedarfsberechnung „{result.title}“"
    requested = f"{format_decimal(result.requested_fte)} Stellen beantragt"
    if result.error or result.fte_low is None or result.fte_high is None:
        return Finding(
            "bedarf",
            place,
            requested,
            "nicht berechenbar",
            f"{place}: nicht berechenbar – {result.error}",
        )
    computed = f"{_fte_range(result.fte_low, result.fte_high)} berechnet"
    if not result.derived:
        return Finding(
            "bedarf",
            place,
            requested,
            computed,
            f"{place}: {_fte_range(result.fte_low, result.fte_high)} sind nur angegeben, nicht "
            "hergeleitet (keine Fallzahl, keine Bearbeitungszeit); der Bedarf ist nicht geprüft.",
        )
    if result.fte_low - tolerance <= result.requested_fte <= result.fte_high + tolerance:
        return None
    return Finding(
        "bedarf",
        place,
        requested,
        computed,
        f"{place}: beantragt sind {format_decimal(result.requested_fte)} Stellen, berechnet "
        f"{_fte_range(result.fte_low, result.fte_high)} (Abweichung über der Toleranz von "
        f"{format_decimal(tolerance)} Stellen).",
    )


def check_needs(positions: list) -> list[Finding]:
    """Findings of every Personalbedarfsberechnung attached to the decision's positions."""
    tolerance = need_tolerance()
    found = [check_need(result, tolerance) for result in calculations_for(positions)]
    return [finding for finding in found if finding is not None]


def check_decision(decision: Decision, finance: DecisionFinance | None = None) -> list[Finding]:
    """Every place where the decision's text states a figure its data contradicts.

    Raises CostingError when the positions cannot be costed (no findings without figures).
    """
    if finance is None:
        finance = decision_finance(decision)
    data = DecisionData(decision, finance)
    findings: list[Finding] = []
    bullets: list[Bullet] = []
    anchors = {"Beschlussantrag": "antrag"}
    for point in decision.proposal_points.all():
        place = f"Beschlussantrag, Ziffer {point.order}"
        anchors.setdefault(place, f"ziffer-{point.order}")
        bullets += proposal_bullets(data, place, point.text)
        for block in blocks(point.text):
            if block.kind == "bullet" and BULLET_SHARE_RE.match(block.text):
                continue
            for sentence in sentences(block.text):
                if GRDRS_RE.search(sentence):
                    continue
                findings += check_amounts(data, place, sentence)
                findings += check_year_counts(data, place, sentence)
                findings += check_percentages(data, place, sentence)
                findings += check_start_dates(data, place, sentence)
    findings += check_proposal_bullets(data, bullets)
    for section in decision.reason_sections.all():
        place = section_place(section.number)
        anchor = f"abschnitt-{section.number}" if section.number else "begruendung"
        anchors.setdefault(place, anchor)
        anchors.setdefault(f"{place} (Überschrift)", anchor)
        findings += check_reason_section(data, section.number, section.heading, section.text)
    needs = check_needs([line.position for line in data.lines])
    findings += [replace(finding, anchor="personalbedarf") for finding in needs]
    # each finding links to its passage on the detail page
    return [
        finding if finding.anchor else replace(finding, anchor=anchors.get(finding.place, ""))
        for finding in findings
    ]
