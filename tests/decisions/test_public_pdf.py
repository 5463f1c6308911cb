"""A public paper's PDFs are rendered once per version and stored (decisions/public_pdf.py)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from decisions import public_pdf as service
from decisions.models import ConsultationStep, Decision, PublicRendering
from decisions.services import decision_change_status, decision_save
from stellenplan.models import Position


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Every rendering of the service, by the title of what was rendered."""
    calls: list[str] = []
    original = service.render_pdf

    def counting(html: str, **options):
        calls.append(html.split("<title>", 1)[1].split("</title>", 1)[0])
        return original(html, **options)

    monkeypatch.setattr(service, "render_pdf", counting)
    return calls


@pytest.fixture
def reference(seed) -> Decision:
    return Decision.objects.get(number="647/2011")


def test_it_renders_a_version_once_and_serves_it_stored(reference, renders):
    first = service.public_pdf(reference)
    again = service.public_pdf(reference)
    assert len(renders) == 1
    assert again.pk == first.pk
    assert bytes(again.pdf) == bytes(first.pdf)
    assert first.pdf_sha256 == hashlib.sha256(bytes(first.pdf)).hexdigest()
    assert (
        first.source_sha256 == hashlib.sha256(service.source_html(reference).encode()).hexdigest()
    )


def test_a_change_of_the_paper_renders_anew(reference, renders):
    before = service.public_pdf(reference)
    Decision.objects.filter(pk=reference.pk).update(title="Ein neuer Betreff")
    after = service.public_pdf(reference)
    assert len(renders) == 2
    assert after.pk == before.pk  # one row per part, replaced
    assert after.pdf_sha256 != before.pdf_sha256
    assert b"Ein neuer Betreff" in bytes(after.pdf)
    service.public_pdf(reference)
    assert len(renders) == 2


def test_a_change_of_a_linked_position_renders_anew(reference, renders):
    """The figures come from positions and cost tables, which are not part of the paper: the
    HTML, not the paper's version, tells whether the stored PDF is current."""
    service.public_pdf(reference)
    position = Position.objects.filter(decision_links__decision=reference).first()
    assert position is not None
    Position.objects.filter(pk=position.pk).update(title="Umbenannte Stelle")
    service.public_pdf(reference, reference.annexes.get(generated=True).number)
    service.public_pdf(reference)
    assert len(renders) == 3  # the paper twice, its Anlage once


def test_render_public_pdf_renders_every_public_part_once(reference, renders):
    stored = service.render_public_pdf(reference, acting_user=None)
    annex = reference.annexes.get(generated=True)
    assert [r.annex_number for r in stored] == [PublicRendering.MAIN, annex.number]
    assert len(renders) == 2
    assert service.render_public_pdf(reference) == stored
    assert len(renders) == 2
    # what a request reads afterwards is what the service stored
    assert service.public_pdf(reference, annex.number).pdf_sha256 == stored[1].pdf_sha256
    assert len(renders) == 2


def test_render_public_pdf_leaves_papers_that_are_not_public_alone(reference, renders):
    Decision.objects.filter(pk=reference.pk).update(status=Decision.Status.DRAFT)
    assert service.render_public_pdf(Decision.objects.get(pk=reference.pk)) == []
    ConsultationStep.objects.filter(decision=reference).update(public=False)
    Decision.objects.filter(pk=reference.pk).update(status=Decision.Status.SUBMITTED)
    assert service.render_public_pdf(Decision.objects.get(pk=reference.pk)) == []
    assert renders == []
    assert not PublicRendering.objects.exists()


def test_the_print_view_serves_the_stored_pdf_of_the_same_version(
    reference, renders, client, django_user_model
):
    user = django_user_model.objects.create_superuser("druck", password="Ein-langes-Passwort-1")
    client.force_login(user)
    stored = service.public_pdf(reference)
    response = client.get(reverse("decisions:pdf", args=[reference.pk]))
    assert response.status_code == 200
    assert response.content == bytes(stored.pdf)
    assert len(renders) == 1
    # a version nobody published yet: printed live, not stored
    Decision.objects.filter(pk=reference.pk).update(title="Noch nicht veröffentlicht")
    live = client.get(reverse("decisions:pdf", args=[reference.pk]))
    assert b"Noch nicht ver" in live.content
    assert len(renders) == 2
    assert PublicRendering.objects.get().pdf_sha256 == stored.pdf_sha256


def stored_is_current(decision: Decision, annex_number: int = PublicRendering.MAIN) -> bool:
    row = PublicRendering.objects.filter(decision=decision, annex_number=annex_number).first()
    source = hashlib.sha256(service.source_html(decision, annex_number).encode()).hexdigest()
    return row is not None and row.source_sha256 == source and bool(row.pdf)


def test_a_paper_eingebracht_has_its_pdfs_rendered_without_a_request(
    reference, renders, django_capture_on_commit_callbacks
):
    Decision.objects.filter(pk=reference.pk).update(status=Decision.Status.DRAFT)
    version = Decision.objects.get(pk=reference.pk).version
    with django_capture_on_commit_callbacks(execute=True):
        decision_change_status(
            decision=reference,
            status=Decision.Status.SUBMITTED,
            acting_user=None,
            expected_version=version,
        )
    annex = reference.annexes.get(generated=True).number
    assert stored_is_current(reference) and stored_is_current(reference, annex)
    assert len(renders) == 2
    # the first OParl request serves what the task stored
    service.public_pdf(reference)
    assert len(renders) == 2

    # changed while public: rendered again after the commit
    with django_capture_on_commit_callbacks(execute=True):
        decision_save(
            decision=reference,
            expected_version=version + 1,
            acting_user=None,
            data={"title": "Ein neuer Betreff"},
        )
    assert stored_is_current(reference)
    main = PublicRendering.objects.get(decision=reference, annex_number=PublicRendering.MAIN)
    assert b"Ein neuer Betreff" in bytes(main.pdf)


def test_a_draft_changed_or_a_change_rolled_back_renders_nothing(
    reference, renders, django_capture_on_commit_callbacks
):
    Decision.objects.filter(pk=reference.pk).update(status=Decision.Status.DRAFT)
    version = Decision.objects.get(pk=reference.pk).version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decision_save(
            decision=reference, expected_version=version, acting_user=None, data={"title": "x"}
        )
    assert len(callbacks) == 1  # scheduled, but the paper is not public: nothing to render
    assert not PublicRendering.objects.exists() and renders == []
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        decision_change_status(  # Entwurf → beschlossen: refused, rolled back
            decision=reference,
            status=Decision.Status.ADOPTED,
            acting_user=None,
            expected_version=version + 1,
        )
    assert callbacks == [] and not PublicRendering.objects.exists()
