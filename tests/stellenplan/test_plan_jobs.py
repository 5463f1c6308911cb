"""The Stellenplan document's PDF and Excel as jobs (issue 21, stellenplan/plan_jobs.py): for a
plan of many positions the download leads to the job page, the job writes the file the request
writes, only its owner downloads it, a failing writer leaves a German message and no file;
small plans are still written in the request. The threshold is lowered to the seed's plan."""

from datetime import date
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from openpyxl import load_workbook

from core import jobs
from core.models import Job
from core.xlsx import XLSX_CONTENT_TYPE
from stellenplan import plan_excel, plan_jobs
from stellenplan.plan_adoption import adopt_plan
from stellenplan.plan_document import plan_size
from tests.stellenplan.plan_fixtures import reference_plan
from tests.stellenplan.test_plan_document_output import explain_all

pytestmark = pytest.mark.usefixtures("seed")

BIG = 10**9
FILES = {
    "pdf": ("Stellenplan-2012-2013.pdf", "application/pdf", plan_jobs.PDF),
    "excel": ("Stellenplan-2012-2013.xlsx", XLSX_CONTENT_TYPE, plan_jobs.EXCEL),
}


@pytest.fixture(autouse=True)
def low_threshold(settings):
    settings.PLAN_TASK_MIN_POSITIONS = 3


@pytest.fixture
def reader(client) -> User:
    user = User.objects.create_user("leser")
    user.groups.add(Group.objects.get(name="Sitzungsdienst"))
    client.force_login(user)
    return user


def start(client, what: str) -> Job:
    response = client.get(reverse(f"plandoc:{what}", args=[reference_plan().pk]))
    assert response.status_code in (302, 303), response.content[:300]
    assert response["Location"].startswith("/auftraege/")
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def comparable(what: str, data: bytes):
    if what == "pdf":
        return data  # the text stand-in (tests/pdf_standin.py) writes the same bytes each time
    book = load_workbook(BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.mark.parametrize("what", ["pdf", "excel"])
def test_a_large_plan_is_written_by_a_job_like_the_request_writes_it(
    client, reader, settings, what
):
    name, content_type, kind = FILES[what]
    job = start(client, what)
    assert (job.kind, job.status, job.owner) == (kind, "succeeded", reader)
    assert job.done == job.total > 0
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert f"{name} herunterladen" in page
    response = client.get(f"/auftraege/{job.pk}/ergebnis/")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert name in response["Content-Disposition"]
    from_job = comparable(what, response.content)

    settings.PLAN_TASK_MIN_POSITIONS = BIG
    direct = client.get(reverse(f"plandoc:{what}", args=[reference_plan().pk]))
    assert direct.status_code == 200 and name in direct["Content-Disposition"]
    assert from_job == comparable(what, content(direct))
    client.force_login(User.objects.create_user("otto"))
    assert client.get(f"/auftraege/{job.pk}/ergebnis/").status_code == 404


def test_a_failing_writer_leaves_a_german_message_and_no_file(client, reader, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("Datenträger voll (Test)")

    monkeypatch.setattr(plan_excel, "_write_plan_sheet", fail)
    job = start(client, "excel")
    assert (job.status, job.error) == ("failed", jobs.INTERNAL_ERROR)
    assert job.result_file is None and job.result_file_name == ""
    page = client.get(f"/auftraege/{job.pk}/").content.decode()
    assert '<div role="alert">' in page
    assert "Der Auftrag ist wegen eines internen Fehlers abgebrochen" in page
    assert client.get(f"/auftraege/{job.pk}/ergebnis/").status_code == 404


def test_a_deleted_plan_fails_with_a_german_message(reader):
    job = jobs.start_job(plan_jobs.PDF, reader, {"plan_id": 999_999})
    assert job.status == "failed"
    assert job.error == "Diesen Stellenplan gibt es nicht mehr; es wurde keine Datei erstellt."


def test_a_small_plan_is_still_written_in_the_request(client, reader, settings):
    plan = reference_plan()
    settings.PLAN_TASK_MIN_POSITIONS = plan_size(plan) + 1
    for what in ("pdf", "excel"):
        response = client.get(reverse(f"plandoc:{what}", args=[plan.pk]))
        assert response.status_code == 200, what
    assert not Job.objects.exists()


def test_the_plan_size_counts_the_positions_of_its_years():
    assert plan_size(reference_plan()) == 18


def test_an_adopted_plan_serves_its_stored_pdf_without_a_job(client, reader):
    plan = reference_plan()
    explain_all(plan)
    adopt_plan(
        plan,
        acting_user=reader,
        adopted_on=date(2011, 12, 15),
        grdrs="900/2011",
        expected_version=plan.version,
    )
    response = client.get(reverse("plandoc:pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content == bytes(plan.records.get().pdf)
    assert not Job.objects.filter(kind=plan_jobs.PDF).exists()
    # its Excel (from the record) is still a job for a plan this large
    assert start(client, "excel").status == "succeeded"
