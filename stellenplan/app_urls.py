"""URLs of the staffing plan app (the project URLs are in stellenplan/urls.py).

The positions list and each position's page show costs, so they live in costing
(costing:position_list, costing:position_detail); here are the edit pages.
"""

from django.urls import path

from stellenplan import views

app_name = "stellenplan"

urlpatterns = [
    path("", views.home, name="home"),
    path("stellen/neu/", views.position_create_view, name="position_create"),
    path("stellen/<int:pk>/bearbeiten/", views.position_update_view, name="position_update"),
    path("stellen/<int:pk>/loeschen/", views.position_delete_view, name="position_delete"),
    path("stellen/geloescht/", views.deleted_position_list, name="deleted_position_list"),
    path(
        "stellen/geloescht/<int:pk>/",
        views.deleted_position_detail,
        name="deleted_position_detail",
    ),
    path("stellenwerte/", views.paygrade_list, name="paygrade_list"),
    path("stellenwerte/neu/", views.paygrade_create_view, name="paygrade_create"),
    path("stellenwerte/<int:pk>/bearbeiten/", views.paygrade_update_view, name="paygrade_update"),
    path("stellenwerte/<int:pk>/loeschen/", views.paygrade_delete_view, name="paygrade_delete"),
]
