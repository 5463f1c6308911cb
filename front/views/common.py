"""What several pages share: the year asked for, figures or a German message, and the one
version-checked create, edit and delete of every versioned object."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.concurrency import VERSION_FIELD, ConcurrentEditError, DeleteRefusedError
from core.forms import Form, VersionedModelForm
from core.parsing import YEAR_MAX, YEAR_MIN
from core.parsing import parse_year as read_year
from core.users import request_user
from costing import selectors
from costing.engine import CostingError, YearSummary
from departments.selectors import OrgTree
from front.forms.positions import VersionForm


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
    instance: M | None,
    *,
    save: Callable[..., M],
    template: str,
    name: str,
    done: Callable[[M], tuple[str, str]],
    gone_url: str = "",
    context: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    form_kwargs: Mapping[str, Any] | None = None,
    extra: Callable[[Any], Mapping[str, Any]] | None = None,
    then: Callable[[M], None] | None = None,
) -> HttpResponse:
    """The one create and edit page of a versioned object (the caller checked the right).

    Create (`instance` None): the form with `initial`; on a valid POST
    `save(acting_user=…, data=…)`. Edit: the form on a copy of `instance`, so `instance` stays
    as loaded; on a valid POST `save(instance=<as loaded>, acting_user=…, expected_version=…,
    data=…, opened=…)`: the service sees the object unchanged and the new data, and can tell
    what changes (e.g. a move of an org unit, which it checks under the tree lock).
    `extra(form)`: further keyword arguments for `save` read from the form. Then the
    message and URL of `done(saved)`, and `then(saved)` (e.g. further messages). A save
    refused because someone saved meanwhile shows the form again with the user's input and
    what changed (409); a deleted object goes to `gone_url` with the message; the model's
    rules come back as form errors. `name`: the object in the template (None on create; the
    saved state, not the input, on edit).
    """
    kwargs = dict(form_kwargs or {})
    if instance is None:
        form = form_class(request.POST or None, initial=initial, **kwargs)
    else:
        form = form_class(request.POST or None, instance=copy.copy(instance), **kwargs)
    status = 200
    if request.method == "POST" and form.is_valid():
        args: dict[str, Any] = {"acting_user": request_user(request), "data": form.model_data()}
        if instance is not None:
            args |= {
                "instance": instance,
                "expected_version": form.cleaned_data["version"],
                "opened": form.opened_values(),
            }
        try:
            saved = save(**args, **(extra(form) if extra else {}))
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect(gone_url)
            form = form_class.after_conflict(request.POST, error, **kwargs)
            instance, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, url = done(saved)
            messages.success(request, message)
            if then is not None:
                then(saved)
            return redirect(url)
    return render(
        request, template, {"form": form, name: instance, **(context or {})}, status=status
    )


def versioned_delete_page(
    request: HttpRequest,
    instance: Model,
    *,
    delete: Callable[..., object],
    label: str,
    done: tuple[str, str],
    kept_url: str = "",
    template: str = "",
    context: Mapping[str, Any] | None = None,
    form_class: type[Form] = VersionForm,
    form_kwargs: Mapping[str, Any] | None = None,
    extra: Callable[[Any], Mapping[str, Any]] | None = None,
    refused: Callable[[DeleteRefusedError], str] | None = None,
) -> HttpResponse:
    """The one delete page of a versioned object (the caller checked the right).

    GET: the confirmation `template` with `form` (the version opened) and `context`. POST:
    `delete(instance=…, acting_user=…, expected_version=…)` (a service), then the message
    and URL of `done`. Refused (someone changed the object meanwhile, or something still
    depends on it): the message, then `kept_url` (default: the URL of `done`); deleted by
    someone else meanwhile: the message and the URL of `done`. A confirmation without its
    version: a message naming `label` ("Der Stellenwert"), back to the confirmation page
    (to the URL of `done` for a page without `template`, i.e. a delete button only).
    `form_class` asks for more than the version (e.g. the basis of a Streichung; its errors
    show on the confirmation page), `extra(form)` turns it into further keyword arguments of
    `delete`, `refused(error)` words a refusal (e.g. with links to what is in the way).
    """
    message, url = done
    form = form_class(
        request.POST or None,
        initial={"version": getattr(instance, VERSION_FIELD)},
        **(form_kwargs or {}),
    )
    if request.method == "POST":
        if template and not form.is_valid() and set(form.errors) - {"version"}:
            return render(request, template, {"form": form, **(context or {})}, status=400)
        if not form.is_valid():
            messages.error(
                request,
                f"{label} wurde nicht gelöscht: die Bestätigung war unvollständig. "
                "Bitte erneut bestätigen.",
            )
            return redirect(request.path if template else url)
        try:
            delete(
                instance=instance,
                acting_user=request_user(request),
                expected_version=form.cleaned_data["version"],
                **(extra(form) if extra else {}),
            )
        except ConcurrentEditError as error:
            messages.error(request, str(error))
            return redirect(url if error.current is None else kept_url or url)
        except DeleteRefusedError as error:
            messages.error(request, refused(error) if refused else str(error))
            return redirect(kept_url or url)
        messages.success(request, message)
        return redirect(url)
    return render(request, template, {"form": form, **(context or {})})
