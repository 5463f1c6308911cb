"""Middleware that every page shares."""

from __future__ import annotations

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from core.records import RecordFormatError


class NoStoreForSignedInUsersMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user.

    Pages, Excel workbooks and PDFs show personnel and cost data: neither the browser nor a
    proxy on the way may keep a copy (a shared computer, the back button after logging out).
    One place for all of them, so a new view cannot forget it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RecordFormatErrorMiddleware:
    """A frozen record this release cannot read (written by a newer one, or damaged) as a page
    that says so in German (409), on every page that reads records, instead of a server error.
    The OParl views answer the same with an OParl error object (front.oparl.views.oparl)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RecordFormatError):
            return None
        return render(
            request,
            "common/record_format_error.html",
            {"messages_text": exception.messages},
            status=409,
        )


#: What SQLite says when another writer holds the database longer than the busy timeout.
BUSY_MESSAGES = ("database is locked", "database table is locked")


class DatabaseBusyMiddleware:
    """SQLite's "database is locked" (another write, e.g. a large import, held the database
    longer than the busy timeout) as a German page asking to try again (503, Retry-After),
    instead of a server error. The write that met it was rolled back with its transaction.
    Other database errors stay errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        if not any(text in str(exception) for text in BUSY_MESSAGES):
            return None
        response = render(request, "common/database_busy.html", status=503)
        response["Retry-After"] = "5"
        return response
