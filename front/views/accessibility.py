"""The "Erklärung zur Barrierefreiheit" (BITV 2.0, L-BGG BW § 10): public, for everyone."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The statement; its text is the template accessibility/statement_text.html, which a city
    replaces with its own (a template of the same name in a folder listed first in DIRS)."""
    return render(
        request,
        "accessibility/statement.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
        },
    )
