"""Every URL of the app × anonymous and each role × GET and POST: the expected status.

The URLs come from the URL resolver, so a new page is tested as soon as it is routed, and a
page nobody classified fails ``test_it_classifies_every_url`` (and its own matrix test) with
its name: add it to ``EXPECTATIONS`` (exact name) or let a ``PREFIXES`` entry cover it, and
give its URL arguments a sample in ``sample_kwargs``.

Rules the table encodes: anonymous users are sent to the login page; every logged-in user may
read everything; a role without the right gets 403 (never a 500, never the page); state changes
only on POST. Each request runs in a transaction that is rolled back, so a POST that deletes or
changes something does not disturb the next request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from simple_history.models import HistoricalChanges

from core.history import ensure_history_baseline
from core.models import Job
from decisions.models import Committee, Meeting
from departments.models import OrgUnit
from departments.services import orgunit_update
from stellenplan.imports import import_positions
from stellenplan.models import PayGrade, Position, StaffingPlan
from stellenplan.plan_services import occupation_create
from stellenplan.services import position_create, position_delete, position_update
from tests.conftest import make_role_users, shared_world
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes

ROLES = ["anonymous", "personalamt", "kaemmerei", "sitzungsdienst", "admin"]
LOGGED_IN = frozenset(ROLES[1:])
LOGIN = "/anmelden/"
ADMIN_LOGIN = "/admin/login/"


@dataclass(frozen=True)
class Expect:
    """What a URL answers. ``allowed`` roles get ``get``/``post``; other logged-in roles get
    ``denied_get``/``denied_post``; anonymous users ``anonymous_get``/``anonymous_post``.
    A 302 to a login page is written as the login page's path."""

    allowed: frozenset[str]
    get: frozenset[int | str]
    post: frozenset[int | str]
    denied_get: frozenset[int | str] = frozenset({403})
    denied_post: frozenset[int | str] = frozenset({403})
    anonymous_get: frozenset[int | str] = frozenset({LOGIN})
    # GET-only views may refuse the method before asking for a login: 405 is fine too.
    anonymous_post: frozenset[int | str] = frozenset({LOGIN, 405})


def s(*values: int | str) -> frozenset[int | str]:
    return frozenset(values)


def read(get=(200,), post=(405,)) -> Expect:
    """A page every logged-in user may see."""
    return Expect(allowed=LOGGED_IN, get=s(*get), post=s(*post))


def write(*roles: str, get=(200,), post=(200, 302)) -> Expect:
    """A page (form) only `roles` and the superuser may use; an empty POST re-shows the form
    with errors (200) or is refused with a message and a redirect (302)."""
    return Expect(allowed=frozenset({*roles, "admin"}), get=s(*get), post=s(*post))


def post_only(*roles: str, post=(302,)) -> Expect:
    """An action on POST only (GET: 405 for everyone logged in)."""
    return Expect(
        allowed=frozenset({*roles, "admin"}),
        get=s(405),
        post=s(*post),
        denied_get=s(405),
    )


ADMIN_PAGE = Expect(
    allowed=frozenset({"admin"}),
    get=s(200, 302),
    post=s(200, 302, 405),
    denied_get=s(ADMIN_LOGIN),
    denied_post=s(ADMIN_LOGIN),
    anonymous_get=s(ADMIN_LOGIN),
    anonymous_post=s(ADMIN_LOGIN),
)

# Exact URL names first; then the longest matching prefix in PREFIXES.
EXPECTATIONS: dict[str, Expect] = {
    # Login and logout (logout only on POST)
    "login": Expect(
        allowed=LOGGED_IN,
        get=s(200),
        post=s(200),
        anonymous_get=s(200),
        anonymous_post=s(200),
    ),
    "logout": Expect(
        allowed=LOGGED_IN,
        get=s(405),
        post=s(LOGIN),
        anonymous_get=s(405),
        anonymous_post=s(LOGIN),
    ),
    # Erklärung zur Barrierefreiheit (issue 13): public, GET only
    # the icon browsers ask for at /favicon.ico: a redirect to the static file, for everyone
    "favicon": Expect(
        allowed=LOGGED_IN,
        get=s(301),
        post=s(405),
        anonymous_get=s(301),
        anonymous_post=s(405),
    ),
    # the search of the header (issue 23): every logged-in user
    "search": read(),
    "accessibility_statement": Expect(
        allowed=LOGGED_IN,
        get=s(200),
        post=s(405),
        anonymous_get=s(200),
        anonymous_post=s(405),
    ),
    # Staffing plan (issue 3)
    "home": read(get=(302,)),
    "positions:create": write("personalamt"),
    "positions:update": write("personalamt"),
    "positions:delete": write("personalamt"),
    "positions:deleted_list": read(),
    "positions:deleted_detail": read(),
    # issue 14: restore a deleted position (POST only), move positions between units
    "positions:restore": post_only("personalamt", post=(302,)),
    "positions:move": write("personalamt"),
    "paygrades:list": read(),
    "paygrades:create": write(),
    "paygrades:update": write(),
    "paygrades:delete": write(post=(302,)),
    "orgunits:create": write("personalamt"),
    "orgunits:update": write("personalamt"),
    "orgunits:delete": write("personalamt", post=(302,)),
    "costs:overview": read(),
    "positions:list": read(),
    "positions:detail": read(),
    "orgunits:tree": read(),
    "orgunits:detail": read(),
    "costs:costtable_list": read(),
    "costs:costtable_update": write("kaemmerei"),
    "costs:costrate_update": write("kaemmerei"),
    "costs:costtable_create": write("kaemmerei"),
    "costs:costtable_compare": read(),
    "costs:costtable_delete": write("kaemmerei", post=(302,)),
    "costs:costtable_rate_create": write("kaemmerei"),
    "costs:costrate_delete": write("kaemmerei", post=(302,)),
    "costs:rule_new_rate": write("kaemmerei"),
    "costs:rule_create": write("kaemmerei"),
    "costs:rule_update": write("kaemmerei"),
    "costs:rule_delete": write("kaemmerei", post=(302,)),
    # Finanzplanung (issue 12): everyone reads and exports; the Kämmerei keeps the pay rounds
    "costs:projection": read(),
    "costs:projection_export": read(),
    "costs:adjustment_list": read(),
    "costs:adjustment_create": write("kaemmerei"),
    "costs:adjustment_update": write("kaemmerei"),
    "costs:adjustment_delete": write("kaemmerei", post=(302,)),
    # Excel (issue 4): everyone may export; imports by the owning role
    "excel:export": read(),
    "excel:export_positions": read(),
    "excel:export_org_unit": read(),
    # an empty upload is a bad request (400) with the form and its errors
    "excel:import_positions": write("personalamt", post=(400,)),
    "excel:import_cost_table": write("kaemmerei", post=(400,)),
    # the import templates (issue 23): downloads for the importing role, GET only
    "excel:import_positions_template": write("personalamt", post=(405,)),
    "excel:import_cost_table_template": write("kaemmerei", post=(405,)),
    # Import batches (issue 11): everyone sees the saved imports; the sample is a saved import
    # of positions (by the admin): confirming it again is refused with a message (302); undo
    # asks (GET: to the Personalamt it says only the importer or an administrator may undo),
    # a POST without the page's state is refused with a message (302)
    "excel:import_list": read(),
    "excel:import_batch": read(),
    "excel:import_batch_confirm": post_only("personalamt"),
    "excel:import_batch_undo": write("personalamt", post=(302,)),
    # Decisions (issue 5): everyone reads and prints; the Sitzungsdienst edits
    "decisions:list": read(),
    "decisions:detail": read(),
    "decisions:print": read(),
    "decisions:pdf": read(),
    "decisions:positions": read(),
    "decisions:create": write("sitzungsdienst"),
    # the editor's Markdown preview (issue 14): POST only, for those who edit decisions
    "decisions:preview": post_only("sitzungsdienst", post=(200,)),
    "decisions:edit": write("sitzungsdienst"),
    # the former part pages: opened, the one-page editor at their section (issue 23)
    "decisions:edit_text": write("sitzungsdienst", get=(302,)),
    "decisions:edit_finance": write("sitzungsdienst", get=(302,)),
    "decisions:position_add": post_only("sitzungsdienst"),
    "decisions:position_remove": post_only("sitzungsdienst"),
    "decisions:position_move": post_only("sitzungsdienst"),
    "decisions:status": post_only("sitzungsdienst"),
    # Issue 11: only an administrator (or the role Sitzungsdienst-Leitung) reopens a final
    # status or stores an adopted record again
    "decisions:reopen": post_only(),
    "decisions:record_again": post_only(),
    # The Sitzungsdienst's worklist (issue 22): everyone reads Gremien, Sitzungen and agendas;
    # the Sitzungsdienst maintains them and enters the results (POST of the meeting's page)
    "council:committee_list": read(),
    "council:committee_create": write("sitzungsdienst"),
    "council:committee_update": write("sitzungsdienst"),
    "council:meeting_list": read(),
    "council:meeting_create": write("sitzungsdienst"),
    "council:meeting_update": write("sitzungsdienst"),
    "council:meeting_detail": Expect(
        allowed=frozenset({"sitzungsdienst", "admin"}),
        get=s(200),
        post=s(200),
        denied_get=s(200),
    ),
    "council:step_schedule": write("sitzungsdienst"),
    "council:amend": post_only("sitzungsdienst"),
    # Change log (issue 11): every logged-in user reads it and its export
    "changes:list": read(),
    "changes:export": read(),
    # Personalbedarfsberechnung (issue 15): everyone reads; the Personalamt maintains
    "need:list": read(),
    "need:detail": read(),
    "need:export": read(),
    "need:workingtime_list": read(),
    "need:create": write("personalamt"),
    "need:update": write("personalamt"),
    "need:delete": write("personalamt"),
    "need:line_create": write("personalamt"),
    "need:line_update": write("personalamt"),
    "need:line_delete": write("personalamt"),
    "need:workingtime_create": write("personalamt"),
    "need:workingtime_update": write("personalamt"),
    "need:workingtime_delete": write("personalamt"),
    # Stellenplan (issue 12): everyone reads plans and changes; the Personalamt maintains
    # them; occupations are internal (Personalamt and admin only, even to read)
    "plans:list": read(),
    "plans:changes": read(),
    "plans:create": write("personalamt"),
    "plans:create_next": post_only("personalamt"),
    "plans:update": write("personalamt"),
    "plans:change_update": write("personalamt"),
    "plans:authorisation_create": write("personalamt"),
    "plans:occupations": write("personalamt"),
    "plans:occupation_update": write("personalamt"),
    "plans:occupation_delete": post_only("personalamt"),
    # Stellenplan document (issue 12): everyone reads, prints, exports and compares; the
    # Personalamt writes Erläuterungen (an empty POST saves nothing: redirect) and adopts (an
    # empty POST is refused with the form: 400)
    "plandoc:list": read(),
    "plandoc:detail": read(),
    "plandoc:pdf": read(),
    "plandoc:excel": read(),
    "plandoc:compare": read(),
    "plandoc:explanations": write("personalamt", post=(302,)),
    "plandoc:adopt": write("personalamt", post=(400,)),
    # Issue 22: the Personalamt enters Vorjahreszahlen (an empty POST saves nothing: redirect)
    # and Nachwuchskräfte (an empty POST lacks the formset's management form: 400)
    "plandoc:previous_figures": write("personalamt", post=(302,)),
    "plandoc:trainees": write("personalamt", post=(400,)),
    # the file to fill in holds "besetzt am 30.06." per Amt and group: only who enters it
    "plandoc:previous_figures_excel": write("personalamt", post=(405,)),
    # Meine Aufträge (issue 21): everyone has a list of their own jobs; a job, its file and
    # its restart are its owner's only (the sample is the admin's): 404 for everybody else,
    # as if it did not exist. Restarting a finished job is refused with a message (302).
    "jobs:list": read(),
    "jobs:detail": Expect(
        allowed=frozenset({"admin"}), get=s(200), post=s(405), denied_get=s(404), denied_post=s(405)
    ),
    "jobs:download": Expect(
        allowed=frozenset({"admin"}), get=s(200), post=s(405), denied_get=s(404), denied_post=s(405)
    ),
    "jobs:restart": Expect(
        allowed=frozenset({"admin"}), get=s(405), post=s(302), denied_get=s(405), denied_post=s(404)
    ),
    # Django admin: superusers only; others are sent to the admin login
    "admin:login": Expect(
        allowed=frozenset({"admin"}),
        get=s(302),
        post=s(200, 302),
        denied_get=s(200),
        denied_post=s(200),
        anonymous_get=s(200),
        anonymous_post=s(200),
    ),
    "admin:logout": Expect(
        allowed=frozenset({"admin"}),
        get=s(405),
        post=s(LOGIN),
        denied_get=s(302),
        denied_post=s(302),
        anonymous_get=s(302),
        anonymous_post=s(302),
    ),
    # without its query parameters the autocomplete refuses (403); it answers GET only
    "admin:autocomplete": Expect(
        allowed=frozenset({"admin"}),
        get=s(403),
        post=s(405),
        denied_get=s(ADMIN_LOGIN),
        denied_post=s(ADMIN_LOGIN),
        anonymous_get=s(ADMIN_LOGIN),
        anonymous_post=s(ADMIN_LOGIN),
    ),
    # "view on site": positions have no get_absolute_url, so 404 for the superuser
    "admin:view_on_site": Expect(
        allowed=frozenset({"admin"}),
        get=s(404),
        post=s(404),
        denied_get=s(ADMIN_LOGIN),
        denied_post=s(ADMIN_LOGIN),
        anonymous_get=s(ADMIN_LOGIN),
        anonymous_post=s(ADMIN_LOGIN),
    ),
}
# Read-only admin models (records nobody edits by hand): adding or changing is 403 there.
READ_ONLY_ADMIN_PAGE = Expect(
    allowed=frozenset({"admin"}),
    get=s(200, 302, 403),
    post=s(200, 302, 403),
    denied_get=s(ADMIN_LOGIN),
    denied_post=s(ADMIN_LOGIN),
    anonymous_get=s(ADMIN_LOGIN),
    anonymous_post=s(ADMIN_LOGIN),
)
# OParl 1.1 (issue 13): public and anonymous, read-only (GET; other methods 405). A sample
# object may be non-public or unknown (404: an OParl error object).
OPARL = Expect(
    allowed=LOGGED_IN,
    get=s(200, 404),
    post=s(405),
    anonymous_get=s(200, 404),
    anonymous_post=s(405),
)
PREFIXES: dict[str, Expect] = {
    "oparl:": OPARL,
    "admin:": ADMIN_PAGE,
    "admin:axes_": READ_ONLY_ADMIN_PAGE,  # django-axes' login records
    "admin:decisions_statuschange_": READ_ONLY_ADMIN_PAGE,  # the status log of decisions
    "admin:decisions_adoptedrecord_": READ_ONLY_ADMIN_PAGE,  # frozen adopted records
    "admin:django_tasks_database_": READ_ONLY_ADMIN_PAGE,  # the task queue (django-tasks-db)
}


def expectation(name: str) -> Expect | None:
    if name in EXPECTATIONS:
        return EXPECTATIONS[name]
    matches = [prefix for prefix in PREFIXES if name.startswith(prefix)]
    return PREFIXES[max(matches, key=len)] if matches else None


# --- the URLs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...] = field(default_factory=tuple)
    positional: int = 0  # unnamed regex groups (simple-history's admin history pages)


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def _positional(pattern) -> int:
    regex = getattr(pattern, "regex", None)
    if regex is None or getattr(pattern, "converters", None):
        return 0
    return regex.groups - len(regex.groupindex)


def collect_routes(resolver=None, namespace: str = "", kwargs: tuple[str, ...] = ()) -> list[Route]:
    """Every named URL pattern of the project, with the names of its URL arguments."""
    resolver = resolver or get_resolver()
    routes: list[Route] = []
    for entry in resolver.url_patterns:
        names = (*kwargs, *_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            routes.extend(collect_routes(entry, full, names))
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                # The admin's unnamed redirect and catch-all patterns; everything of ours is named.
                assert namespace == "admin", f"URL {entry.pattern} has no name: give it one"
                continue
            full = f"{namespace}:{entry.name}" if namespace else entry.name
            routes.append(Route(full, tuple(dict.fromkeys(names)), _positional(entry.pattern)))
    return routes


ROUTES = {route.name: route for route in collect_routes()}


# --- sample objects -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[tuple[dict, dict]]:
    """The reference data, one user per role and the sample objects, built once for all the
    tests of this module (rolled back at its end; each test runs in a savepoint)."""
    with shared_world(django_db_blocker):
        call_command("loaddata", "seed", verbosity=0)
        users = make_role_users(get_user_model())
        yield build_samples(users), users


@pytest.fixture
def samples(world, db) -> dict:
    return world[0]


@pytest.fixture
def role_users(world, db) -> dict:
    return world[1]


def build_samples(role_users: dict) -> dict:
    """Objects with history for the URL arguments: a changed position and org unit, a
    deleted position, and the first object of every other model."""
    admin = role_users["admin"]
    position = Position.objects.order_by("pk").first()
    position_update(
        acting_user=admin,
        position=position,
        expected_version=position.version,
        data={"title": f"{position.title} (geprüft)"},
    )
    unit = OrgUnit.objects.order_by("pk").first()
    orgunit_update(
        acting_user=admin, unit=unit, expected_version=unit.version, data={"name": unit.name}
    )
    doomed = position_create(
        acting_user=admin,
        org_unit=unit,
        pay_grade=PayGrade.objects.order_by("pk").first(),
        fte=position.fte,
        title="wird gelöscht",
        start_date=position.start_date,
    )
    deleted_id = doomed.pk
    # a meeting of the Gemeinderat (the reference data has committees, no meetings)
    Meeting.objects.create(
        committee=Committee.objects.get(name="Gemeinderat"),
        start=datetime(2011, 10, 6, 16, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    # a draft Stellenplan (the reference data may bring its own)
    StaffingPlan.objects.get_or_create(first_year=2012, defaults={"last_year": 2013})
    position_delete(acting_user=admin, position=doomed, expected_version=1)
    # a saved import that renamed the first position (for the pages of import batches)
    position.refresh_from_db()
    row = [position.pk, position.org_unit.code, position.pay_grade.code, "Import", position.fte]
    import_positions(BytesIO(xlsx_bytes([["ID", *POSITION_HEADER], row])), acting_user=admin)
    # an occupation (internal data) for the occupation pages
    occupation_create(
        acting_user=admin,
        position=Position.objects.order_by("-pk").first(),
        fte=Decimal("0.5"),
        start_date=date(2012, 1, 1),
    )
    # a finished job of the admin with a result file (Meine Aufträge)
    Job.objects.create(
        kind="positions_import_preview",
        owner=admin,
        status=Job.Status.SUCCEEDED,
        result={"message": "Beispiel"},
        result_file=b"Beispiel",
        result_file_name="Beispiel.txt",
        result_content_type="text/plain",
    )
    for model in apps.get_models():  # a history record of every first object (admin history)
        first = model._default_manager.order_by("pk").first()
        historical = issubclass(model, HistoricalChanges)
        if hasattr(model, "history") and not historical and first is not None:
            ensure_history_baseline(first)
    return {"position": position, "unit": unit, "deleted_position_id": deleted_id}


def _first_pk(model) -> int:
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj is not None else 999_999


PK_MODELS = {
    # URL name prefix -> model whose object the <pk> names
    "positions:": ("stellenplan", "Position"),
    "paygrades:": ("stellenplan", "PayGrade"),
    "orgunits:": ("departments", "OrgUnit"),
    "excel:export_org_unit": ("departments", "OrgUnit"),
    "costs:costtable_": ("costing", "CostTable"),
    "excel:import_batch": ("stellenplan", "ImportBatch"),
    "costs:costrate_": ("costing", "CostRate"),
    "costs:rule_": ("costing", "ReimbursementRule"),
    "costs:adjustment_": ("costing", "PayAdjustment"),
    "decisions:": ("decisions", "Decision"),
    "council:committee_": ("decisions", "Committee"),
    "council:meeting_": ("decisions", "Meeting"),
    "council:step_schedule": ("decisions", "Decision"),
    "council:amend": ("decisions", "Decision"),
    "need:": ("stellenplan", "NeedCalculation"),
    "need:workingtime_": ("stellenplan", "WorkingTime"),
    "plans:": ("stellenplan", "StaffingPlan"),
    "plans:change_": ("stellenplan", "PositionChange"),
    "plans:authorisation_": ("stellenplan", "Position"),
    "plans:occupations": ("stellenplan", "Position"),
    "plans:occupation_": ("stellenplan", "Occupation"),
    "plandoc:": ("stellenplan", "StaffingPlan"),
    "jobs:": ("core", "Job"),
    "oparl:paper": ("decisions", "Decision"),
    "oparl:file_paper": ("decisions", "Decision"),
    "oparl:file_record": ("decisions", "AdoptedRecord"),
    "oparl:file_annex": ("decisions", "Annex"),
    "oparl:consultation": ("decisions", "ConsultationStep"),
    "oparl:agenda_item": ("decisions", "ConsultationStep"),
    "oparl:organization_unit": ("departments", "OrgUnit"),
}


def sample_args(route: Route) -> list:
    """Positional URL arguments: only simple-history's admin page of one history record."""
    if not route.positional:
        return []
    assert route.name.startswith("admin:") and route.name.endswith("_simple_history"), (
        f"{route.name}: unnamed URL arguments; name them or add a sample in sample_args"
    )
    model = _admin_model(route.name)
    object_id = _first_pk(model)
    record = model.history.filter(id=object_id).order_by("-history_id").first()
    return [str(object_id), str(record.history_id if record is not None else 999_999)]


def sample_kwargs(route: Route, samples: dict) -> dict:
    """Values for the URL arguments of `route`; fails naming what is missing."""
    values: dict = {}
    for kwarg in route.kwargs:
        if route.name in ("positions:deleted_detail", "positions:restore") and kwarg == "pk":
            values[kwarg] = samples["deleted_position_id"]
        elif kwarg == "pk":
            prefixes = [p for p in PK_MODELS if route.name.startswith(p)]
            assert prefixes, f"{route.name}: add its <pk> model to PK_MODELS"
            values[kwarg] = _first_pk(apps.get_model(*PK_MODELS[max(prefixes, key=len)]))
        elif route.name.startswith("oparl:") and kwarg == "key":
            values[kwarg] = "0123456789abcdef"  # a committee or meeting key (404 if unknown)
        elif route.name.startswith("oparl:") and kwarg == "rest":
            values[kwarg] = "gibt-es-nicht"
        elif kwarg == "link_pk" and route.name.startswith("decisions:"):
            decision_id = values["pk"]
            link = apps.get_model("decisions", "DecisionPosition").objects.filter(
                decision_id=decision_id
            )
            values[kwarg] = link.order_by("pk").first().pk
        elif kwarg == "step_pk" and route.name.startswith("council:"):
            step = apps.get_model("decisions", "ConsultationStep").objects.filter(
                decision_id=values["pk"]
            )
            values[kwarg] = step.order_by("pk").first().pk
        elif kwarg == "line_pk" and route.name.startswith("need:"):
            line = apps.get_model("stellenplan", "NeedLine").objects.filter(
                calculation_id=values["pk"]
            )
            values[kwarg] = line.order_by("pk").first().pk
        elif route.name.startswith("admin:"):
            values[kwarg] = _admin_sample(route.name, kwarg, values)
        else:
            raise AssertionError(f"{route.name}: no sample for the URL argument <{kwarg}>")
    return values


def _admin_model(name: str):
    """admin:<app>_<model>_<view> -> the model."""
    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    raise AssertionError(f"{name}: no model for this admin URL")


def _admin_sample(name: str, kwarg: str, values: dict):
    if kwarg == "app_label":
        return "stellenplan"
    if kwarg == "content_type_id":
        return ContentType.objects.get_for_model(Position).pk
    if kwarg == "object_id" and name == "admin:view_on_site":
        return str(_first_pk(Position))
    model = _admin_model(name)
    if kwarg in ("object_id", "id"):
        return str(_first_pk(model))
    if kwarg == "history_id":
        record = model.history.filter(id=values["object_id"]).order_by("-history_id").first()
        return record.history_id if record is not None else 999_999
    raise AssertionError(f"{name}: no sample for the admin URL argument <{kwarg}>")


# --- the matrix -----------------------------------------------------------------------------


def _status(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        for login in (ADMIN_LOGIN, LOGIN):
            if location.startswith(login):
                return login
    return response.status_code


def _client_for(role: str, users: dict) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    return client


def test_it_classifies_every_url():
    unknown = sorted(name for name in ROUTES if expectation(name) is None)
    assert not unknown, (
        "URLs without an expected status in tests/test_permissions_matrix.py "
        f"(add them to EXPECTATIONS): {unknown}"
    )


def test_it_finds_the_pages_of_every_app():
    prefixes = {name.split(":")[0] for name in ROUTES if ":" in name}
    assert {
        "positions",
        "paygrades",
        "orgunits",
        "costs",
        "excel",
        "decisions",
        "admin",
    } <= prefixes
    assert "positions:list" in ROUTES
    assert "admin:stellenplan_position_change" in ROUTES


@pytest.mark.parametrize("url_name", sorted(ROUTES))
def test_it_answers_each_role_as_expected(url_name, samples, role_users):
    expect = expectation(url_name)
    assert expect is not None, f"{url_name}: add it to EXPECTATIONS in {__file__}"
    route = ROUTES[url_name]
    url = reverse(
        url_name, args=sample_args(route) or None, kwargs=sample_kwargs(route, samples) or None
    )
    failures = []
    for role in ROLES:
        client = _client_for(role, role_users)
        for method in ("get", "post"):
            if role == "anonymous":
                wanted = expect.anonymous_get if method == "get" else expect.anonymous_post
            elif role in expect.allowed:
                wanted = expect.get if method == "get" else expect.post
            else:
                wanted = expect.denied_get if method == "get" else expect.denied_post
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            got = _status(response)
            if response.status_code >= 500 or got not in wanted:
                failures.append(
                    f"{role} {method.upper()} {url}: {got}, expected {sorted(map(str, wanted))}"
                )
    assert not failures, "\n".join(failures)
