from django.urls import path

from departments import views

app_name = "departments"

# The tree and each unit's page (with costs) are costing:orgunit_tree / costing:orgunit_detail.
urlpatterns = [
    path("neu/", views.orgunit_create_view, name="orgunit_create"),
    path("<int:pk>/bearbeiten/", views.orgunit_update_view, name="orgunit_update"),
    path("<int:pk>/loeschen/", views.orgunit_delete_view, name="orgunit_delete"),
]
