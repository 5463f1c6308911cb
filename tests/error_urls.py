"""The project's URLs plus a view that fails (tests/test_error_pages.py: the 500 page)."""

from django.urls import path

from stellenplan.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("absichtlicher Fehler für den Test der 500-Seite")


urlpatterns = [path("kaputt/", broken_view), *project_urlpatterns]
