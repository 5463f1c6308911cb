"""``{% main_menu %}``: the menu of the logged-in user (front/menu.py) in the page header."""

from __future__ import annotations

from typing import Any

from django import template

from front.menu import menu_for

register = template.Library()


@register.inclusion_tag("common/_menu.html", takes_context=True)
def main_menu(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    return {"menu": menu_for(request.user, match.view_name if match else None)}
