"""OParl 1.1 under /oparl/v1.1/ (namespace ``oparl``): public, anonymous, read-only.

The paths are part of the objects' ids and never change: an id is the object's URL."""

from django.urls import path, re_path

from front.oparl import views

app_name = "oparl"

urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="body_list"),
    path("body/stadt/", views.body, name="body"),
    path("body/stadt/organization/", views.organization_list, name="organization_list"),
    path("body/stadt/person/", views.person_list, name="person_list"),
    path("body/stadt/meeting/", views.meeting_list, name="meeting_list"),
    path("body/stadt/paper/", views.paper_list, name="paper_list"),
    path("paper/<int:pk>/", views.paper, name="paper"),
    path("consultation/<int:pk>/", views.consultation, name="consultation"),
    path("agendaitem/<int:pk>/", views.agenda_item, name="agenda_item"),
    path("meeting/<slug:key>/", views.meeting, name="meeting"),
    path("meeting/<slug:key>/ort/", views.meeting_location, name="meeting_location"),
    path("person/<slug:key>/", views.person, name="person"),
    path(
        "organization/gremium/<slug:key>/",
        views.organization_committee,
        name="organization_committee",
    ),
    path("organization/amt/<int:pk>/", views.organization_unit, name="organization_unit"),
    path("file/beschluss/<int:pk>/", views.file_record, name="file_record"),
    path("file/beschluss/<int:pk>/pdf", views.file_record_access, name="file_record_access"),
    path(
        "file/beschluss/<int:pk>/download",
        views.file_record_access,
        {"disposition": "attachment"},
        name="file_record_download",
    ),
    path("file/vorlage/<int:pk>/", views.file_paper, name="file_paper"),
    path("file/vorlage/<int:pk>/pdf", views.file_paper_access, name="file_paper_access"),
    path(
        "file/vorlage/<int:pk>/download",
        views.file_paper_access,
        {"disposition": "attachment"},
        name="file_paper_download",
    ),
    path("file/anlage/<int:pk>/", views.file_annex, name="file_annex"),
    path("file/anlage/<int:pk>/pdf", views.file_annex_access, name="file_annex_access"),
    path(
        "file/anlage/<int:pk>/download",
        views.file_annex_access,
        {"disposition": "attachment"},
        name="file_annex_download",
    ),
    # anything else under /oparl/v1.1/: an OParl error object, not the HTML 404 page
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
