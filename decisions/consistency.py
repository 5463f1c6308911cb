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
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from typing import Protocol

from django.conf import settings

from core import parsing
from core.formatting import counted, euro, format_decimal, percent
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
                or (len(last_word) == 1 and last_word.isalpha())  # "z. B.", not "… 5.000 €."
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


def years_before(sentence: str, position: int) -> int | None:
    """The year the figure at `position` refers to: the last year named before it, else the
    first one named after it."""
    before = [m for m in YEAR_RE.finditer(sentence) if m.start() < position]
    if before:
        return int(before[-1]["year"])
    after = [m for m in YEAR_RE.finditer(sentence) if m.start() > position]
    return int(after[0]["year"]) if after else None


# --- amounts as German administrative prose writes them --------------------------------------
#
# The rules were built from a corpus of real sentences (tests/decisions/number_corpus.py: the
# reference paper's and ones from published Beschlussvorlagen of other cities). An amount is a
# number with a currency ("EUR 1.250.000", "60.000,00 Euro", "ca. 60 T€", "1,3 Mio. EUR") or with
# a scale alone in a sentence about money ("Ausgaben 2010: ca. 3,4 Mio."). What it means comes
# from the money word nearest to it (any compound of Kosten, Aufwand/Aufwendungen, Ausgaben,
# Mittel, Betrag …: Personalkosten → personnel cost, Sachkosten → other items, Mehrkosten →
# either or their total), the year or period the sentence names for it ("ab 2012", "im Jahr
# 2013", "2012 bis 2014", "jährlich", "einmalig") and the rounding it states ("rd.", "ca.",
# "Mio." with one decimal: compared at that precision; an exact amount to the euro or cent).

_QUALIFIER = (
    r"rund|rd\.|ca\.|circa|zirka|etwa|ungefähr|annähernd|knapp|gut|bis\s+zu|höchstens|maximal"
    r"|max\.|mindestens|mind\.|über|mehr\s+als|unter|weniger\s+als"
)
_SCALE = r"Mio\.?|Millionen|Mill\.|Mrd\.?|Milliarden|Tsd\.?|Tausend"
_CURRENCY = r"T\s?€|T\s?EUR\b|T\s?Euro\b|TEUR\b|€|EUR\b|Euro\b"
AMOUNT_RE = re.compile(
    rf"(?P<qualifier>(?:(?i:{_QUALIFIER})\s+){{0,2}})"
    r"(?:(?P<before>TEUR|T€|EUR|Euro|€)\s?)?"
    r"(?<![\d.,/])(?P<number>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?!\d|[.,]\d)(?:,-{1,2})?"
    rf"(?:\s?(?P<scale>{_SCALE}))?"
    rf"(?:\s?(?P<after>{_CURRENCY}))?"
)
APPROX = {"rund", "rd.", "ca.", "circa", "zirka", "etwa", "ungefähr", "annähernd", "knapp", "gut"}
AT_MOST = {"bis zu", "höchstens", "maximal", "max.", "unter", "weniger als"}
AT_LEAST = {"mindestens", "mind.", "über", "mehr als"}
SCALES = {"mio": 10**6, "millionen": 10**6, "mill": 10**6, "mrd": 10**9, "milliarden": 10**9,
          "tsd": 10**3, "tausend": 10**3}  # fmt: skip
MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
YEAR_SPEC_RE = re.compile(
    r"(?P<ab>\b(?:ab|seit|beginnend)\s+(?:dem\s+|(?:Haushalts)?[Jj]ahr\s+)*)?"
    rf"(?<![\d/.])(?:\d{{1,2}}\.\s?(?:\d{{1,2}}\.|(?:{MONTHS})\s)\s?)?"
    r"(?P<year>(?:19|20)\d{2})(?:\s?/\s?(?:19|20)?\d{2})?(?!\d)"
)
YEAR_RANGE_RE = re.compile(
    r"(?<![\d/.])(?P<first>(?:19|20)\d{2})\s*(?:bis(?:\s+einschließlich)?|–|-|und)\s*"
    r"(?P<last>(?:19|20)\d{2})(?!\d)"
)
PERIOD_RES = {
    "jährlich": re.compile(
        r"jährlich|pro\s+Jahr|je\s+Jahr|im\s+Jahr(?!\s+\d)|/\s?Jahr|p\.\s?a\.|per\s+anno"
        r"|Jahres(?:kosten|betrag|aufwand|ausgaben|summe)|Folgejahr",
        re.IGNORECASE,
    ),
    "einmalig": re.compile(r"einmalig", re.IGNORECASE),
    "monatlich": re.compile(r"monatlich|pro\s+Monat|je\s+Monat|im\s+Monat", re.IGNORECASE),
    "je Einheit": re.compile(
        r"\b(?:je|pro)\s+(?:Stelle|Planstelle|Arbeitsplatz|Vollzeit\w*|VZÄ|VZK|Kopf|Person"
        r"|Mitarbeiter\w*|Beschäftigte\w*|Platz|Fall)\b",
        re.IGNORECASE,
    ),
}
CLAUSE_BREAK_RE = re.compile(r"[;:]|,\s|\s(?:und|sowie|während)\s")
ATTACHED_RE = re.compile(r"\s*(?:(?:an|für|als|zusätzliche[nr]?|weitere[nr]?|die|den|der)\s+)*")
WORD_RE = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*-?")
TRUNCATED_RE = re.compile(r"((?:[A-Za-zÄÖÜäöüß]+-\s*(?:,\s*|\s+(?:und|sowie|bzw\.|oder)\s+))+)$")
REVENUE_HEADS = ("erträgen", "erträge", "ertrag", "einnahmen", "erlösen", "erlöse")  # not costs
# The head of a German compound is its last part: Personal|kosten, Haushalts|mittel.
MONEY_HEADS = (
    "ausgabenbedarf", "finanzierungsbedarf", "finanzbedarf", "mittelbedarf", "zuschussbedarf",
    "aufwendungen", "aufwendung", "aufwands", "aufwand", "ausgaben", "kosten", "mitteln",
    "mittels", "mittel", "betrages", "betrags", "beträgen", "beträge", "betrag", "erstattungen",
    "erstattung", "haushaltsansatz", "planansatz", "budgets", "budget",
) + REVENUE_HEADS  # fmt: skip
NOT_MONEY = {  # prefixes that make the compound something else than money
    "mittel": ("lebens", "hilfs", "arznei", "rechts", "zwangs", "beweis", "verkehrs", "lehr",
               "lern", "transport", "kommunikations", "druck", "zahlungs"),
    "aufwand": ("arbeits", "zeit", "bearbeitungs", "nachbearbeitungs", "betreuungs"),
}  # fmt: skip
PERSONNEL_STEMS = ("personal", "stellen", "lohn", "löhne", "gehalt", "gehälter", "besoldung",
                   "bezüge", "entgelt", "vergütung", "beschäftigten", "mitarbeiter")  # fmt: skip
OTHER_STEMS = ("sach", "miet", "betriebs", "investition", "anschaffung", "edv", "it", "ikt",
               "druck", "porto", "lizenz", "software", "hardware", "geräte", "ausstattung",
               "raum", "räum", "arbeitsplatz", "dienstleistung", "vertrag", "honorar", "reise",
               "fortbildung", "schulung", "beratung", "gutachte", "bewirtschaftung", "material",
               "verbrauch", "unterhaltung", "fahrzeug", "umzug", "sonstig", "einrichtung", "bau", "umbau")  # fmt: skip
GENERIC_STEMS = ("mehr", "gesamt", "zusatz", "zusätzlich", "jahres", "haushalts", "finanz",
                 "finanzierungs", "folge", "verwaltungs", "ausgaben", "mittel", "plan",
                 "teilplan", "brutto", "kassen", "kosten", "aufwands", "ist", "soll",
                 "laufend", "dauer")  # fmt: skip
NET_STEMS = ("netto", "zuschuss", "eigen")
SUBJECTS = {
    "personal": "Personalkosten",
    "sonstige": "sonstige finanzielle Auswirkungen",
    "gesamt": "Kosten",
    "erstattung": "Erstattung",
    "netto": "städtischer Anteil",
}


@dataclass(frozen=True)
class MoneyWord:
    start: int
    end: int
    word: str
    subject: str | None  # a key of SUBJECTS; None: money of something else (Bundesmittel)


@dataclass(frozen=True)
class StatedAmount:
    """One amount as the sentence writes it and what it says it is."""

    text: str  # as written: "rd. 1,3 Mio. EUR"
    value: Decimal  # 1300000
    precision: Decimal  # the rounding step the writing states: 100000; 1 (euro); 0.01 (cent)
    bound: str  # "", "höchstens" (bis zu …), "mindestens" (über …)
    start: int
    end: int
    subject: str | None = None  # key of SUBJECTS; None: no money word or an unknown one
    money_word: str = ""  # the word the subject comes from ("Mehraufwendungen")
    year: int | None = None  # the year named for it
    last_year: int | None = None  # "2012 bis 2014": 2014 (year is 2012)
    from_year: bool = False  # "ab 2012"
    period: str = ""  # "", "jährlich", "einmalig", "monatlich", "je Einheit"


def _subject_of(prefixes: list[str]) -> str | None:
    """Subject of a money compound from its prefixes (the own one and coordinated ones:
    "Personal-, Sach- und EDV-Kosten")."""
    kinds: set[str] = set()
    for prefix in prefixes:
        rest = prefix.replace("-", "")
        if any(rest.startswith(stem) or f"-{stem}" in prefix for stem in NET_STEMS):
            return "netto"
        while True:  # "mehr", "brutto", "gesamt" … in front: "Bruttopersonalaufwendungen"
            generic = next((g for g in GENERIC_STEMS if rest.startswith(g) and rest != g), None)
            if generic is None:
                break
            rest = rest.removeprefix(generic)
        if not rest or rest in GENERIC_STEMS:
            kinds.add("gesamt")
        elif rest.startswith(PERSONNEL_STEMS):
            kinds.add("personal")
        elif rest.startswith(OTHER_STEMS):
            kinds.add("sonstige")
        else:
            return None
    if kinds == {"personal"} or kinds == {"sonstige"}:
        return kinds.pop()
    return "gesamt"


def money_words(sentence: str) -> list[MoneyWord]:
    """Every word of `sentence` that names money, with what it is the money of."""
    found = []
    for match in WORD_RE.finditer(sentence):
        word = match.group(0)
        if not word[0].isupper() or word.endswith("-"):
            continue
        lower = word.lower()
        head = next((h for h in MONEY_HEADS if lower.endswith(h)), None)
        if head is None:
            continue
        prefix = lower.removesuffix(head)
        base = "mittel" if head.startswith("mittel") else "aufwand" if "aufwand" in head else ""
        if base and prefix.replace("-", "").endswith(NOT_MONEY[base]):
            continue
        if head in REVENUE_HEADS:
            subject: str | None = None
        elif "erstattung" in head or "erstattung" in prefix or "refinanzierung" in prefix:
            subject = "erstattung"
        elif head == "zuschussbedarf":
            subject = "netto"
        else:
            truncated = TRUNCATED_RE.search(sentence[: match.start()])
            coordinated = (
                re.findall(r"([A-Za-zÄÖÜäöüß]+)-", truncated.group(1)) if truncated else []
            )
            subject = _subject_of([p.lower() for p in coordinated] + [prefix])
        found.append(MoneyWord(match.start(), match.end(), word, subject))
    return found


def _precision(number: str, multiplier: int, approximate: bool) -> Decimal:
    integer, _, decimals = number.replace(".", "").partition(",")
    if decimals and (decimals.strip("0") or multiplier != 1 or not approximate):
        return multiplier * Decimal(10) ** -len(decimals)
    if not approximate:
        return Decimal(multiplier)
    zeros = len(integer) - len(integer.rstrip("0")) if integer.strip("0") else 0
    return multiplier * Decimal(10) ** zeros


def _is_amount(match: re.Match, sentence: str) -> bool:
    if match["before"] or match["after"]:
        return True
    if not match["scale"] or match["scale"].lower().startswith(("tsd", "tausend")):
        return False
    # "3,4 Mio." alone is money in a money sentence, "1,2 Mio. Einwohner" is not
    following = sentence[match.end() :].lstrip()
    return not following[:1].isupper()


def _period_near(sentence: str, start: int, end: int) -> str:
    """The period word in the clause of the amount at start:end ("jährlich", "einmalig" …)."""
    breaks = [0, *(m.end() for m in CLAUSE_BREAK_RE.finditer(sentence)), len(sentence) + 1]
    left = max(b for b in breaks if b <= start)
    right = min((b for b in breaks if b > end), default=len(sentence))
    clause = sentence[left:right]
    for period in ("je Einheit", "monatlich", "einmalig", "jährlich"):
        if PERIOD_RES[period].search(clause):
            return period
    return ""


def _money_word_for(words: list[MoneyWord], sentence: str, match: re.Match):
    """The money word an amount belongs to: one right after it ("480.000 € Sachkosten",
    "1,3 Mio. € an Personalkosten"), else the nearest one before it, else the first after it."""
    after = [w for w in words if w.start >= match.end()]
    if after and ATTACHED_RE.fullmatch(sentence[match.end() : after[0].start]):
        return after[0]
    before = [w for w in words if w.end <= match.start()]
    if before:
        return before[-1]
    return next((w for w in words if w.start >= match.end()), None)


def _year_for(sentence: str, amounts: list[re.Match], match: re.Match):
    """(year, last year of a range, "ab") named for the amount: the last before it, else the
    first after it. Numbers that are amounts themselves are no years."""
    spans = [(a.start("number"), a.end()) for a in amounts]
    specs = [
        m
        for m in YEAR_SPEC_RE.finditer(sentence)
        if not any(s <= m.start("year") < e for s, e in spans)
    ]
    before = [m for m in specs if m.end() <= match.start()]
    after = [m for m in specs if m.start() >= match.end()]
    if not before and not after:
        return None, None, False
    spec = before[-1] if before else after[0]
    for span in YEAR_RANGE_RE.finditer(sentence):
        if span.start() <= spec.start("year") < span.end():
            first, last = int(span["first"]), int(span["last"])
            if last > first:
                return first, last, False
    return int(spec["year"]), None, bool(spec["ab"])


def read_amounts(sentence: str) -> list[StatedAmount]:
    """Every euro amount in `sentence` with its value, the rounding it states and what it says
    it is (money word, year or period). Pure: no data needed."""
    words = money_words(sentence)
    matches = [m for m in AMOUNT_RE.finditer(sentence) if _is_amount(m, sentence)]
    if not words:  # a scale alone ("3,4 Mio.") is money only in a sentence about money
        matches = [m for m in matches if m["before"] or m["after"]]
    found = []
    for match in matches:
        qualifiers = [
            re.sub(r"\s+", " ", q).lower()
            for q in re.findall(rf"(?i:{_QUALIFIER})", match["qualifier"])
        ]
        multiplier = 1
        if match["scale"]:
            multiplier = SCALES[match["scale"].lower().rstrip(".")]
        currency = match["before"] or match["after"] or ""
        if currency.startswith("T"):
            multiplier *= 1000
        integer, _, decimals = match["number"].replace(".", "").partition(",")
        value = Decimal(f"{integer}.{decimals or 0}") * multiplier
        approximate = any(q in APPROX for q in qualifiers)
        bound = next(
            ("höchstens" if q in AT_MOST else "mindestens" for q in qualifiers if q not in APPROX),
            "",
        )
        word = _money_word_for(words, sentence, match)
        year, last_year, from_year = _year_for(sentence, matches, match)
        found.append(
            StatedAmount(
                text=match.group(0).strip(),
                value=value,
                precision=_precision(match["number"], multiplier, approximate),
                bound=bound,
                start=match.start(),
                end=match.end(),
                subject=word.subject if word else None,
                money_word=word.word if word else "",
                year=year,
                last_year=last_year,
                from_year=from_year,
                period=_period_near(sentence, match.start(), match.end()),
            )
        )
    return found


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

    def personnel_annual(self, year: int | None) -> Decimal:
        """Full-year cost of the positions active in `year` (None: of every linked one)."""
        if year is None:
            return self.finance.annex_total.annual_cost
        return self.costing(year).total.annual_cost

    def items_cost(self, year: int) -> Decimal:
        return sum(self.item_amounts(year), ZERO)

    def item_amounts(self, year: int | None) -> list[Decimal]:
        """The other items of `year` (None: every recurring one)."""
        if year is None:
            return [i.annual_amount for i in self.items if i.end_year != i.start_year]
        return [i.annual_amount for i in self.items if i.applies_to(year)]

    def one_off_amounts(self) -> list[Decimal]:
        return [i.annual_amount for i in self.items if i.end_year == i.start_year]

    def reimbursement(self, year: int) -> Decimal:
        return self.costing(year).total.reimbursement

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


# --- judging an amount against the data ---------------------------------------------------------

STIMMT = "stimmt"
STIMMT_NICHT = "stimmt nicht"
NICHT_ZUZUORDNEN = "nicht zuzuordnen"
MAGNITUDE = 10  # an amount over ten times every figure of the paper is about something else


class Figures(Protocol):
    """The money figures of a decision the amounts in its text are compared with."""

    def years(self) -> list[int]: ...

    def checkable(self, year: int | None) -> bool: ...

    def personnel_cost(self, year: int) -> Decimal: ...

    def personnel_annual(self, year: int | None) -> Decimal: ...

    def items_cost(self, year: int) -> Decimal: ...

    def item_amounts(self, year: int | None) -> list[Decimal]: ...

    def one_off_amounts(self) -> list[Decimal]: ...

    def reimbursement(self, year: int) -> Decimal: ...


@dataclass(frozen=True)
class Candidate:
    value: Decimal
    label: str  # "Personalkosten der verknüpften Stellen 2012"
    personnel: bool = False  # for the Teilhaushalte named with it
    items: bool = False


@dataclass(frozen=True)
class Verdict:
    status: str  # STIMMT, STIMMT_NICHT, NICHT_ZUZUORDNEN
    expected: Candidate | None = None  # what it was compared with (matched or the main figure)
    reason: str = ""  # why it could not be placed


def rounded(value: Decimal, precision: Decimal) -> Decimal:
    """`value` rounded half-up to a multiple of `precision` (1.128.560 to 0,1 Mio.: 1.100.000)."""
    return (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision


def agrees(amount: StatedAmount, value: Decimal) -> bool:
    if amount.bound == "höchstens":
        return value <= amount.value
    if amount.bound == "mindestens":
        return value >= amount.value
    return rounded(value, amount.precision) == amount.value


def _years_named(amount: StatedAmount) -> list[int]:
    if amount.year is None:
        return []
    return list(range(amount.year, (amount.last_year or amount.year) + 1))


def _when(amount: StatedAmount, year: int) -> str:
    return f"ab {year}" if amount.from_year else str(year)


def _per_year(amount: StatedAmount, figures: Figures, year: int) -> list[Candidate]:
    """The figures of one year for the amount's subject, the main one first."""
    personnel = figures.personnel_cost(year)
    items = figures.items_cost(year)
    when = _when(amount, year)
    people = [Candidate(personnel, f"Personalkosten der verknüpften Stellen {when}", True)]
    if amount.from_year or amount.period == "jährlich":
        annual = figures.personnel_annual(year)
        if annual != personnel:
            people.append(Candidate(annual, f"jährliche Personalkosten der Stellen {when}", True))
    other = [Candidate(items, f"sonstige finanzielle Auswirkungen {when}", items=True)]
    other += [
        Candidate(v, f"eine sonstige finanzielle Auswirkung {when}", items=True)
        for v in figures.item_amounts(year)
        if v != items
    ]
    if amount.subject == "personal":
        return people
    if amount.subject == "sonstige":
        return other
    reimbursement = figures.reimbursement(year)
    if amount.subject == "erstattung":
        return [Candidate(reimbursement, f"Erstattung {when}")]
    if amount.subject == "netto":
        share = personnel - reimbursement
        return [
            Candidate(share + items, f"städtischer Anteil {when} (Kosten − Erstattung)"),
            Candidate(share, f"städtischer Anteil an den Personalkosten {when}", True),
        ]
    total = Candidate(
        personnel + items, f"Personalkosten und sonstige Auswirkungen {when}", True, True
    )
    return ([total] if items else []) + people + (other if items else [])


def _sum(candidates: list[Candidate], label: str) -> Candidate:
    return Candidate(
        sum((c.value for c in candidates), ZERO),
        label,
        any(c.personnel for c in candidates),
        any(c.items for c in candidates),
    )


def candidates_for(amount: StatedAmount, figures: Figures) -> list[Candidate] | str:
    """The figures the amount may mean, the main one first; or why there is none."""
    if amount.period == "einmalig":
        if amount.subject in ("personal", "erstattung", "netto"):
            return f"„{amount.money_word}“ einmalig: die Vorlage rechnet sie je Jahr"
        one_off = figures.one_off_amounts()
        label = "einmalige sonstige Auswirkungen (Betrag mit gleichem ab- und bis-Jahr)"
        return [Candidate(sum(one_off, ZERO), label, items=True)] + [
            Candidate(v, label, items=True) for v in one_off
        ]
    named = _years_named(amount)
    if named:
        each = [_per_year(amount, figures, year) for year in named]
        if len(named) == 1:
            return each[0]
        span = f"{named[0]}–{named[-1]}"
        first = each[0][0]
        total = _sum([year[0] for year in each], f"{first.label.rsplit(' ', 1)[0]} {span}")
        return [total, *(c for year in each for c in year)]
    # no year: the full year of every linked position (Anlage), else any year of the paper
    years = figures.years()
    annual_items = figures.item_amounts(None)
    annual = [
        Candidate(
            figures.personnel_annual(None), "jährliche Personalkosten (Summe der Anlage)", True
        )
    ]
    other = [
        Candidate(sum(annual_items, ZERO), "sonstige finanzielle Auswirkungen je Jahr", items=True)
    ]
    main: list[Candidate]
    if amount.subject == "personal":
        main = annual
    elif amount.subject == "sonstige":
        main = other
    elif amount.subject in ("erstattung", "netto"):
        main = []
    else:
        main = [_sum(annual + other, "Personalkosten und sonstige Auswirkungen je Jahr")]
        main += annual + other if annual_items else annual
    if not main:  # Erstattung, städtischer Anteil: the latest (full) year first
        years = years[::-1]
    return main + [c for year in years for c in _per_year(amount, figures, year)]


def judge(amount: StatedAmount, figures: Figures) -> Verdict:
    """Whether the data agree with the amount, and with which figure."""
    if amount.subject is None:
        if amount.money_word:
            return Verdict(
                NICHT_ZUZUORDNEN, reason=f"„{amount.money_word}“ sind keine Kosten dieser Vorlage"
            )
        return Verdict(
            NICHT_ZUZUORDNEN,
            reason="der Satz nennt weder Kosten noch Aufwand, Ausgaben oder Mittel",
        )
    if amount.period == "je Einheit":
        return Verdict(
            NICHT_ZUZUORDNEN, reason="Betrag je Stelle oder Arbeitsplatz, keine Summe der Vorlage"
        )
    if amount.period == "monatlich":
        return Verdict(NICHT_ZUZUORDNEN, reason="Monatsbetrag; die Vorlage rechnet in Jahren")
    years = figures.years()
    if not years:
        return Verdict(
            NICHT_ZUZUORDNEN, reason="die Vorlage hat keine Kosten (keine verknüpften Stellen)"
        )
    for year in _years_named(amount):
        if year < years[0]:
            return Verdict(
                NICHT_ZUZUORDNEN,
                reason=f"{year} liegt vor dem ersten Jahr der Vorlage ({years[0]})",
            )
        if not figures.checkable(year):
            return Verdict(NICHT_ZUZUORDNEN, reason=f"für {year} gibt es keine Kostentabelle")
    candidates = candidates_for(amount, figures)
    if isinstance(candidates, str):
        return Verdict(NICHT_ZUZUORDNEN, reason=candidates)
    matching = next((c for c in candidates if agrees(amount, c.value)), None)
    if matching is not None:
        return Verdict(STIMMT, matching)
    largest = max(c.value for c in candidates)
    if largest > 0 and amount.value > MAGNITUDE * largest:
        return Verdict(
            NICHT_ZUZUORDNEN,
            reason=f"weit über jeder Zahl der Vorlage (höchstens {euro(largest, ' ')}), "
            "betrifft wohl anderes",
        )
    return Verdict(STIMMT_NICHT, candidates[0])


@dataclass(frozen=True)
class AmountCheck:
    """One amount of the text, what it was compared with and the result (for the page)."""

    place: str
    sentence: str
    stated: str  # "rund 1.682.510 EUR"
    status: str  # STIMMT, STIMMT_NICHT, NICHT_ZUZUORDNEN
    expected: str = ""  # "1.128.560 €"
    meaning: str = ""  # "Personalkosten der verknüpften Stellen 2012"
    reason: str = ""  # why not placed
    anchor: str = ""

    @property
    def explanation(self) -> str:
        if self.status == STIMMT:
            return f"{self.meaning}: {self.expected}"
        if self.status == STIMMT_NICHT:
            return f"erwartet {self.expected} ({self.meaning}), gefunden {self.stated}"
        return self.reason


def check_amounts(
    data: DecisionData, place: str, sentence: str
) -> tuple[list[AmountCheck], list[Finding]]:
    """Every amount of a sentence judged against the decision's figures, and the findings
    about the Teilhaushalte named with an amount that agrees."""
    checks = []
    findings: list[Finding] = []
    for amount in read_amounts(sentence):
        verdict = judge(amount, data)
        expected = verdict.expected
        checks.append(
            AmountCheck(
                place,
                sentence,
                amount.text,
                verdict.status,
                euro(expected.value, " ") if expected else "",
                expected.label if expected else "",
                verdict.reason,
            )
        )
        if verdict.status == STIMMT and expected is not None and amount.year is not None:
            findings += check_sections(
                data, place, sentence, amount.year, expected.personnel and not expected.items
            )
    return checks, findings


def unplaced_amounts(place: str, sentence: str, reason: str) -> list[AmountCheck]:
    """The amounts of a sentence that is not checked (it cites another GRDrs)."""
    return [
        AmountCheck(place, sentence, a.text, NICHT_ZUZUORDNEN, reason=reason)
        for a in read_amounts(sentence)
    ]


def money_in(
    data: DecisionData, place: str, sentence: str, amounts: list[AmountCheck]
) -> list[Finding]:
    """Judges the amounts of a sentence into `amounts`; the findings: amounts the data
    contradict and Teilhaushalte named with them. A sentence that cites another GRDrs is about
    that paper: its amounts are listed as not placed."""
    cited = GRDRS_RE.search(sentence)
    if cited:
        amounts += unplaced_amounts(
            place, sentence, f"Zahl einer anderen Vorlage ({cited.group(0)})"
        )
        return []
    checks, findings = check_amounts(data, place, sentence)
    amounts += checks
    return [amount_finding(c) for c in checks if c.status == STIMMT_NICHT] + findings


@dataclass(frozen=True)
class NumberCheck:
    """The result of the number check: findings and every amount read in the text."""

    findings: list[Finding]
    amounts: list[AmountCheck]

    def count(self, status: str) -> int:
        return sum(1 for amount in self.amounts if amount.status == status)

    @property
    def unplaced(self) -> int:
        return self.count(NICHT_ZUZUORDNEN)

    @property
    def headline(self) -> str:
        """ "1 Textstelle widerspricht den Daten", "2 Textstellen widersprechen den Daten"."""
        n = len(self.findings)
        verb = "widerspricht" if n == 1 else "widersprechen"
        return f"{counted(n, 'Textstelle', 'Textstellen')} {verb} den Daten"

    @property
    def amount_summary(self) -> str:
        """ "7 Beträge geprüft: 4 stimmen, 1 stimmt nicht, 2 nicht zuzuordnen." """
        if not self.amounts:
            return "Im Text steht kein Betrag in Euro."
        right, wrong = self.count(STIMMT), self.count(STIMMT_NICHT)
        parts = [
            counted(right, "stimmt", "stimmen"),
            counted(wrong, "stimmt nicht", "stimmen nicht"),
            f"{self.unplaced} nicht zuzuordnen",
        ]
        read = counted(len(self.amounts), "Betrag", "Beträge")
        return f"{read} im Text geprüft: {', '.join(parts)}."

    @property
    def all_clear(self) -> str:
        """The sentence for a text without findings: never "alle stimmen" when amounts were
        left unplaced."""
        if self.unplaced:
            return (
                "Keine Widersprüche gefunden, aber nicht alles ist geprüft: "
                f"{counted(self.unplaced, 'Betrag ist', 'Beträge sind')} keiner Zahl der "
                "Vorlage zuzuordnen (siehe unten)."
            )
        return "Keine Widersprüche: alle geprüften Zahlen im Text stimmen mit den Daten überein."


def amount_finding(check: AmountCheck) -> Finding:
    return Finding(
        "betrag",
        check.place,
        check.stated,
        check.expected,
        f"{check.place}: „{check.stated}“ – die Daten ergeben {check.expected} ({check.meaning}).",
    )


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


def check_reason_section(
    data: DecisionData, number: str, heading: str, text: str, amounts: list[AmountCheck]
) -> list[Finding]:
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
            findings += money_in(data, place, sentence, amounts)
            if GRDRS_RE.search(sentence):
                continue
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
    return number_check(decision, finance).findings


def number_check(decision: Decision, finance: DecisionFinance | None = None) -> NumberCheck:
    """The findings and every amount read in the text with its result (stimmt, stimmt nicht,
    nicht zuzuordnen).

    Raises CostingError when the positions cannot be costed (no findings without figures).
    """
    if finance is None:
        finance = decision_finance(decision)
    data = DecisionData(decision, finance)
    findings: list[Finding] = []
    amounts: list[AmountCheck] = []
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
                findings += money_in(data, place, sentence, amounts)
                if GRDRS_RE.search(sentence):
                    continue
                findings += check_year_counts(data, place, sentence)
                findings += check_percentages(data, place, sentence)
                findings += check_start_dates(data, place, sentence)
    findings += check_proposal_bullets(data, bullets)
    for section in decision.reason_sections.all():
        place = section_place(section.number)
        anchor = f"abschnitt-{section.number}" if section.number else "begruendung"
        anchors.setdefault(place, anchor)
        anchors.setdefault(f"{place} (Überschrift)", anchor)
        findings += check_reason_section(
            data, section.number, section.heading, section.text, amounts
        )
    needs = check_needs([line.position for line in data.lines])
    findings += [replace(finding, anchor="personalbedarf") for finding in needs]
    # each finding and amount links to its passage on the detail page
    return NumberCheck(
        [
            finding if finding.anchor else replace(finding, anchor=anchors.get(finding.place, ""))
            for finding in findings
        ],
        [replace(amount, anchor=anchors.get(amount.place, "")) for amount in amounts],
    )
