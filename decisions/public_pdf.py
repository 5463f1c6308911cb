"""The public PDFs of a paper (OParl files): rendered once per version of the paper and stored.

Rendering the reference paper costs seconds of CPU; building its HTML costs some 40 ms. So the
HTML is the version: a stored PDF (``PublicRendering``, one row per paper and part) is the
current one exactly when the SHA-256 of the HTML built now equals the one it was rendered from.
That covers every change that shows in the document (the paper and its parts, linked positions,
cost tables, the templates of a new release) and nothing that does not.

- ``public_pdf(decision, annex_number)`` is what an anonymous request reads: the stored PDF if
  it is current, else one rendering under a lock. The lock is the part's row: a renderer first
  claims it with an UPDATE (a row lock until commit on PostgreSQL; the write lock of the whole
  file on SQLite, where SELECT … FOR UPDATE would lock nothing), then builds the HTML again and
  renders only if the row still holds another version. Concurrent requests for the same part
  wait for that one rendering and serve its result; no version is rendered twice.
- ``render_public_pdf(decision)`` renders (if needed) every public PDF of a paper: the paper
  itself (unless adopted: then its record's PDF is the file) and each generated Anlage.
  ``schedule_public_pdf(decision)`` has the task ``decisions.tasks.render_public_pdfs`` do it
  after the commit of a change of the paper (every change claims the paper's version:
  ``decisions.services._claim``), so the first request after it finds the PDFs stored; changes
  that do not touch the paper (a cost table, a linked position) are rendered by the first
  request after them.
- ``pdf_for_print(decision)`` is the signed-in print view's PDF of a paper that is not adopted:
  the stored one when it is current, else rendered live (drafts are internal; not stored).

An adopted paper's own PDF is never rendered here: its record holds it (decisions/services.py).
Its generated Anlagen are rendered from the frozen document, so their HTML never changes.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from core.pdf import render_pdf
from core.users import User
from decisions.models import Decision, PublicRendering
from decisions.oparl_selectors import public_decisions
from decisions.pdf import annex_html, decision_html
from decisions.records import frozen_document
from decisions.selectors import current_record

MAIN = PublicRendering.MAIN


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_html(decision: Decision, annex_number: int = MAIN) -> str:
    """The HTML the public PDF of the part is rendered from, as the paper stands now.

    Raises LookupError for a part that has no public rendering: the paper of an adopted
    decision (its record is the file), or an Anlage that is not generated."""
    record = current_record(decision)
    if annex_number == MAIN:
        if record is not None:
            raise LookupError("Das PDF einer beschlossenen Vorlage ist ihre Beschlussfassung.")
        return decision_html(decision)
    if record is None:
        return annex_html(decision, annex_number)
    return annex_html(
        decision, annex_number, frozen_document(decision, record), adopted_on=record.adopted_on
    )


def _stored(decision: Decision, annex_number: int, source_sha256: str) -> PublicRendering | None:
    return PublicRendering.objects.filter(
        decision=decision, annex_number=annex_number, source_sha256=source_sha256
    ).first()


def public_pdf(decision: Decision, annex_number: int = MAIN) -> PublicRendering:
    """The current public PDF of the part (stored; rendered first if the paper changed)."""
    html = source_html(decision, annex_number)
    stored = _stored(decision, annex_number, _sha256(html.encode()))
    if stored is not None:
        return stored
    return _render_locked(decision, annex_number)


def _render_locked(decision: Decision, annex_number: int) -> PublicRendering:
    # The row to lock exists before the locking transaction (get_or_create copes with a
    # concurrent insert of the same row).
    PublicRendering.objects.get_or_create(decision=decision, annex_number=annex_number)
    with transaction.atomic():
        part = PublicRendering.objects.filter(decision=decision, annex_number=annex_number)
        part.update(claimed_at=timezone.now())  # the lock: waits for a renderer before us
        row = part.get()
        # Under the lock, from the newest state: whoever held the lock may have rendered it.
        html = source_html(decision, annex_number)
        source_sha256 = _sha256(html.encode())
        if row.source_sha256 == source_sha256:
            return row
        pdf = render_pdf(html)
        row.source_sha256 = source_sha256
        row.pdf = pdf
        row.pdf_sha256 = _sha256(pdf)
        row.rendered_at = timezone.now()
        row.save(update_fields=["source_sha256", "pdf", "pdf_sha256", "rendered_at"])
    return row


def public_parts(decision: Decision) -> list[int]:
    """The parts of a paper that have a public rendering: the paper itself unless adopted,
    and the number of each generated Anlage."""
    parts = [] if decision.status == Decision.Status.ADOPTED else [MAIN]
    numbers = decision.annexes.filter(generated=True).order_by("number")
    return parts + list(numbers.values_list("number", flat=True))


def render_public_pdf(
    decision: Decision, *, acting_user: User | None = None
) -> list[PublicRendering]:
    """Render and store every public PDF of a public paper that is not current yet; the ones
    that are stay as they are. Returns the current renderings (none for a paper that is not
    public). `acting_user` is who asked (None for a background task); not recorded, since a
    rendering is derived data without history."""
    if not public_decisions().filter(pk=decision.pk).exists():
        return []
    renderings = []
    for number in public_parts(decision):
        try:
            renderings.append(public_pdf(decision, number))
        except LookupError:  # an Anlage the adopted record does not hold as generated
            continue
    return renderings


def schedule_public_pdf(decision_id: int) -> None:
    """After the current transaction commits: if the paper is public then, enqueue the
    rendering of its public PDFs (``render_public_pdf`` in a task). Nothing is enqueued for a
    rolled-back change or a paper that is not public (a draft)."""

    def enqueue() -> None:
        if public_decisions().filter(pk=decision_id).exists():
            from decisions.tasks import render_public_pdfs  # the task module imports this one

            render_public_pdfs.enqueue(decision_id)

    # robust: the change is committed; a failing queue must not turn it into an error page
    # (it is logged, and the first request renders instead)
    transaction.on_commit(enqueue, robust=True)


def pdf_for_print(decision: Decision) -> bytes:
    """The PDF of a paper that is not adopted, for the signed-in print view: the stored public
    rendering when it is of the paper as it stands, else rendered now (not stored)."""
    html = decision_html(decision)
    stored = _stored(decision, MAIN, _sha256(html.encode()))
    if stored is not None:
        return bytes(stored.pdf)
    return render_pdf(html)
