"""The Bürgerinfo (issue 23): public, read-only HTML pages of what OParl publishes, for
council members and citizens, without login (front.buergerinfo says what is shown).

Like OParl: GET and HEAD only; anonymous visitors get ``BUERGERINFO_RATE_LIMIT_PER_MINUTE``
requests a minute per client address (core.ratelimit; then 429 with ``Retry-After``). Each
page is cached per process, keyed by the version of what is published
(decisions.public_version, which includes the data version of core.dataversion), the day
(meeting states, upcoming meetings) and the address asked for; it carries that key as its
``ETag`` (a repeated visit is a 304 after one query) and ``Cache-Control: public`` for
``BUERGERINFO_MAX_AGE`` seconds (signed-in users: ``private, no-store`` as everywhere).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from core.dataversion import VersionedCache
from core.ratelimit import retry_after
from decisions.public_version import public_version
from front import buergerinfo as info
from front.forms.buergerinfo import PaperSearchForm
from front.oparl.serializers import Urls

PAPERS_PER_PAGE = 20
MEETINGS_PER_PAGE = 50
START_ITEMS = 8

V = TypeVar("V")
#: what the pages show, per process; an entry is used only for the same published version
PAGES: VersionedCache[Hashable, Any] = VersionedCache(maxsize=256)


@dataclass
class Visit:
    """One request of a Bürgerinfo page: its OParl URLs and the cache key of its data."""

    request: HttpRequest
    key: tuple[Hashable, ...]

    @property
    def urls(self) -> Urls:
        return Urls(self.request)

    def cached(self, part: Hashable, compute: Callable[[], V]) -> V:
        value: V = PAGES.get((*self.key, part), compute)
        return value


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET/HEAD; rate-limited for anonymous visitors; ETag and Cache-Control; a page of an
    object OParl shows as deleted answers 410."""

    @require_safe
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = retry_after(
            request,
            "BUERGERINFO_RATE_LIMIT_PER_MINUTE",
            settings.BUERGERINFO_RATE_LIMIT_PER_MINUTE,
        )
        if wait is not None:
            response = render(request, "buergerinfo/too_many.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        base = request.build_absolute_uri("/")
        key = (public_version(), timezone.localdate().isoformat(), base)
        user = request.user.pk if request.user.is_authenticated else None
        etag = hashlib.sha256(repr((*key, request.get_full_path(), user)).encode()).hexdigest()
        conditional = get_conditional_response(request, etag=f'"{etag}"')
        if conditional is None:
            try:
                response = view(Visit(request, key), *args, **kwargs)
            except info.Gone:
                response = render(request, "buergerinfo/gone.html", status=410)
        else:
            response = conditional
        if response.status_code in (200, 304):
            response["ETag"] = f'"{etag}"'
            patch_cache_control(response, public=True, max_age=settings.BUERGERINFO_MAX_AGE)
        return response

    return wrapped


@public_page
def start(visit: Visit) -> HttpResponse:
    def compute() -> dict[str, Any]:
        today = timezone.localdate()
        meetings = info.published_meetings()
        upcoming = sorted((m for m in meetings if m.day >= today), key=lambda m: m.day)
        past = [m for m in meetings if m.day < today]
        return {
            "papers": info.paper_refs(visit.urls, info.papers()[:START_ITEMS]),
            "upcoming": info.meeting_summaries(upcoming[:START_ITEMS]),
            "past": info.meeting_summaries(past[:START_ITEMS]),
        }

    return render(visit.request, "buergerinfo/start.html", visit.cached("start", compute))


@dataclass(frozen=True)
class ListPage:
    items: list[Any]
    number: int
    pages: int
    count: int


def _list_page(items: Any, number: str | None, per_page: int) -> tuple[Any, int, int, int]:
    paginator = Paginator(items, per_page)
    page = paginator.get_page(number)
    return page.object_list, page.number, paginator.num_pages, paginator.count


@public_page
def paper_list(visit: Visit) -> HttpResponse:
    request = visit.request
    form = PaperSearchForm(request.GET or None, statuses=info.PUBLIC_STATUSES)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "search": form.cleaned_data["suche"].strip(),
            "year": form.cleaned_data["jahr"],
            "status": form.cleaned_data["status"],
        }
    wanted = request.GET.get("seite")

    def compute() -> ListPage:
        rows, number, pages, count = _list_page(info.papers(**filters), wanted, PAPERS_PER_PAGE)
        return ListPage(info.paper_refs(visit.urls, rows), number, pages, count)

    page = visit.cached(("papers", tuple(sorted(filters.items())), wanted), compute)
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "buergerinfo/paper_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": bool(filters)},
    )


@public_page
def paper_detail(visit: Visit, pk: int) -> HttpResponse:
    paper = visit.cached(("paper", pk), lambda: info.paper_page(visit.urls, pk))
    if paper is None:
        raise Http404
    return render(visit.request, "buergerinfo/paper_detail.html", {"paper": paper})


@public_page
def meeting_list(visit: Visit) -> HttpResponse:
    wanted = visit.request.GET.get("seite")

    def compute() -> ListPage:
        rows, number, pages, count = _list_page(
            info.published_meetings(), wanted, MEETINGS_PER_PAGE
        )
        return ListPage(info.meeting_summaries(rows), number, pages, count)

    page = visit.cached(("meetings", wanted), compute)
    return render(visit.request, "buergerinfo/meeting_list.html", {"page": page})


@public_page
def meeting_detail(visit: Visit, key: str) -> HttpResponse:
    meeting = visit.cached(("meeting", key), lambda: info.meeting_page(visit.urls, key))
    if meeting is None:
        raise Http404
    return render(visit.request, "buergerinfo/meeting_detail.html", {"meeting": meeting})


@public_page
def committee_list(visit: Visit) -> HttpResponse:
    committees = visit.cached("committees", lambda: info.committee_summaries(visit.urls))
    return render(visit.request, "buergerinfo/committee_list.html", {"committees": committees})


@public_page
def committee_detail(visit: Visit, key: str) -> HttpResponse:
    found = visit.cached(("committee", key), lambda: info.committee_page(visit.urls, key))
    if found is None:
        raise Http404
    committee, meetings = found
    return render(
        visit.request,
        "buergerinfo/committee_detail.html",
        {"committee": committee, "meetings": meetings},
    )
