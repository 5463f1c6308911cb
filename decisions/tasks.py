"""Tasks of the decisions app (Django's Tasks framework, ``settings.TASKS``)."""

from __future__ import annotations

from django_tasks import task

from decisions.models import Decision
from decisions.public_pdf import render_public_pdf


@task()
def render_public_pdfs(decision_id: int) -> None:
    """Render and store the public PDFs of a paper that are not current (issue 21), so that
    the first anonymous OParl request after a change finds them stored."""
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is not None:
        render_public_pdf(decision)
