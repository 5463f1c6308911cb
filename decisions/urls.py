"""URLs of the council office (included under /beschluesse/)."""

from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("neu/", views.decision_create, name="create"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/bearbeiten/", views.decision_edit, name="edit"),
    path("<int:pk>/begruendung/", views.decision_edit_text, name="edit_text"),
    path("<int:pk>/finanzen/", views.decision_edit_finance, name="edit_finance"),
    path("<int:pk>/stellen/", views.decision_positions, name="positions"),
    path("<int:pk>/stellen/hinzufuegen/", views.decision_position_add, name="position_add"),
    path(
        "<int:pk>/stellen/<int:link_pk>/entfernen/",
        views.decision_position_remove,
        name="position_remove",
    ),
    path(
        "<int:pk>/stellen/<int:link_pk>/verschieben/",
        views.decision_position_move,
        name="position_move",
    ),
    path("<int:pk>/status/", views.decision_status, name="status"),
    path("<int:pk>/drucken/", views.decision_print, name="print"),
    path("<int:pk>/pdf", views.decision_pdf, name="pdf"),
]
