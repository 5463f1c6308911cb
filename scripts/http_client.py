"""A small HTTP client for the smoke test and the load test (standard library only).

It talks plain HTTP to gunicorn on the loopback interface and behaves like the TLS reverse
proxy in front of it would: it sends ``X-Forwarded-Proto: https`` (the server runs with
SECURE_PROXY_SSL_HEADER=1), keeps the session and CSRF cookies itself (they are ``Secure``, which
a normal cookie jar would not send over http) and sends an https Referer for the CSRF check.
With ``forwarded_for`` it also sends ``X-Forwarded-For`` as nginx does with
``$proxy_add_x_forwarded_for`` for a client that sent none: the client's address alone (the
server then needs ``AXES_PROXY_COUNT=1``, as behind the documented proxy).
"""

from __future__ import annotations

import http.client
import re
import secrets
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    def __init__(self, base_url: str, timeout: float = 60.0, forwarded_for: str | None = None):
        parts = urlsplit(base_url)
        self.forwarded_for = forwarded_for
        self.host, self.port = parts.hostname, parts.port or 80
        self.netloc = parts.netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        data: dict | list | None = None,
        *,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        """One request; `files` (field: (file name, bytes, content type)) sends the form as
        multipart/form-data, as a browser's file upload."""
        headers = {
            "Host": self.netloc,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.netloc}{path}",
            "User-Agent": "stellenplan-smoke",
        }
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if extra_headers:
            headers.update(extra_headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        start = time.perf_counter()
        for attempt in (1, 2):
            try:
                conn = self._connection()
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                payload = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection closed by the server: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - start
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or cookie_value in ('""', ""):
                    self.cookies.pop(cookie_name, None)
                else:
                    self.cookies[cookie_name] = cookie_value
        resp_headers = {k.lower(): v for k, v in raw.getheaders() if k.lower() != "set-cookie"}
        if raw.getheader("connection", "").lower() == "close":
            self.close()
        return Response(raw.status, resp_headers, payload, seconds)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return self.request("GET", path, extra_headers=headers)

    def post(self, path: str, data: dict | list) -> Response:
        return self.request("POST", path, data)

    def login(self, username: str, password: str, path: str = "/anmelden/") -> Response:
        page = self.get(path)
        if page.status != 200:
            raise RuntimeError(f"Anmeldeseite: HTTP {page.status}")
        token = form_fields(page.text).get("csrfmiddlewaretoken", "")
        response = self.post(
            path, {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Anmeldung als {username} fehlgeschlagen: HTTP {response.status}")
        return response


def multipart(data: dict | list, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = f"----stellenplan{secrets.token_hex(12)}"
    parts: list[bytes] = []
    items = data.items() if isinstance(data, dict) else data
    for name, value in items:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (file_name, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _FormParser(HTMLParser):
    """Collects the fields of the first form with method=post (or of the form with an id)."""

    def __init__(self, form_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.fields: dict[str, str] = {}
        self.action: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and not self.in_form:
            wanted = (
                a.get("id") == self.form_id
                if self.form_id
                else (
                    (a.get("method") or "").lower() == "post"
                    and "logout" not in (a.get("class") or "")
                    and "abmelden" not in (a.get("action") or "")
                )
            )
            if wanted:
                self.in_form = True
                self.action = a.get("action")
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "select" and self._select:
            self.fields.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self.in_form, self.done = False, True


def form_fields(html: str, form_id: str | None = None) -> dict[str, str]:
    """The fields of a POST form as a browser would submit them unchanged."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.fields


def links(html: str, pattern: str) -> list[str]:
    """All href/src values matching a regular expression."""
    return [m for m in re.findall(r'(?:href|src)="([^"]+)"', html) if re.search(pattern, m)]
