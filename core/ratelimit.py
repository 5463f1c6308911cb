"""Requests per minute per client, for what anyone may ask without logging in (OParl).

Counted in Django's cache framework (``CACHES["default"]``), one counter per bucket, client
address and minute (a fixed window): the client address is the one the login throttling uses
(core.client_ip: behind ``REVERSE_PROXY_COUNT`` proxies the entry the first proxy appended,
never one the client sent). Signed-in users are not counted.

The default cache (local memory) counts per process: with several gunicorn workers or app
servers a client gets the limit once per process. A shared cache counts for all of them; the
database cache needs no new server (``CACHE_BACKEND=db``, ``manage.py createcachetable``; README,
"Betrieb in Produktion"). Its increment is not atomic: requests arriving at the same instant may
be counted as one, so the limit is approximate; the hard limit is the proxy's (nginx
``limit_req``).

Not django-ratelimit: it requires a cache with atomic increment (Memcached, Redis) and reports
the database and local-memory caches as errors, and a Memcached or Redis server is one more
thing to run.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from django.http import HttpRequest

from core.client_ip import client_ip

WINDOW_SECONDS = 60
#: seconds since the epoch (replaced in tests)
clock = time.time


def retry_after(request: HttpRequest, bucket: str, per_minute: int) -> int | None:
    """Count this request against the client's budget in `bucket`: None while within
    `per_minute` requests of the current minute, else the seconds until the next minute
    begins (for ``Retry-After``). Signed-in users and ``per_minute <= 0`` are not limited."""
    user = getattr(request, "user", None)
    if per_minute <= 0 or (user is not None and user.is_authenticated):
        return None
    now = clock()
    window = int(now // WINDOW_SECONDS)
    key = f"ratelimit:{bucket}:{client_ip(request) or 'unbekannt'}:{window}"
    # the counter outlives its minute a little, so a slow request still finds it
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # culled between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    if count <= per_minute:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
