"""What several pages share: the year asked for, figures or a German message, and the
version-checked edit of one object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.concurrency import ConcurrentEditError
from core.forms import VersionedModelForm
from core.parsing import YEAR_MAX, YEAR_MIN
from core.parsing import parse_year as read_year
from costing import selectors
from costing.engine import CostingError, YearSummary
from departments.selectors import OrgTree


def current_year() -> int:
    return timezone.localdate().year


def parse_year(value: str | None) -> tuple[int, str | None]:
    """The year asked for in ``?year=``, or this year with a German message if unusable."""
    if not value:
        return current_year(), None
    text = value.strip()
    year = read_year(text)
    if year is not None:
        return year, None
    return current_year(), (
        f"„{text[:20]}“ ist kein gültiges Jahr (erlaubt {YEAR_MIN} bis {YEAR_MAX}); "
        f"angezeigt wird {current_year()}."
    )


def summary_or_error(year: int) -> tuple[YearSummary | None, str | None]:
    """The figures of a year (cached by data version), or the engine's German message."""
    try:
        return selectors.summary(year), None
    except CostingError as error:
        return None, str(error)


def ancestors_of(tree: OrgTree, unit_id: int) -> list:
    return [tree.units[i] for i in reversed(tree.ancestors_or_self(unit_id))]


M = TypeVar("M", bound=Model)


def versioned_edit(
    request: HttpRequest,
    form_class: type[VersionedModelForm],
    instance: M,
    *,
    save: Callable[..., M],
    template: str,
    name: str,
    done: Callable[[M], tuple[str, str]],
    gone_url: str,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The edit page of a versioned object: the form; on POST `save(instance=…,
    acting_user=…, expected_version=…, data=…, opened=…)` (a service); then the message and
    URL of `done(saved)`. A save refused because someone saved meanwhile shows the form again
    with the user's input and what changed (409); a deleted object goes to `gone_url` with the
    message; the model's rules come back as form errors. `name`: the object in the template.
    """
    form = form_class(request.POST or None, instance=instance)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(
                instance=form.instance,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect(gone_url)
            form = form_class.after_conflict(request.POST, error)
            instance, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, url = done(saved)
            messages.success(request, message)
            return redirect(url)
    return render(
        request, template, {"form": form, name: instance, **(context or {})}, status=status
    )
