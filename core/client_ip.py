"""The address of the client behind the reverse proxies (for django-axes' login throttling).

Each proxy of the documented set-up (nginx with
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``) appends the address it received
the request from to ``X-Forwarded-For``; the last proxy is ``REMOTE_ADDR``. So with
``REVERSE_PROXY_COUNT`` proxies in front, the client is the ``REVERSE_PROXY_COUNT``-th entry from
the right. Everything left of it was sent by the client itself and is never trusted: counting
from the left (or skipping malformed entries, as python-ipware does) would let a client choose
the address it is throttled under and lock out someone else's.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address behind ``settings.REVERSE_PROXY_COUNT`` proxies, else ``REMOTE_ADDR``.

    When the header has fewer entries than there are proxies, or the entry the proxies wrote
    is not an IP address, the request did not come through the configured proxies as expected;
    then the address of the connection itself (``REMOTE_ADDR``) is used.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "REVERSE_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote
