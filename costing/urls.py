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
    path("kostensaetze/<int:pk>/bearbeiten/", views.costrate_update, name="costrate_update"),
    path("erstattungsregeln/neu/", views.rule_create, name="rule_create"),
    path("erstattungsregeln/<int:pk>/bearbeiten/", views.rule_update, name="rule_update"),
    path("erstattungsregeln/<int:pk>/loeschen/", views.rule_delete, name="rule_delete"),
]

# Excel export and import (issue 4)
from costing import excel_views  # noqa: E402

urlpatterns += [
    path("excel/", excel_views.export_xlsx, name="export_xlsx"),
    path("excel/stellenliste/", excel_views.export_positions_xlsx, name="export_positions_xlsx"),
    path(
        "excel/organisation/<int:pk>/",
        excel_views.export_org_unit_xlsx,
        name="export_org_unit_xlsx",
    ),
    path("import/stellen/", excel_views.import_positions_view, name="import_positions"),
    path("import/kostentabelle/", excel_views.import_cost_table_view, name="import_cost_table"),
]
