"""Status workflow: confirmed, nothing preselected, GRDrs number and date checked (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, StatusChange
from decisions.services import decision_change_status
from tests.decisions.test_views import edit_data

Status = Decision.Status


def saved_version(decision: Decision) -> int:
    return Decision.objects.get(pk=decision.pk).version


@pytest.fixture
def draft(reference) -> Decision:
    """A draft without a GRDrs number (as a new paper is)."""
    decision = Decision.objects.create(
        title="Neue Stellen im Jugendamt", date=date(2012, 2, 1), status=Status.DRAFT
    )
    return decision


def status_post(decision: Decision, **values) -> dict:
    data = {
        "status": "eingebracht",
        "date": "01.02.2012",
        "confirm": "on",
        "version": str(saved_version(decision)),
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_the_status_form_preselects_nothing_and_asks_for_confirmation(sitzungsdienst, reference):
    html = sitzungsdienst.get(reverse("decisions:detail", args=[reference.pk])).content.decode()
    form = html[html.index('action="/beschluesse/1/status/"') :]
    form = form[: form.index("</form>")]
    assert '<option value="" selected>– bitte wählen –</option>' in form
    assert form.count(" selected") == 1
    assert 'name="confirm"' in form and "Ich bestätige diese Statusänderung." in form


def test_it_refuses_an_unconfirmed_status_change(sitzungsdienst, reference):
    url = reverse("decisions:status", args=[reference.pk])
    data = status_post(reference, status="beschlossen", date="06.10.2011", confirm=None)
    html = sitzungsdienst.post(url, data, follow=True).content.decode()
    assert "Bitte bestätigen Sie die Statusänderung." in html
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED


def test_it_refuses_a_status_change_without_a_status(sitzungsdienst, reference):
    url = reverse("decisions:status", args=[reference.pk])
    html = sitzungsdienst.post(url, status_post(reference, status=""), follow=True)
    assert "Status nicht geändert – neuer Status:" in html.content.decode()


def test_it_needs_a_grdrs_number_before_eingebracht(sitzungsdienst, draft):
    url = reverse("decisions:status", args=[draft.pk])
    html = sitzungsdienst.post(url, status_post(draft), follow=True).content.decode()
    assert "Für „eingebracht“ braucht die Beschlussvorlage eine GRDrs-Nummer" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    Decision.objects.filter(pk=draft.pk).update(number="12/2012")
    sitzungsdienst.post(url, status_post(draft))
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_it_refuses_a_date_in_the_future_or_before_the_paper(reference):
    tomorrow = timezone.localdate() + timedelta(days=1)
    for on, message in [
        (tomorrow, f"Das Datum {tomorrow:%d.%m.%Y} liegt in der Zukunft"),
        (date(2011, 9, 18), "liegt vor dem Datum der Beschlussvorlage (19.09.2011)"),
    ]:
        with pytest.raises(ValidationError) as raised:
            decision_change_status(
                decision=reference,
                status=Status.ADOPTED,
                acting_user=None,
                expected_version=saved_version(reference),
                on=on,
            )
        assert message in raised.value.message_dict["date"][0]
    reference.refresh_from_db()
    assert reference.status == Status.SUBMITTED
    assert StatusChange.objects.filter(decision=reference).count() == 2


def test_the_number_can_be_changed_but_not_removed_while_eingebracht(sitzungsdienst, reference):
    url = reverse("decisions:edit", args=[reference.pk])
    data = edit_data(reference)
    data["number"] = "648/2011"
    assert sitzungsdienst.post(url, data).status_code == 302
    reference.refresh_from_db()
    assert reference.number == "648/2011"
    data = edit_data(reference)
    data["number"] = ""
    html = sitzungsdienst.post(url, data).content.decode()
    assert "braucht ihre GRDrs-Nummer" in html
    reference.refresh_from_db()
    assert reference.number == "648/2011"
