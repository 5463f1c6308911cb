"""Hashes are for auditors (issue 23): the SHA-256 of an adopted paper's PDF and of an uploaded
file stand only in a collapsed "Technische Angaben (für die Prüfung)", not in the clerk's view."""

import re

import pytest
from django.urls import reverse

from decisions.models import AdoptedRecord
from stellenplan.models import ImportBatch
from tests.costing.excel_files import POSITION_HEADER, xlsx_bytes
from tests.costing.test_import_views import login, upload
from tests.decisions.test_adopted_record import adopt

SUMMARY = "<summary>Technische Angaben (für die Prüfung)</summary>"


def outside_details(html: str) -> str:
    """The page without its <details> sections."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def details(html: str) -> str:
    return "".join(re.findall(r"<details class=\"technical\">.*?</details>", html, flags=re.S))


def test_the_pdf_hash_of_an_adopted_paper_is_in_the_technical_details(reference, personalamt):
    adopt(reference)
    sha = AdoptedRecord.objects.get(decision=reference).pdf_sha256
    for name in ("decisions:detail", "decisions:print"):
        html = personalamt.get(reverse(name, args=[reference.pk])).content.decode()
        assert SUMMARY in html, name
        assert sha in details(html), name
        assert sha[:16] not in outside_details(html) and "SHA-256" not in outside_details(html)
        assert '<details class="technical" open' not in html  # collapsed


@pytest.mark.usefixtures("seed")
def test_the_file_hash_of_an_import_is_in_the_technical_details(client):
    login(client, "Personalamt")
    data = xlsx_bytes([POSITION_HEADER, ["20-4", "A 8", "SB", 1]])
    response = client.post(
        reverse("excel:import_positions"), {"file": upload(data), "default_start": "01.01.2013"}
    )
    sha = ImportBatch.objects.get(status="pending").file_sha256
    html = client.get(response["Location"]).content.decode()
    assert SUMMARY in html and sha in details(html)
    assert sha not in outside_details(html) and "SHA-256" not in outside_details(html)
