"""Every page a person sees, by area. The paths are German; each area has its namespace
(``positions:detail``, ``orgunits:tree``, ``costs:overview``, ``excel:export``,
``decisions:pdf`` …). Only front reverses these names: no domain app links to a page."""

from django.urls import include, path

from front.views import (
    accessibility,
    assets,
    changes,
    costs,
    council,
    decisions,
    excel,
    jobs,
    need,
    orgunits,
    paygrades,
    plan_document,
    plans,
    positions,
    projection,
    search,
)

positions_urls = (
    [
        path("kosten/stellen/", positions.position_list, name="list"),
        path("kosten/stellen/<int:pk>/", positions.position_detail, name="detail"),
        path("stellen/neu/", positions.position_create_view, name="create"),
        path("stellen/<int:pk>/bearbeiten/", positions.position_update_view, name="update"),
        path("stellen/<int:pk>/loeschen/", positions.position_delete_view, name="delete"),
        path("stellen/verschieben/", positions.positions_move_view, name="move"),
        path("stellen/geloescht/", positions.deleted_position_list, name="deleted_list"),
        path(
            "stellen/geloescht/<int:pk>/wiederherstellen/",
            positions.position_restore_view,
            name="restore",
        ),
        path(
            "stellen/geloescht/<int:pk>/", positions.deleted_position_detail, name="deleted_detail"
        ),
    ],
    "positions",
)

paygrades_urls = (
    [
        path("", paygrades.paygrade_list, name="list"),
        path("neu/", paygrades.paygrade_create_view, name="create"),
        path("<int:pk>/bearbeiten/", paygrades.paygrade_update_view, name="update"),
        path("<int:pk>/loeschen/", paygrades.paygrade_delete_view, name="delete"),
    ],
    "paygrades",
)

orgunits_urls = (
    [
        path("kosten/organisation/", orgunits.orgunit_tree, name="tree"),
        path("kosten/organisation/<int:pk>/", orgunits.orgunit_detail, name="detail"),
        path("organisation/neu/", orgunits.orgunit_create_view, name="create"),
        path("organisation/<int:pk>/bearbeiten/", orgunits.orgunit_update_view, name="update"),
        path("organisation/<int:pk>/loeschen/", orgunits.orgunit_delete_view, name="delete"),
    ],
    "orgunits",
)

costs_urls = (
    [
        path("", costs.overview, name="overview"),
        path("kostensaetze/", costs.costtable_list, name="costtable_list"),
        path(
            "kostentabellen/<int:pk>/bearbeiten/", costs.costtable_update, name="costtable_update"
        ),
        path("kostentabellen/neu/", costs.costtable_create, name="costtable_create"),
        path(
            "kostentabellen/<int:pk>/vergleich/", costs.costtable_compare, name="costtable_compare"
        ),
        path("kostentabellen/<int:pk>/loeschen/", costs.costtable_delete, name="costtable_delete"),
        path(
            "kostentabellen/<int:pk>/kostensatz-neu/",
            costs.costrate_create,
            name="costtable_rate_create",
        ),
        path("kostensaetze/<int:pk>/bearbeiten/", costs.costrate_update, name="costrate_update"),
        path("kostensaetze/<int:pk>/loeschen/", costs.costrate_delete, name="costrate_delete"),
        path("erstattungsregeln/neu/", costs.rule_create, name="rule_create"),
        path("erstattungsregeln/<int:pk>/bearbeiten/", costs.rule_update, name="rule_update"),
        path("erstattungsregeln/<int:pk>/neuer-satz/", costs.rule_new_rate, name="rule_new_rate"),
        path("erstattungsregeln/<int:pk>/loeschen/", costs.rule_delete, name="rule_delete"),
        path("finanzplanung/", projection.projection, name="projection"),
        path("finanzplanung/excel/", projection.projection_export, name="projection_export"),
        path("anpassungen/", projection.adjustment_list, name="adjustment_list"),
        path("anpassungen/neu/", projection.adjustment_create, name="adjustment_create"),
        path(
            "anpassungen/<int:pk>/bearbeiten/",
            projection.adjustment_update,
            name="adjustment_update",
        ),
        path(
            "anpassungen/<int:pk>/loeschen/", projection.adjustment_delete, name="adjustment_delete"
        ),
    ],
    "costs",
)

excel_urls = (
    [
        path("excel/", excel.export_xlsx, name="export"),
        path("excel/stellenliste/", excel.export_positions_xlsx, name="export_positions"),
        path("excel/organisation/<int:pk>/", excel.export_org_unit_xlsx, name="export_org_unit"),
        path("import/stellen/", excel.import_positions_view, name="import_positions"),
        path(
            "import/stellen/vorlage/",
            excel.import_positions_template_view,
            name="import_positions_template",
        ),
        path("import/kostentabelle/", excel.import_cost_table_view, name="import_cost_table"),
        path(
            "import/kostentabelle/vorlage/",
            excel.import_cost_table_template_view,
            name="import_cost_table_template",
        ),
        path("importe/", excel.import_list_view, name="import_list"),
        path("importe/<int:pk>/", excel.import_batch_view, name="import_batch"),
        path(
            "importe/<int:pk>/bestaetigen/",
            excel.import_batch_confirm_view,
            name="import_batch_confirm",
        ),
        path(
            "importe/<int:pk>/rueckgaengig/", excel.import_batch_undo_view, name="import_batch_undo"
        ),
    ],
    "excel",
)

decisions_urls = (
    [
        path("", decisions.decision_list, name="list"),
        path("neu/", decisions.decision_create, name="create"),
        path("vorschau/", decisions.decision_preview, name="preview"),
        path("<int:pk>/", decisions.decision_detail, name="detail"),
        path("<int:pk>/bearbeiten/", decisions.decision_edit, name="edit"),
        path("<int:pk>/begruendung/", decisions.decision_edit_text, name="edit_text"),
        path("<int:pk>/finanzen/", decisions.decision_edit_finance, name="edit_finance"),
        path("<int:pk>/stellen/", decisions.decision_positions, name="positions"),
        path("<int:pk>/stellen/hinzufuegen/", decisions.decision_position_add, name="position_add"),
        path(
            "<int:pk>/stellen/<int:link_pk>/entfernen/",
            decisions.decision_position_remove,
            name="position_remove",
        ),
        path(
            "<int:pk>/stellen/<int:link_pk>/verschieben/",
            decisions.decision_position_move,
            name="position_move",
        ),
        path("<int:pk>/status/", decisions.decision_status, name="status"),
        path("<int:pk>/wieder-oeffnen/", decisions.decision_reopen, name="reopen"),
        path("<int:pk>/neu-festhalten/", decisions.decision_record_again, name="record_again"),
        path("<int:pk>/drucken/", decisions.decision_print, name="print"),
        path("<int:pk>/pdf", decisions.decision_pdf, name="pdf"),
    ],
    "decisions",
)

council_urls = (
    [
        path("gremien/", council.committee_list, name="committee_list"),
        path("gremien/neu/", council.committee_create_view, name="committee_create"),
        path(
            "gremien/<int:pk>/bearbeiten/",
            council.committee_update_view,
            name="committee_update",
        ),
        path("sitzungen/", council.meeting_list, name="meeting_list"),
        path("sitzungen/neu/", council.meeting_create_view, name="meeting_create"),
        path("sitzungen/<int:pk>/", council.meeting_detail, name="meeting_detail"),
        path("sitzungen/<int:pk>/bearbeiten/", council.meeting_update_view, name="meeting_update"),
        path(
            "beschluesse/<int:pk>/beratung/<int:step_pk>/tagesordnung/",
            council.step_schedule_view,
            name="step_schedule",
        ),
        path("beschluesse/<int:pk>/aendern/", council.decision_amend_view, name="amend"),
    ],
    "council",
)

changes_urls = (
    [
        path("", changes.change_list, name="list"),
        path("excel/", changes.change_export, name="export"),
    ],
    "changes",
)

need_urls = (
    [
        path("", need.need_list, name="list"),
        path("neu/", need.need_create, name="create"),
        path("excel/", need.need_export, name="export"),
        path("<int:pk>/", need.need_detail, name="detail"),
        path("<int:pk>/bearbeiten/", need.need_update, name="update"),
        path("<int:pk>/loeschen/", need.need_delete, name="delete"),
        path("<int:pk>/zeilen/neu/", need.line_create, name="line_create"),
        path("<int:pk>/zeilen/<int:line_pk>/bearbeiten/", need.line_update, name="line_update"),
        path("<int:pk>/zeilen/<int:line_pk>/loeschen/", need.line_delete, name="line_delete"),
        path("jahresarbeitszeiten/", need.workingtime_list, name="workingtime_list"),
        path("jahresarbeitszeiten/neu/", need.workingtime_create_view, name="workingtime_create"),
        path(
            "jahresarbeitszeiten/<int:pk>/bearbeiten/",
            need.workingtime_update_view,
            name="workingtime_update",
        ),
        path(
            "jahresarbeitszeiten/<int:pk>/loeschen/",
            need.workingtime_delete_view,
            name="workingtime_delete",
        ),
    ],
    "need",
)

plans_urls = (
    [
        path("", plans.plan_list, name="list"),
        path("neu/", plans.plan_create_view, name="create"),
        path("neu-aus-beschlossenem/", plans.plan_create_next_view, name="create_next"),
        path("<int:pk>/bearbeiten/", plans.plan_update_view, name="update"),
        path("aenderungen/", plans.change_list, name="changes"),
        path("aenderungen/<int:pk>/erlaeuterung/", plans.change_update_view, name="change_update"),
        path(
            "stellen/<int:pk>/ermaechtigung/",
            plans.authorisation_create_view,
            name="authorisation_create",
        ),
        path("stellen/<int:pk>/besetzung/", plans.occupation_list_view, name="occupations"),
        path(
            "besetzung/<int:pk>/bearbeiten/",
            plans.occupation_update_view,
            name="occupation_update",
        ),
        path(
            "besetzung/<int:pk>/loeschen/", plans.occupation_delete_view, name="occupation_delete"
        ),
    ],
    "plans",
)

plandoc_urls = (
    [
        path("dokumente/", plan_document.plan_list, name="list"),
        path("vergleich/", plan_document.plan_compare, name="compare"),
        path("<int:pk>/", plan_document.plan_detail, name="detail"),
        path("<int:pk>/pdf", plan_document.plan_pdf, name="pdf"),
        path("<int:pk>/excel/", plan_document.plan_excel, name="excel"),
        path("<int:pk>/erlaeuterungen/", plan_document.plan_explanations, name="explanations"),
        path(
            "<int:pk>/vorjahreszahlen/",
            plan_document.plan_previous_figures,
            name="previous_figures",
        ),
        path(
            "<int:pk>/vorjahreszahlen/excel/",
            plan_document.plan_previous_figures_excel,
            name="previous_figures_excel",
        ),
        path("<int:pk>/nachwuchskraefte/", plan_document.plan_trainees, name="trainees"),
        path("<int:pk>/beschliessen/", plan_document.plan_adopt, name="adopt"),
    ],
    "plandoc",
)

jobs_urls = (
    [
        path("", jobs.job_list, name="list"),
        path("<int:pk>/", jobs.job_detail, name="detail"),
        path("<int:pk>/ergebnis/", jobs.job_download, name="download"),
        path("<int:pk>/neu-starten/", jobs.job_restart, name="restart"),
    ],
    "jobs",
)

urlpatterns = [
    path("", costs.home, name="home"),
    # public (also anonymous), linked from the footer of every page
    path(
        "barrierefreiheit/", accessibility.accessibility_statement, name="accessibility_statement"
    ),
    path("favicon.ico", assets.favicon, name="favicon"),
    path("suche/", search.search, name="search"),
    path("", include(positions_urls)),
    path("", include(orgunits_urls)),
    path("stellenwerte/", include(paygrades_urls)),
    path("kosten/", include(costs_urls)),
    path("kosten/", include(excel_urls)),
    path("beschluesse/", include(decisions_urls)),
    path("sitzungsdienst/", include(council_urls)),
    path("aenderungen/", include(changes_urls)),
    path("bedarf/", include(need_urls)),
    path("stellenplaene/", include(plans_urls)),
    path("stellenplaene/", include(plandoc_urls)),
    path("auftraege/", include(jobs_urls)),
    path("oparl/v1.1/", include("front.oparl.urls", namespace="oparl")),
]
