"""Optimistic locking of decisions and their parts; a GRDrs number taken meanwhile (issue 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.concurrency import ConcurrentEditError
from decisions.models import Decision, ReasonSection
from decisions.services import (
    NUMBER_TAKEN,
    decision_add_position,
    decision_change_status,
    decision_create,
)
from front.forms.decisions import (
    DecisionForm,
    form_data,
    main_formsets,
    part_changes,
    text_formsets,
)
from stellenplan.models import Position
from tests.decisions.test_views import edit_data, formset_data, version


def test_a_stale_save_of_the_main_form_is_refused(sitzungsdienst, reference):
    url = reverse("decisions:edit", args=[reference.pk])
    first = edit_data(reference)
    second = edit_data(reference)  # opened at the same time
    first["title"] = "Titel von Anna"
    assert sitzungsdienst.post(url, first).status_code == 302
    second["title"] = "Titel von Bernd"
    second["antrag-0-text"] = "Text von Bernd"
    response = sitzungsdienst.post(url, second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Die Beschlussvorlage wurde inzwischen" in html
    assert "nichts wurde überschrieben" in html
    reference.refresh_from_db()
    assert reference.title == "Titel von Anna"
    assert reference.proposal_points.get(order=1).text.startswith("Für die Erledigung")
    # the page now shows the saved state, with the saved version: saving it again works
    assert 'value="Titel von Anna"' in html
    again = edit_data(reference)
    again["title"] = "Titel von Bernd"
    assert sitzungsdienst.post(url, again).status_code == 302
    reference.refresh_from_db()
    assert reference.title == "Titel von Bernd"


def test_a_stale_formset_neither_overwrites_nor_resurrects_rows(sitzungsdienst, reference):
    url = reverse("decisions:edit_text", args=[reference.pk])
    opened = {**formset_data(text_formsets(instance=reference)), "version": version(reference)}
    first = dict(opened)
    first["abschnitt-0-DELETE"] = "on"  # Anna deletes section 1
    first["abschnitt-1-heading"] = "Überschrift von Anna"
    assert sitzungsdienst.post(url, first).status_code == 302
    deleted_id = opened["abschnitt-0-id"]
    assert not ReasonSection.objects.filter(pk=deleted_id).exists()
    second = dict(opened)
    second["abschnitt-0-heading"] = "Bernd bearbeitet den gelöschten Abschnitt"
    second["abschnitt-1-heading"] = "Überschrift von Bernd"
    response = sitzungsdienst.post(url, second)
    assert response.status_code == 409
    assert "Die Beschlussvorlage wurde inzwischen" in response.content.decode()
    assert not ReasonSection.objects.filter(pk=deleted_id).exists()
    assert not ReasonSection.objects.filter(heading__startswith="Bernd").exists()
    assert reference.reason_sections.filter(heading="Überschrift von Anna").exists()


def test_any_part_change_bumps_the_version(reference):
    before = reference.version
    position = Position.objects.exclude(decision_links__decision=reference).first()
    if position is None:
        link = reference.position_links.order_by("-order").first()
        position = link.position
        link.delete()
    decision_add_position(
        decision=reference, position=position, acting_user=None, expected_version=before
    )
    assert Decision.objects.get(pk=reference.pk).version == before + 1
    with pytest.raises(ConcurrentEditError):
        decision_change_status(
            decision=reference, status="beschlossen", acting_user=None, expected_version=before
        )
    assert Decision.objects.get(pk=reference.pk).status == Decision.Status.SUBMITTED


def test_stale_status_and_position_posts_are_refused_with_a_message(sitzungsdienst, reference):
    stale = version(reference)
    data = edit_data(reference)
    data["title"] = "geändert"
    sitzungsdienst.post(reverse("decisions:edit", args=[reference.pk]), data)
    url = reverse("decisions:status", args=[reference.pk])
    html = sitzungsdienst.post(
        url,
        {"status": "zurueckgezogen", "date": "01.10.2011", "confirm": "on", "version": stale},
        follow=True,
    ).content.decode()
    assert "Status nicht geändert – Die Beschlussvorlage wurde inzwischen" in html
    link = reference.position_links.order_by("order").first()
    html = sitzungsdienst.post(
        reverse("decisions:position_remove", args=[reference.pk, link.pk]),
        {"version": stale},
        follow=True,
    ).content.decode()
    assert "Die Beschlussvorlage wurde inzwischen" in html
    reference.refresh_from_db()
    assert reference.status == Decision.Status.SUBMITTED
    assert reference.position_links.count() == 18


def test_a_grdrs_number_taken_meanwhile_is_a_german_message(seed):
    """Two papers saved with one number at once: the second passed the form's own check
    before the first was saved; the database refuses it, the service explains."""
    data = {
        "number": "700/2011",
        "kind": "beschluss",
        "place": "Stuttgart",
        "date": "01.10.2011",
        "title": "Zweite Vorlage",
    }
    formsets_data = {
        f"{prefix}-{name}": "0"
        for prefix in ("beratung", "antrag", "bezug")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    form = DecisionForm(data)
    formsets = main_formsets(formsets_data, instance=Decision())
    assert form.is_valid() and all(f.is_valid() for f in formsets.values())
    Decision.objects.create(
        number="700/2011", title="Erste Vorlage", date=form.cleaned_data["date"]
    )
    with pytest.raises(ValidationError) as raised:
        decision_create(
            data=form_data(form),
            parts=[part_changes(f) for f in formsets.values()],
            acting_user=None,
        )
    assert raised.value.message_dict == {"number": [NUMBER_TAKEN]}
    assert list(Decision.objects.filter(number="700/2011").values_list("title", flat=True)) == [
        "Erste Vorlage"
    ]
    assert not Decision.objects.filter(title="Zweite Vorlage").exists()


def test_a_number_taken_meanwhile_on_the_edit_page_is_shown_on_the_field(sitzungsdienst, reference):
    data = edit_data(reference)
    data["number"] = "701/2011"
    form = DecisionForm(data, instance=reference)
    assert form.is_valid()
    Decision.objects.create(number="701/2011", title="Andere Vorlage", date=reference.date)
    from decisions.services import decision_save

    with pytest.raises(ValidationError) as raised:
        decision_save(
            decision=reference,
            expected_version=reference.version,
            acting_user=None,
            data=form_data(form),
        )
    assert raised.value.message_dict == {"number": [NUMBER_TAKEN]}
    assert Decision.objects.get(pk=reference.pk).number == "647/2011"
