"""Large cost workbooks as jobs (issue 21, front/export_jobs.py): above the threshold the
download leads to the job page, the job writes what the request writes (same sheets, same
values, same file name), only its owner downloads it, a failing writer leaves a German
message and no file; below the threshold the download is unchanged. The threshold is lowered
to a few positions of the seed."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from openpyxl import load_workbook

from core import jobs
from core.models import Job
from core.xlsx import XLSX_CONTENT_TYPE
from costing import excel
from costing.engine import CostingError
from departments.models import OrgUnit
from front.export_jobs import COST_EXPORT

pytestmark = pytest.mark.usefixtures("seed")

BIG = 10**9


@pytest.fixture(autouse=True)
def low_threshold(settings):
    settings.EXPORT_TASK_MIN_POSITIONS = 3


@pytest.fixture
def reader(client) -> User:
    user = User.objects.create_user("leser")
    user.groups.add(Group.objects.get(name="Sitzungsdienst"))
    client.force_login(user)
    return user


def exports():
    """(URL, GET parameters, file name) of the three cost exports."""
    unit = OrgUnit.objects.get(code="29")
    return [
        (reverse("excel:export"), {"year": "2012"}, "Stellenplan_Kosten_2012-2014.xlsx"),
        (
            reverse("excel:export_positions"),
            {"status_group": "beamte", "years": "2012,2013"},
            "Stellenplan_Stellenliste_2012-2013.xlsx",
        ),
        (
            reverse("excel:export_org_unit", args=[unit.pk]),
            {"years": "2013"},
            "Stellenplan_Kosten_29_2013.xlsx",
        ),
    ]


def start(client, url, params) -> Job:
    response = client.get(url, params)
    assert response.status_code in (302, 303), response.content[:300]
    assert response["Location"].startswith("/auftraege/")
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def sheet_values(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.parametrize("which", [0, 1, 2], ids=["alle", "gefiltert", "einheit"])
def test_a_large_export_is_written_by_a_job_like_the_request_writes_it(
    client, reader, settings, which
):
    url, params, name = exports()[which]
    job = start(client, url, params)
    assert (job.kind, job.status, job.owner) == (COST_EXPORT, "succeeded", reader)
    assert job.done == job.total > 0 and job.step == "fertig"
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert f"Die Arbeitsmappe „{name}“ ist fertig." in page
    assert f"{name} herunterladen" in page

    response = client.get(f"/auftraege/{job.pk}/ergebnis/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    from_job = sheet_values(response.content)

    settings.EXPORT_TASK_MIN_POSITIONS = BIG
    direct = client.get(url, params)
    assert direct.status_code == 200
    assert direct["Content-Disposition"] == f'attachment; filename="{name}"'
    assert from_job == sheet_values(b"".join(direct.streaming_content))
    assert len(from_job["Stellen"]) > 5


def test_only_the_owner_sees_and_downloads_the_file(client, reader):
    url, params, _name = exports()[0]
    job = start(client, url, params)
    client.force_login(User.objects.create_user("otto"))
    assert client.get(f"/auftraege/{job.pk}/ergebnis/").status_code == 404
    assert client.get(f"/auftraege/{job.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            CostingError("Für 2013 gilt keine Kostentabelle."),
            "Für 2013 gilt keine Kostentabelle. Es wurde keine Datei erstellt.",
        ),
        (RuntimeError("Datenträger voll (Test)"), jobs.INTERNAL_ERROR),
    ],
)
def test_a_failing_writer_leaves_a_german_message_and_no_file(
    client, reader, monkeypatch, error, message
):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(excel, "_write_rates", fail)  # half-way through the workbook
    url, params, _name = exports()[0]
    job = start(client, url, params)
    assert job.status == "failed" and job.error == message
    assert job.result_file is None and job.result_file_name == ""
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert '<div role="alert">' in page and message.split(" (")[0] in page
    assert "herunterladen" not in page and "Neu starten" in page
    assert client.get(f"/auftraege/{job.pk}/ergebnis/").status_code == 404


def test_a_small_export_is_still_written_in_the_request(client, reader, settings):
    settings.EXPORT_TASK_MIN_POSITIONS = 19  # the seed has 18 positions
    response = client.get(reverse("excel:export"), {"year": "2012"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert not Job.objects.exists()


def test_an_identical_export_under_way_is_joined_not_started_twice(client, reader):
    url, params, name = exports()[0]
    running = Job.objects.create(
        kind=COST_EXPORT,
        owner=reader,
        status=Job.Status.QUEUED,
        params={
            "years": [2012, 2013, 2014],
            "scope": "alle Stellen",
            "file_name": name,
            "selection": {},
        },
    )
    assert start(client, url, params) == running
    assert Job.objects.count() == 1
    # another person's export is their own
    client.force_login(User.objects.create_user("otto"))
    assert start(client, url, params) != running


def test_the_writer_reports_each_year_every_sheet_and_the_saving():
    reports: list[tuple[int, int, str]] = []
    excel.write_workbook(BytesIO(), [2012, 2013], progress=lambda *report: reports.append(report))
    steps = [step for _done, _total, step in reports]
    assert steps[:2] == ["Kosten 2012 berechnen", "Kosten 2013 berechnen"]
    assert "Blatt „Stellen“: 18 von 18 Stellen geschrieben" in steps
    assert steps[-1] == "Datei speichern"
    totals = {total for _done, total, _step in reports}
    assert len(totals) == 1
    done = [done for done, _total, _step in reports]
    assert done == sorted(done) and 0 < done[-1] < totals.pop()
