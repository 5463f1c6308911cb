"""Login throttling: django-axes checks every login before Django's model backend."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped for calls without a request.

    Every login over HTTP (login page, admin) passes the request, so axes counts failures and
    refuses locked-out clients before the model backend (next in AUTHENTICATION_BACKENDS) checks
    the password. Code without a request (the test client's ``login()``, scripts) has no client
    to throttle; django-axes would raise there instead of letting the model backend answer.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The user name django-axes records for an attempt, cut to its column's 255 characters.

    Django's login forms do not limit the length of the name typed in; without the cut, a
    very long name makes PostgreSQL refuse axes' insert and the login page fail with a 500.
    """
    if credentials:
        value = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username")
    return value[:255] if isinstance(value, str) else value
