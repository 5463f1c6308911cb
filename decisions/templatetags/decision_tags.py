"""Markdown of decision texts, rendered and sanitised: {% load decision_tags %}.

Figures use the German filters of ``core`` ({% load de_format %}).
"""

from django import template
from django.utils.safestring import SafeString

from core.formatting import DASH, number
from decisions.markup import render_markdown, render_task_list

register = template.Library()


@register.filter
def markdown(value: str | None) -> SafeString:
    """Markdown rendered and sanitised (raw HTML comes out escaped)."""
    return render_markdown(value or "")


@register.filter
def tasklist(value: str | None) -> SafeString:
    """A position's tasks ("Eine Aufgabe je Zeile"): each line a list item, not one sentence."""
    return render_task_list(value or "")


@register.filter
def stellen2(value) -> str:
    """Stellen with exactly two decimals (a Personalbedarfsberechnung): 0,42 · 3,08 · 1,00."""
    if value is None or value == "":
        return DASH
    return number(value, 2)
