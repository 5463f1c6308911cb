"""Reads of the org unit tree.

The tree is small (a city has some 700 units), so it is read in one query and walked in
memory: no recursive SQL, the same on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from departments.models import BudgetSection, OrgUnit


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    budget_section_id: int | None

    @property
    def label(self) -> str:
        """As ``str(OrgUnit)``: code and name."""
        return f"{self.code} {self.name}"


@dataclass
class OrgTree:
    """All org units, with the walks the costing and the pages need."""

    units: dict[int, UnitInfo]
    children: dict[int | None, list[int]] = field(default_factory=dict)
    budget_sections: dict[int, BudgetSection] = field(default_factory=dict)

    def ancestors_or_self(self, unit_id: int) -> list[int]:
        """The unit and its ancestors, nearest first."""
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.units[current].parent_id
        return chain

    def department_of(self, unit_id: int) -> int:
        """The Amt a unit belongs to; the top-level unit where no Amt is above it.

        Positions of a Referat itself (e.g. Referat WFB) roll up to the Referat, positions
        of an Amt's sub-units to the Amt.
        """
        chain = self.ancestors_or_self(unit_id)
        for ancestor in reversed(chain):
            if self.units[ancestor].kind == OrgUnit.Kind.AMT:
                return ancestor
        return chain[-1]

    def budget_section_of(self, unit_id: int) -> int | None:
        """The Teilhaushalt of a unit: its own, else the nearest ancestor's."""
        for ancestor in self.ancestors_or_self(unit_id):
            section = self.units[ancestor].budget_section_id
            if section is not None:
                return section
        return None

    def descendants_or_self(self, unit_ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        stack = list(unit_ids)
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(self.children.get(current, ()))
        return found

    def choices(self) -> list[tuple[int, str]]:
        """(id, label) of every unit by code: the options of an org unit select."""
        return [(u.id, u.label) for u in sorted(self.units.values(), key=lambda u: u.code)]

    def named(self, text: str) -> list[UnitInfo]:
        """The units whose own code or name contains every word of `text` (ignoring case),
        by code (no query: the tree is in memory)."""
        words = [word.casefold() for word in text.split()]
        if not words:
            return []
        found = [
            unit
            for unit in self.units.values()
            if all(word in unit.code.casefold() or word in unit.name.casefold() for word in words)
        ]
        return sorted(found, key=lambda unit: unit.code)

    def departments(self) -> list[UnitInfo]:
        """Every unit that is a department (Amt, or top-level unit with no Amt above it)."""
        ids = {self.department_of(uid) for uid in self.units}
        return sorted((self.units[i] for i in ids), key=lambda u: u.code)


def org_tree() -> OrgTree:
    """Read the whole tree in two queries."""
    units = {
        row[0]: UnitInfo(*row)
        for row in OrgUnit.objects.values_list(
            "id", "code", "name", "kind", "parent_id", "budget_section_id"
        )
    }
    children: dict[int | None, list[int]] = {}
    for unit in sorted(units.values(), key=lambda u: u.code):
        children.setdefault(unit.parent_id, []).append(unit.id)
    sections = {s.id: s for s in BudgetSection.objects.all()}
    return OrgTree(units=units, children=children, budget_sections=sections)
