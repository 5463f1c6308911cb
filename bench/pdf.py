"""Render time of decision PDFs: the reference decision and one with 200 positions.

A development tool (app bench), outside the product apps:

    from bench.pdf import pdf_benchmark
    for timing in pdf_benchmark(repeat=3):
        print(timing.label, timing.positions, timing.pages, f"{timing.median:.2f} s")

Works on any database: it times the reference decision (GRDrs 647/2011) when it is there, and
a decision with at least 200 linked positions; if there is none but at least 200 positions
exist, it links the first 200 (in org unit order) to a temporary decision inside a transaction
that is rolled back afterwards, so nothing stays behind.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count

from decisions.models import Decision, DecisionPosition
from decisions.pdf import render_decision_pdf
from stellenplan.models import Position

REFERENCE_NUMBER = "647/2011"
LARGE = 200


@dataclass
class RenderTiming:
    label: str
    decision_id: int
    positions: int
    pages: int = 0
    pdf_bytes: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)


def pdf_page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def time_render(
    decision: Decision, *, label: str, repeat: int = 3, warmup: bool = True
) -> RenderTiming:
    """Render the decision's PDF `repeat` times (after a warm-up render) and time each."""
    timing = RenderTiming(
        label=label,
        decision_id=decision.pk,
        positions=DecisionPosition.objects.filter(decision=decision).count(),
    )
    if warmup:  # fonts, hyphenation dictionary, templates
        render_decision_pdf(decision)
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        pdf = render_decision_pdf(decision)
        timing.seconds.append(time.perf_counter() - started)
    timing.pages, timing.pdf_bytes = pdf_page_count(pdf), len(pdf)
    return timing


def large_decision(size: int = LARGE) -> Decision | None:
    return (
        Decision.objects.annotate(lines=Count("position_links"))
        .filter(lines__gte=size)
        .order_by("lines", "id")
        .first()
    )


def pdf_benchmark(*, repeat: int = 3, size: int = LARGE, warmup: bool = True) -> list[RenderTiming]:
    """Timings of the reference decision and of a decision with `size` positions."""
    timings: list[RenderTiming] = []
    reference = Decision.objects.filter(number=REFERENCE_NUMBER).first()
    if reference is not None:
        timings.append(
            time_render(reference, label="Referenzvorlage 19.09.2011", repeat=repeat, warmup=warmup)
        )
    large = large_decision(size)
    if large is not None:
        timings.append(
            time_render(large, label=f"Vorlage mit {size} Stellen", repeat=repeat, warmup=warmup)
        )
    elif Position.objects.count() >= size:
        with transaction.atomic():
            temporary = Decision.objects.create(
                date=date(2011, 9, 19), title=f"Benchmark: {size} Stellen"
            )
            positions = Position.objects.order_by("org_unit__code", "id")[:size]
            DecisionPosition.objects.bulk_create(
                DecisionPosition(decision=temporary, position=p, order=n)
                for n, p in enumerate(positions, start=1)
            )
            label = f"Vorlage mit {size} Stellen"
            timings.append(time_render(temporary, label=label, repeat=repeat, warmup=warmup))
            transaction.set_rollback(True)
    return timings


# --- the Stellenplan document (issue 12) ------------------------------------------------------


@contextmanager
def bench_plan(year: int):
    """A Stellenplan containing `year`: the existing one, else a draft for `year`/`year + 1`
    created inside a transaction that is rolled back afterwards (nothing stays behind)."""
    from stellenplan.models import StaffingPlan

    existing = StaffingPlan.objects.filter(first_year__lte=year, last_year__gte=year).first()
    if existing is not None:
        yield existing
        return
    with transaction.atomic():
        yield StaffingPlan.objects.create(first_year=year, last_year=year + 1)
        transaction.set_rollback(True)
