"""Middleware that every page shares."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


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
