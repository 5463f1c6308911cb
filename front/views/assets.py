"""Files browsers ask for at a fixed address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` (asked for by browsers and feed readers on pages without the link,
    e.g. the admin and OParl JSON): the icon among the static files."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
