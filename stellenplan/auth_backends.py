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
