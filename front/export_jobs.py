"""The full cost workbooks as jobs (issue 21): an export of many positions (at least
``settings.EXPORT_TASK_MIN_POSITIONS`` in the selected years, ``costing.excel.export_size``) is
written by the worker, which reports each year costed and every thousand positions written;
its owner downloads the file from the job page. Smaller exports are still written within the
request (front/views/excel.py decides).

The job writes the workbook the request would write: the same positions (the whole plan, one
org unit with its sub-units, or the positions list as filtered, rebuilt from the same GET
parameters with the same filter), the same years, scope and file name. It saves nothing else
and keeps the file only when it is complete: a failure leaves no file. It lives in front
because the filtered list's filter does.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict

from core.jobs import (
    JobFailed,
    JobOutcome,
    register_job_kind,
    report_progress,
    start_or_join_job,
)
from core.models import Job
from core.users import User
from core.xlsx import XLSX_CONTENT_TYPE
from costing.engine import CostingError
from costing.excel import ExportError, export_size, write_workbook
from departments.models import OrgUnit
from departments.selectors import org_tree
from front.filters import PositionFilter
from stellenplan.models import Position

COST_EXPORT = "cost_export"

#: What an export lists: the whole plan, an org unit with its sub-units, or a filtered list.
Selection = dict[str, Any]
WHOLE_PLAN: Selection = {}


def is_large_export(years: list[int], positions: QuerySet[Position] | None) -> bool:
    return export_size(years, positions) >= int(settings.EXPORT_TASK_MIN_POSITIONS)


def unit_positions(unit_id: int) -> QuerySet[Position]:
    """The positions of an org unit and all its sub-units."""
    return Position.objects.filter(org_unit_id__in=org_tree().descendants_or_self([unit_id]))


def filtered_positions(query: QueryDict) -> PositionFilter:
    """The positions list's filter on `query` (the list page's GET parameters)."""
    return PositionFilter(query, queryset=Position.objects.all())


def selected_positions(selection: Selection) -> QuerySet[Position] | None:
    """The positions of a saved selection, as the export's view chose them (JobFailed if the
    selection no longer applies)."""
    if "org_unit" in selection:
        unit_id = int(selection["org_unit"])
        if not OrgUnit.objects.filter(pk=unit_id).exists():
            raise JobFailed(
                "Diese Organisationseinheit gibt es nicht mehr; es wurde keine Datei erstellt."
            )
        return unit_positions(unit_id)
    if "filter" in selection:
        query = QueryDict(mutable=True)
        for key, values in selection["filter"].items():
            query.setlist(key, [str(value) for value in values])
        filterset = filtered_positions(query)
        if not filterset.is_valid():
            raise JobFailed(
                "Die Filter der Stellenliste gelten nicht mehr (etwa eine gelöschte "
                "Organisationseinheit); es wurde keine Datei erstellt."
            )
        return filterset.qs
    return None


def start_cost_export(
    acting_user: User | None, *, years: list[int], scope: str, file_name: str, selection: Selection
) -> Job:
    """The export as a job of `acting_user` (joining an identical one still under way)."""
    params = {"years": years, "scope": scope, "file_name": file_name, "selection": selection}
    return start_or_join_job(COST_EXPORT, acting_user, params)


@register_job_kind(COST_EXPORT, "Excel-Export der Kosten")
def cost_export_job(job: Job) -> JobOutcome:
    params = job.params
    positions = selected_positions(params["selection"])

    def progress(done: int, total: int, step: str) -> None:
        report_progress(job, done, total, step)

    with tempfile.TemporaryFile() as handle:
        try:
            write_workbook(
                handle,
                [int(year) for year in params["years"]],
                positions,
                scope=params["scope"],
                progress=progress,
            )
        except (ExportError, CostingError) as error:
            raise JobFailed(f"{error} Es wurde keine Datei erstellt.") from None
        handle.seek(0)
        content = handle.read()
    name = params["file_name"]
    return JobOutcome(
        result={"message": f"Die Arbeitsmappe „{name}“ ist fertig."},
        file=content,
        file_name=name,
        content_type=XLSX_CONTENT_TYPE,
    )
