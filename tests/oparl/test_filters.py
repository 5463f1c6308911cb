"""The date filters of the OParl lists are exact at their limits (issue 22): the output shows
whole seconds while the database keeps microseconds, so the filters compare the time as shown."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from decisions.models import Decision
from tests.oparl.conftest import PREFIX, all_pages, get, paper_url

PAPERS = f"{PREFIX}body/stadt/paper/"


def listed(api, url: str) -> set[str]:
    return {obj["id"] for page in all_pages(api, url) for obj in page["data"]}


def stamp(value: datetime) -> str:
    return quote(value.isoformat(), safe="")


@pytest.fixture
def edited(seed) -> tuple[Decision, datetime]:
    """The reference paper modified at a time with microseconds, as an edit in the app does."""
    decision = Decision.objects.get(number="647/2011")
    moment = timezone.localtime(timezone.now()).replace(microsecond=654321)
    Decision.objects.filter(pk=decision.pk).update(updated_at=moment)
    return decision, moment


def test_it_shows_the_modified_time_cut_to_the_second(edited, api):
    decision, moment = edited
    shown = get(api, paper_url(decision))["modified"]
    assert shown == moment.replace(microsecond=0).isoformat()


@pytest.mark.parametrize("name", ["modified_until", "modified_since"])
def test_it_keeps_an_object_modified_exactly_at_the_limit(edited, api, name):
    decision, moment = edited
    shown = get(api, paper_url(decision))["modified"]
    assert paper_url(decision) in listed(api, f"{PAPERS}?{name}={quote(shown, safe='')}")


def test_it_leaves_out_what_lies_past_the_limit(edited, api):
    decision, moment = edited
    second = moment.replace(microsecond=0)
    assert paper_url(decision) not in listed(
        api, f"{PAPERS}?modified_until={stamp(second - timedelta(seconds=1))}"
    )
    assert paper_url(decision) not in listed(
        api, f"{PAPERS}?modified_since={stamp(second + timedelta(seconds=1))}"
    )


def test_a_limit_with_a_fraction_compares_the_shown_second(edited, api):
    """A client may send microseconds: ``since`` 12:00:00.9 admits nothing shown as 12:00:00
    (that is before it), ``until`` 12:00:00.1 admits everything shown as 12:00:00."""
    decision, moment = edited
    second = moment.replace(microsecond=0)
    since = stamp(second.replace(microsecond=900000))
    until = stamp(second.replace(microsecond=100000))
    assert paper_url(decision) not in listed(api, f"{PAPERS}?modified_since={since}")
    assert paper_url(decision) in listed(api, f"{PAPERS}?modified_until={until}")


def test_created_limits_are_exact_too(edited, api):
    decision, _moment = edited
    created = timezone.localtime(decision.created_at).replace(microsecond=0)
    Decision.objects.filter(pk=decision.pk).update(created_at=created.replace(microsecond=5))
    url = paper_url(decision)
    exact = stamp(created)
    assert url in listed(api, f"{PAPERS}?created_until={exact}&created_since={exact}")


def test_the_lists_computed_in_python_use_the_same_rule(edited, api):
    """Meetings and organizations are filtered outside the database: the same limits."""
    decision, _moment = edited
    paper = get(api, paper_url(decision))
    meeting_url = next(c["meeting"] for c in paper["consultation"] if "meeting" in c)
    meeting = get(api, meeting_url)
    exact = quote(meeting["modified"], safe="")
    for name in ("modified_since", "modified_until"):
        assert meeting_url in listed(api, f"{PREFIX}body/stadt/meeting/?{name}={exact}")
