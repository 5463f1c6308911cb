from django.urls import path

from costing import views

app_name = "costing"

# Pages that show costs (issue 3). A plain list: other features append their routes below.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("stellen/", views.position_list, name="position_list"),
    path("stellen/<int:pk>/", views.position_detail, name="position_detail"),
    path("organisation/", views.orgunit_tree, name="orgunit_tree"),
    path("organisation/<int:pk>/", views.orgunit_detail, name="orgunit_detail"),
    path("kostensaetze/", views.costtable_list, name="costtable_list"),
]
