"""OParl 1.1, read-only and anonymous (no login, no session): every answer is JSON with
``Access-Control-Allow-Origin: *`` (files too); errors are OParl error objects (404, 400, 405,
429); unknown, draft and confidential papers answer 404 like unknown URLs.

Anonymous clients get ``OPARL_RATE_LIMIT_PER_MINUTE`` requests a minute, and of the files
``OPARL_FILE_RATE_LIMIT_PER_MINUTE`` (core.ratelimit); more answer 429 with ``Retry-After``.
Files are never rendered per request: a paper's PDFs are stored once per version
(decisions.public_pdf), an adopted paper's is its record; they are answered with a strong
``ETag`` (SHA-256), ``Last-Modified`` and ``Cache-Control: public``, conditional requests with
304 and HEAD without a body.

External lists are pages ordered by a stable, unchangeable key (the id for papers and units,
the name's key for committees and meetings) with keyset paging (``after``): a change between
two pages neither skips nor repeats an object. The filters ``created_since``,
``created_until``, ``modified_since``, ``modified_until``, ``omit_internal`` and ``limit`` are
carried into every link; deleted objects are listed only with ``modified_since``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import condition

from core.parsing import YEAR_MAX, YEAR_MIN, YEAR_RANGE_TEXT
from core.ratelimit import retry_after
from core.records import RecordFormatError
from decisions import oparl_selectors as sel
from decisions.models import Decision, PublicRendering
from decisions.pdf import annex_filename, pdf_filename
from decisions.public_pdf import public_pdf
from decisions.selectors import current_record
from front.oparl import serializers as ser

ERROR = "https://schema.oparl.org/1.1/Error"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
# the canonical order of the query parameters in links
PARAMS = (*FILTERS, "omit_internal", "limit", "after")


class BadRequest(Exception):
    """A query parameter that cannot be read (answered 400 with an OParl error object)."""


def error(status: int, message: str, debug: str = "") -> JsonResponse:
    data = {"type": ERROR, "message": message}
    if debug:
        data["debug"] = debug
    return json_response(data, status=status)


def json_response(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _oparl(view: Callable[..., HttpResponse], limit_setting: str) -> Callable[..., HttpResponse]:
    """GET/HEAD only; anonymous clients rate-limited by `limit_setting`; 404 and bad parameters
    as OParl error objects; CORS on every answer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse
        wait = retry_after(request, limit_setting, getattr(settings, limit_setting))
        if wait is not None:
            response = error(
                429,
                f"Zu viele Anfragen. Bitte in {wait} Sekunden erneut versuchen.",
                request.path,
            )
            response["Retry-After"] = str(wait)
            return response
        if request.method not in ("GET", "HEAD"):
            response = error(
                405, "Die OParl-Schnittstelle kann nur gelesen werden (GET).", request.method or ""
            )
            response["Allow"] = "GET, HEAD"
            return response
        match = request.resolver_match
        if match is not None and match.url_name != "not_found":
            canonical = reverse(f"oparl:{match.url_name}", args=args, kwargs=kwargs)
            if canonical != request.path:  # e.g. leading zeros of an id (OParl 2.3)
                redirect = HttpResponsePermanentRedirect(request.build_absolute_uri(canonical))
                redirect["Access-Control-Allow-Origin"] = "*"
                return redirect
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error(404, "Dieses Objekt gibt es nicht.", request.path)
        except BadRequest as exc:
            return error(400, str(exc), request.get_full_path())
        except RecordFormatError as exc:  # a frozen record newer than this release
            return error(409, " ".join(exc.messages), request.path)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


def oparl(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view of JSON objects and lists (limit OPARL_RATE_LIMIT_PER_MINUTE)."""
    return _oparl(view, "OPARL_RATE_LIMIT_PER_MINUTE")


def oparl_file(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view of a file's bytes (the lower limit OPARL_FILE_RATE_LIMIT_PER_MINUTE)."""
    return _oparl(view, "OPARL_FILE_RATE_LIMIT_PER_MINUTE")


# --- list pages -------------------------------------------------------------------------------


@dataclass
class ListQuery:
    """The list parameters of a request, checked."""

    created_since: datetime | None
    created_until: datetime | None
    modified_since: datetime | None
    modified_until: datetime | None
    omit_internal: bool
    limit: int
    after: str
    raw: dict[str, str]

    def accepts(self, created: datetime, modified: datetime) -> bool:
        return (
            (self.created_since is None or created >= self.created_since)
            and (self.created_until is None or created <= self.created_until)
            and (self.modified_since is None or modified >= self.modified_since)
            and (self.modified_until is None or modified <= self.modified_until)
        )

    def url(self, base: str, after: str | None) -> str:
        params = {key: self.raw[key] for key in PARAMS[:-1] if key in self.raw}
        if after is not None:
            params["after"] = after
        query = urlencode([(key, params[key]) for key in PARAMS if key in params])
        return f"{base}?{query}" if query else base


def _time(name: str, value: str) -> datetime:
    # An unencoded "+" of the offset arrives as a space.
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:  # well-formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        raise BadRequest(
            f"Der Parameter „{name}“ muss ein Zeitpunkt wie 2014-01-01T00:00:00+01:00 sein, "
            f"nicht „{value}“."
        )
    if not YEAR_MIN <= parsed.year <= YEAR_MAX:
        # 0001-01-01T00:00:00+14:00 lies before the first datetime once moved to UTC
        raise BadRequest(
            f"Der Parameter „{name}“ muss ein Zeitpunkt in den Jahren {YEAR_RANGE_TEXT} sein, "
            f"nicht „{value}“."
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def list_query(request: HttpRequest) -> ListQuery:
    raw: dict[str, str] = {}
    times: dict[str, datetime | None] = {}
    for name in FILTERS:
        value = request.GET.get(name)
        times[name] = None
        if value is not None:
            times[name] = _time(name, value)
            raw[name] = ser.dt(times[name])  # type: ignore[arg-type]
    omit = request.GET.get("omit_internal")
    if omit is not None:
        if omit not in ("true", "false"):
            raise BadRequest(f"Der Parameter „omit_internal“ ist true oder false, nicht „{omit}“.")
        raw["omit_internal"] = omit
    limit = DEFAULT_LIMIT
    if "limit" in request.GET:
        text = request.GET["limit"]
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10_000:
            raise BadRequest(f"Der Parameter „limit“ ist eine ganze Zahl ab 1, nicht „{text}“.")
        limit = min(int(text), MAX_LIMIT)
        raw["limit"] = str(limit)
    after = request.GET.get("after", "")
    return ListQuery(
        omit_internal=omit == "true",
        limit=limit,
        after=after,
        raw=raw,
        **times,
    )


def page(
    request: HttpRequest,
    query: ListQuery,
    keys: Sequence[str],
    data: list[Any],
    total: int,
) -> JsonResponse:
    """One list page: `data` holds up to limit + 1 objects after `query.after`, `keys` their
    paging keys."""
    base = request.build_absolute_uri(request.path)
    has_next = len(keys) > query.limit
    links = {
        "first": query.url(base, None),
        "self": query.url(base, query.after or None),
    }
    if has_next:
        links["next"] = query.url(base, keys[query.limit - 1])
    return json_response(
        {
            "data": data[: query.limit],
            "pagination": {"totalElements": total, "elementsPerPage": query.limit},
            "links": links,
        }
    )


def _int_after(query: ListQuery) -> int:
    if not query.after:
        return 0
    if not (query.after.isascii() and query.after.isdigit() and len(query.after) <= 18):
        raise BadRequest(f"Der Parameter „after“ ist eine Zahl, nicht „{query.after}“.")
    return int(query.after)


# --- system, body ----------------------------------------------------------------------------


@oparl
def system(request: HttpRequest) -> HttpResponse:
    return json_response(ser.system(ser.Urls(request)))


@oparl
def body_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request)
    u = ser.Urls(request)
    created = modified = ser.since()
    bodies = [ser.body(u)] if query.accepts(created, modified) and not query.after else []
    return page(request, query, ["1"], bodies, len(bodies))


@oparl
def body(request: HttpRequest) -> HttpResponse:
    return json_response(ser.body(ser.Urls(request)))


@oparl
def person_list(request: HttpRequest) -> HttpResponse:
    """No persons: who holds which position is never published; signatories are offices."""
    return page(request, list_query(request), [], [], 0)


# --- papers ----------------------------------------------------------------------------------


def _paper_queryset(query: ListQuery) -> Any:
    qs = sel.papers(include_deleted=query.modified_since is not None)
    if query.created_since:
        qs = qs.filter(created_at__gte=query.created_since)
    if query.created_until:
        qs = qs.filter(created_at__lte=query.created_until)
    if query.modified_since:
        qs = qs.filter(updated_at__gte=query.modified_since)
    if query.modified_until:
        qs = qs.filter(updated_at__lte=query.modified_until)
    return qs


@oparl
def paper_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request)
    qs = _paper_queryset(query)
    total = qs.count()
    found = list(qs.filter(pk__gt=_int_after(query)).order_by("pk")[: query.limit + 1])
    u = ser.Urls(request)
    checksums = ser.checksums_for(found[: query.limit])
    data = [ser.paper(u, decision, checksums) for decision in found[: query.limit]]
    return page(request, query, [str(d.pk) for d in found], data, total)


def _paper_or_404(pk: int) -> Decision:
    decision = sel.paper(pk)
    if decision is None:
        raise Http404
    return decision


@oparl
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _paper_or_404(pk)
    return json_response(ser.paper(ser.Urls(request), decision, ser.checksums_for([decision])))


@oparl
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    u = ser.Urls(request)
    found = sel.step(pk)
    if found is None:
        removed = sel.removed_step(pk)
        if removed is None:
            raise Http404
        created = sel.first_created(pk) or removed.removed_at
        return json_response(
            ser.deleted(u("consultation", pk=pk), "Consultation", created, removed.removed_at)
        )
    step, decision = found
    return json_response(ser.consultation(u, step, decision))


@oparl
def agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    u = ser.Urls(request)
    found = sel.step(pk)
    if found is None or found[0].meeting_date is None:
        removed = sel.removed_step(pk)
        if removed is None:
            raise Http404
        created = sel.first_created(pk) or removed.removed_at
        return json_response(
            ser.deleted(u("agenda_item", pk=pk), "AgendaItem", created, removed.removed_at)
        )
    step, decision = found
    if sel.is_deleted(decision):
        return json_response(
            ser.deleted(
                u("agenda_item", pk=pk), "AgendaItem", decision.created_at, decision.updated_at
            )
        )
    if step.public:
        item = sel.meeting(sel.meeting_key(step.committee.name.strip(), step.meeting_date))  # type: ignore[arg-type]
        if item is None:
            raise Http404
        order = next(i for i, s in enumerate(item.steps, start=1) if s.pk == step.pk)
    else:
        # on no published agenda (its meeting is not named): its place in the Beratungsfolge
        order = step.order
    return json_response(
        ser.agenda_item(
            u,
            step,
            decision,
            order=order,
            points=sel.resolution_points([decision.pk]),
            checksums=ser.checksums_for([decision]),
        )
    )


# --- files -----------------------------------------------------------------------------------


def _record(pk: int) -> tuple[Any, Decision]:
    record = sel.record_for_file(pk)
    if record is None:
        raise Http404
    return record, _paper_or_404(record.decision_id)


@oparl
def file_record(request: HttpRequest, pk: int) -> HttpResponse:
    record, decision = _record(pk)
    digest = sel.record_checksums([record.pk])[record.pk]
    return json_response(ser.standalone_record_file(ser.Urls(request), record, decision, digest))


@oparl
def file_paper(request: HttpRequest, pk: int) -> HttpResponse:
    return json_response(ser.standalone_paper_file(ser.Urls(request), _paper_or_404(pk)))


def _file(
    request: HttpRequest,
    *,
    sha256: str,
    modified: datetime,
    load: Callable[[], bytes],
    filename: str,
    disposition: str,
    final: bool,
) -> HttpResponse:
    """A stored PDF: strong ETag (its SHA-256) and Last-Modified, 304 for a conditional request
    that has it already (the bytes are then not read), HEAD without the body; public for
    OPARL_FILE_MAX_AGE seconds, or OPARL_RECORD_FILE_MAX_AGE for the files of an adopted paper
    (`final`)."""

    @condition(etag_func=lambda _request: sha256, last_modified_func=lambda _request: modified)
    def respond(request: HttpRequest) -> HttpResponse:
        content = load()
        response = HttpResponse(
            b"" if request.method == "HEAD" else content, content_type="application/pdf"
        )
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        response["Content-Length"] = str(len(content))
        return response

    response = respond(request)
    max_age = settings.OPARL_RECORD_FILE_MAX_AGE if final else settings.OPARL_FILE_MAX_AGE
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _gone(decision: Decision) -> HttpResponse | None:
    if sel.is_deleted(decision):
        return error(410, "Diese Datei wurde zurückgezogen.")
    return None


def _record_file(
    request: HttpRequest, record: Any, decision: Decision, disposition: str
) -> HttpResponse:
    return _file(
        request,
        sha256=record.pdf_sha256,
        modified=record.recorded_at,
        load=lambda: sel.record_pdf(record.pk),
        filename=pdf_filename(decision),
        disposition=disposition,
        final=True,
    )


def _rendering(
    request: HttpRequest, decision: Decision, annex_number: int, filename: str, disposition: str
) -> HttpResponse:
    try:
        stored = public_pdf(decision, annex_number)
    except LookupError as exc:  # e.g. an Anlage not generated in the adopted record
        raise Http404 from exc
    return _file(
        request,
        sha256=stored.pdf_sha256,
        modified=stored.rendered_at or stored.claimed_at or timezone.now(),
        load=lambda: bytes(stored.pdf),
        filename=filename,
        disposition=disposition,
        final=decision.status == Decision.Status.ADOPTED,
    )


@oparl_file
def file_record_access(request: HttpRequest, pk: int, disposition: str = "inline") -> HttpResponse:
    record, decision = _record(pk)
    return _gone(decision) or _record_file(request, record, decision, disposition)


@oparl_file
def file_paper_access(request: HttpRequest, pk: int, disposition: str = "inline") -> HttpResponse:
    """The paper as it stands, rendered once per version; an adopted one as its newest record
    stored it, byte for byte (never printed again from data that may have changed since)."""
    decision = _paper_or_404(pk)
    gone = _gone(decision)
    if gone is not None:
        return gone
    record = current_record(decision)
    if record is not None:
        return _record_file(request, record, decision, disposition)
    return _rendering(request, decision, PublicRendering.MAIN, pdf_filename(decision), disposition)


def _annex(pk: int) -> tuple[Any, Decision]:
    found = sel.annex(pk)
    if found is None:
        raise Http404
    return found


@oparl
def file_annex(request: HttpRequest, pk: int) -> HttpResponse:
    annex, decision = _annex(pk)
    return json_response(ser.standalone_annex_file(ser.Urls(request), decision, annex))


@oparl_file
def file_annex_access(request: HttpRequest, pk: int, disposition: str = "inline") -> HttpResponse:
    """A generated Anlage, rendered once per version; an adopted paper's from its record."""
    annex, decision = _annex(pk)
    gone = _gone(decision)
    if gone is not None:
        return gone
    filename = annex_filename(decision, annex.number)
    return _rendering(request, decision, annex.number, filename, disposition)


# --- organizations and meetings ---------------------------------------------------------------


@oparl
def organization_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request)
    u = ser.Urls(request)
    entries: list[tuple[str, Any]] = []
    for item in sel.committees():
        if query.accepts(item.created, item.modified):
            entries.append((f"g{item.key}", ser.committee(u, item)))
    for unit in sel.administrative_units():
        created, modified = ser.unit_times(unit)
        if query.accepts(created, modified):
            entries.append((f"u{unit.pk:012d}", ser.unit(u, unit)))
    if query.modified_since is not None:  # deleted objects only for the update mechanism
        for removed in sel.removed_units():
            if query.accepts(removed.created, removed.removed_at):
                entries.append(
                    (
                        f"u{removed.pk:012d}",
                        ser.deleted(
                            u.unit(removed.pk), "Organization", removed.created, removed.removed_at
                        ),
                    )
                )
    entries.sort(key=lambda entry: entry[0])
    after = [entry for entry in entries if entry[0] > query.after]
    chosen = after[: query.limit + 1]
    return page(request, query, [k for k, _ in chosen], [d for _, d in chosen], len(entries))


@oparl
def organization_committee(request: HttpRequest, key: str) -> HttpResponse:
    item = sel.committee(key)
    if item is None:
        raise Http404
    return json_response(ser.committee(ser.Urls(request), item))


@oparl
def organization_unit(request: HttpRequest, pk: int) -> HttpResponse:
    u = ser.Urls(request)
    unit = sel.administrative_units().filter(pk=pk).first()
    if unit is None:
        removed = sel.removed_unit(pk)
        if removed is None:
            raise Http404
        return json_response(
            ser.deleted(u.unit(pk), "Organization", removed.created, removed.removed_at)
        )
    return json_response(ser.unit(u, unit))


@oparl
def meeting_list(request: HttpRequest) -> HttpResponse:
    query = list_query(request)
    u = ser.Urls(request)
    items = [m for m in sel.meetings() if query.accepts(m.created, m.modified)]
    after = [m for m in items if m.key > query.after][: query.limit + 1]
    shown = after[: query.limit]
    context = ser.MeetingContext.of(shown)
    data = [ser.meeting(u, m, context, omit_internal=query.omit_internal) for m in shown]
    return page(request, query, [m.key for m in after], data, len(items))


@oparl
def meeting(request: HttpRequest, key: str) -> HttpResponse:
    item = sel.meeting(key)
    if item is None:
        raise Http404
    return json_response(ser.meeting(ser.Urls(request), item, ser.MeetingContext.of([item])))


@oparl
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    raise Http404
