"""The main menu of every page, as data: which entries a role sees, which of them stand on
the bar and which under "Mehr".

Each entry names its page, the permissions of which the user needs one (none: every logged-in
user) and the roles that find it on the bar; a new page is one line in ``MENU``. A role is
recognised by the permission that only it has (``ROLE_MARKERS``); superusers have every
role. At most ``MAX_ON_BAR`` entries stand on the bar (so the menu fits one line at 1280 px),
the rest of the entries the user may use are grouped under "Mehr".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

#: The section of an entry under "Mehr".
READ = "Ansehen"
TASKS = "Aufgaben"
ADMIN = "Administration"
SECTIONS = (READ, TASKS, ADMIN)

#: Role key -> the permission only that role has. Users without any of these read only.
ROLE_MARKERS: dict[str, str] = {
    "personalamt": "stellenplan.add_position",
    "kaemmerei": "costing.add_costtable",
    "sitzungsdienst": "decisions.add_decision",
}
#: On the bar for every logged-in user.
EVERYONE = "*"
#: Users with none of the roles above (they read).
READER = "reader"
SUPERUSER = "superuser"

MAX_ON_BAR = 5


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    #: the user needs one of these permissions (``SUPERUSER``: a superuser); empty: everyone
    needs: tuple[str, ...] = ()
    #: roles (``ROLE_MARKERS`` keys, ``READER`` or ``EVERYONE``) that find it on the bar
    bar_for: tuple[str, ...] = ()
    section: str = READ
    #: appended to the URL (an anchor)
    fragment: str = ""
    #: other pages (URL names) on which this entry is the current one
    also_current: tuple[str, ...] = ()


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("Übersicht", "costs:overview", bar_for=(EVERYONE,)),
    MenuEntry("Stellen", "positions:list", bar_for=(EVERYONE,), also_current=("positions:detail",)),
    MenuEntry("Organisation", "orgunits:tree", bar_for=(EVERYONE,)),
    MenuEntry(
        "Beschlussvorlagen",
        "decisions:list",
        bar_for=("sitzungsdienst", READER),
        also_current=("decisions:detail",),
    ),
    MenuEntry("Stellenplan", "plandoc:list", bar_for=("personalamt",)),
    MenuEntry("Personalbedarf", "need:list", bar_for=("personalamt",)),
    MenuEntry("Kostensätze", "costs:costtable_list", bar_for=("kaemmerei",)),
    MenuEntry("Finanzplanung", "costs:projection", bar_for=("kaemmerei", READER)),
    MenuEntry("Stellenwerte", "paygrades:list"),
    MenuEntry("Änderungsprotokoll", "changes:list"),
    MenuEntry("Meine Aufträge", "jobs:list"),
    MenuEntry("Gelöschte Stellen", "positions:deleted_list", needs=("stellenplan.add_position",)),
    MenuEntry(
        "Neue Stelle", "positions:create", needs=("stellenplan.add_position",), section=TASKS
    ),
    MenuEntry(
        "Neue Org.einheit", "orgunits:create", needs=("departments.add_orgunit",), section=TASKS
    ),
    MenuEntry(
        "Stellen importieren",
        "excel:import_positions",
        needs=("stellenplan.add_position",),
        section=TASKS,
    ),
    MenuEntry(
        "Kostentabelle importieren",
        "excel:import_cost_table",
        needs=("costing.add_costtable",),
        section=TASKS,
    ),
    MenuEntry(
        "Importe",
        "excel:import_list",
        needs=("stellenplan.add_position", "costing.add_costtable"),
        section=TASKS,
    ),
    MenuEntry(
        "Erstattungsregeln pflegen",
        "costs:costtable_list",
        needs=("costing.change_reimbursementrule",),
        section=TASKS,
        fragment="#erstattung",
    ),
    MenuEntry(
        "Tarif-/Besoldungsanpassungen",
        "costs:adjustment_list",
        needs=("costing.change_payadjustment",),
        section=TASKS,
    ),
    MenuEntry(
        "Neue Beschlussvorlage",
        "decisions:create",
        needs=("decisions.add_decision",),
        section=TASKS,
    ),
    MenuEntry(
        "Sitzungen",
        "council:meeting_list",
        bar_for=("sitzungsdienst",),
        also_current=("council:meeting_detail",),
    ),
    MenuEntry("Gremien", "council:committee_list"),
    MenuEntry("Verwaltung", "admin:index", needs=(SUPERUSER,), section=ADMIN),
)


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class MenuGroup:
    label: str
    links: list[MenuLink]


@dataclass(frozen=True)
class Menu:
    bar: list[MenuLink]
    more: list[MenuGroup]

    @property
    def more_current(self) -> bool:
        """Whether the current page is one of the entries under "Mehr"."""
        return any(link.current for group in self.more for link in group.links)


def user_roles(user: Any) -> set[str]:
    """The role keys of `user` (every role for a superuser; ``READER`` without a role)."""
    if user.is_superuser:
        return {*ROLE_MARKERS, SUPERUSER}
    roles = {role for role, permission in ROLE_MARKERS.items() if user.has_perm(permission)}
    return roles or {READER}


def may_use(user: Any, entry: MenuEntry) -> bool:
    if not entry.needs:
        return True
    return any(
        user.is_superuser if need == SUPERUSER else user.has_perm(need) for need in entry.needs
    )


def menu_for(user: Any, view_name: str | None, entries: tuple[MenuEntry, ...] = MENU) -> Menu:
    """The entries `user` may use: on the bar those of their roles (at most ``MAX_ON_BAR``,
    in the order of ``entries``), the rest under "Mehr" by section."""
    roles = user_roles(user) | {EVERYONE}
    bar: list[MenuLink] = []
    more: dict[str, list[MenuLink]] = {section: [] for section in SECTIONS}
    for entry in entries:
        if not may_use(user, entry):
            continue
        link = MenuLink(
            label=entry.label,
            url=reverse(entry.url_name) + entry.fragment,
            current=not entry.fragment
            and view_name is not None
            and view_name in (entry.url_name, *entry.also_current),
        )
        if roles & set(entry.bar_for) and len(bar) < MAX_ON_BAR:
            bar.append(link)
        else:
            more[entry.section].append(link)
    return Menu(
        bar=bar,
        more=[MenuGroup(label, links) for label, links in more.items() if links],
    )
