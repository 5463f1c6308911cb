"""URLs of the staffing plan app (the project URLs are in stellenplan/urls.py)."""

from django.urls import path  # noqa: F401

app_name = "stellenplan"

urlpatterns: list = []
