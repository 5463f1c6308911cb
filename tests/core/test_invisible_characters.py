"""Red team (issue 21, finding 5): invisible control characters in free text.

Bidi embeddings, overrides and isolates, zero-width characters, the byte order mark and C0/C1
controls (but tab and line breaks) are refused in every form (``core.forms.CleanInputMixin``)
and both importers (``core.xlsx.Row``), with a German message naming the field (or column)
and showing the character as ⟨U+202E⟩; nothing is saved.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import CleanInputMixin
from core.parsing import INVISIBLE, invisible_characters, invisible_characters_message
from core.xlsx import ImportFailed
from departments.models import OrgUnit
from stellenplan.imports import import_positions
from stellenplan.models import PayGrade, Position
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes

INVISIBLE_CHARACTERS = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    *(chr(c) for c in range(0x200B, 0x2010)),
    "\ufeff",
    "\x00",
    "\x01",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
]
ALLOWED = ["\t", "\n", "\r\n", "Ärztin – 中文 עברית", "🧑", "a\u00a0b", "x\u2010y"]


@pytest.mark.parametrize("character", INVISIBLE_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_each_invisible_character_is_found_and_named(character):
    text = f"SB{character}Test"
    assert invisible_characters(text) == [f"U+{ord(character):04X}"]
    message = invisible_characters_message(text)
    assert message is not None
    assert f"⟨U+{ord(character):04X}⟩" in message and character not in message


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_text_with_tabs_and_line_breaks_is_kept(text):
    assert invisible_characters(text) == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_message_never_carries_the_characters_it_refuses(text):
    message = invisible_characters_message(text)
    assert (message is None) == (INVISIBLE.search(text) is None)
    if message is not None:
        assert INVISIBLE.search(message) is None


# --- forms -------------------------------------------------------------------------------------


@pytest.fixture
def hr_client(client, role_users, seed):
    client.force_login(role_users["admin"])
    return client


def form_with(response, field: str):
    """The form of the page that has `field`."""
    from tests.test_hostile_input import forms_in

    return next(form for form in forms_in(response) if field in form.fields)


def edit_data(client, url: str, field: str) -> dict:
    form = form_with(client.get(url), field)
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["\u202e", "\u2067", "\u200b", "\ufeff", "\x1b", "\x85"])
@pytest.mark.parametrize(
    ("url_name", "model", "field", "label"),
    [
        ("positions:update", Position, "title", "Funktionsbezeichnung"),
        ("positions:update", Position, "tasks", "Aufgaben"),
        ("orgunits:update", OrgUnit, "name", "Bezeichnung"),
        ("paygrades:update", PayGrade, "code", "Stellenwert"),
    ],
)
def test_forms_refuse_invisible_characters_naming_the_field(
    hr_client, character, url_name, model, field, label
):
    obj = model.objects.filter(**({"parent__isnull": False} if model is OrgUnit else {}))
    obj = obj.order_by("pk").first()
    url = reverse(url_name, args=[obj.pk])
    data = edit_data(hr_client, url, field)
    data[field] = f"Amt{character}42"
    response = hr_client.post(url, data)
    assert response.status_code == 200
    errors = form_with(response, field).errors[field]
    assert len(errors) == 1
    assert errors[0].startswith(f"{label}: „Amt⟨U+{ord(character):04X}⟩42“ enthält unsichtbare")
    refreshed = model.objects.get(pk=obj.pk)
    assert refreshed.version == obj.version
    assert character not in str(getattr(refreshed, field))


@pytest.mark.django_db
def test_a_decision_title_with_a_bidi_override_is_refused():
    from front.forms.decisions import DecisionForm

    form = DecisionForm(data={"title": "Stellen\u202egnuthcaeb"})
    assert not form.is_valid()
    assert form.errors["title"] == [
        "Betreff: „Stellen⟨U+202E⟩gnuthcaeb“ enthält unsichtbare Steuerzeichen (U+202E); "
        "bitte ohne sie eingeben."
    ]


@pytest.mark.django_db
def test_line_breaks_and_tabs_in_a_textarea_are_kept(hr_client):
    position = Position.objects.order_by("pk").first()
    url = reverse("positions:update", args=[position.pk])
    data = edit_data(hr_client, url, "tasks")
    data["tasks"] = "Erste Aufgabe\r\n\tZweite Aufgabe"
    assert hr_client.post(url, data).status_code == 302
    assert Position.objects.get(pk=position.pk).tasks.endswith("Zweite Aufgabe")


def project_forms() -> set[type]:
    """Every form class defined in the project's form modules (front/forms, core)."""
    import importlib
    import inspect
    import pkgutil

    from django.forms import BaseForm

    import front.forms

    names = [f"front.forms.{info.name}" for info in pkgutil.iter_modules(front.forms.__path__)]
    classes = set()
    for name in [*names, "core.forms", "core.admin"]:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, BaseForm):
                classes.add(cls)
    return classes


def test_every_form_of_the_project_checks_its_input():
    from front.filters import DecisionFilter, PositionFilter

    classes = project_forms()
    assert len(classes) > 30
    unchecked = {cls.__name__ for cls in classes if not issubclass(cls, CleanInputMixin)}
    assert not unchecked
    for filterset in (PositionFilter, DecisionFilter):
        assert issubclass(filterset._meta.form, CleanInputMixin)


@pytest.mark.django_db
def test_the_position_filter_refuses_a_bidi_override(hr_client):
    response = hr_client.get(reverse("positions:list"), {"q": "Amt\u202e"})
    assert response.status_code == 200
    assert "„Amt⟨U+202E⟩“ enthält unsichtbare Steuerzeichen" in response.content.decode()


# --- importers ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["\u202e", "\u200b", "\u2066", "\x85"])
def test_the_position_importer_refuses_invisible_characters_naming_the_cell(seed, character):
    count = Position.objects.count()
    data = xlsx_bytes(
        [POSITION_HEADER, ["20-4", "A 8", "SB eins", 1], ["20-4", "A 8", f"SB{character}zwei", 1]]
    )
    with pytest.raises(ImportFailed) as failed:
        import_positions(io.BytesIO(data))
    messages = [str(issue) for issue in failed.value.issues]
    code = f"U+{ord(character):04X}"
    assert (
        f"Blatt „Tabelle1“, Zeile 3, Spalte „Funktionsbezeichnung“ (C): Wert „SB⟨{code}⟩zwei“: "
        f"enthält unsichtbare Steuerzeichen ({code}); bitte ohne sie eingeben."
    ) in messages
    assert Position.objects.count() == count


@pytest.mark.django_db
def test_the_cost_table_importer_refuses_a_grade_code_with_a_zero_width_space(seed):
    from costing.imports import import_cost_table
    from costing.models import CostTable
    from tests.costing.excel_files import RATE_HEADER

    data = xlsx_bytes([RATE_HEADER, ["A\u200b 8", 50000, "", "", ""]])
    tables, grades = CostTable.objects.count(), PayGrade.objects.count()
    with pytest.raises(ImportFailed) as failed:
        import_cost_table(
            io.BytesIO(data),
            name="Neu",
            valid_from=date(2030, 1, 1),
            create_grades=True,
        )
    assert any("U+200B" in str(issue) for issue in failed.value.issues)
    assert (CostTable.objects.count(), PayGrade.objects.count()) == (tables, grades)
