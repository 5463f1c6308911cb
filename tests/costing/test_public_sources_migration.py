"""The data migration that makes the seed's citations of pay adjustments public (issue 23)."""

import importlib

import pytest
from django.apps import apps

from costing.models import PayAdjustment

migration = importlib.import_module("costing.migrations.0007_payadjustment_public_sources")

pytestmark = pytest.mark.usefixtures("seed")


def test_it_rewrites_the_old_seed_texts_and_keeps_a_clerks_own():
    old, new = next(iter(migration.PUBLIC_SOURCES.items()))
    first, second = PayAdjustment.objects.order_by("pk")[:2]
    PayAdjustment.objects.filter(pk=first.pk).update(source=old)
    PayAdjustment.objects.filter(pk=second.pk).update(source="Eigene Quelle, 01.02.2025")
    migration.forwards(apps, None)
    assert PayAdjustment.objects.get(pk=first.pk).source == new
    assert PayAdjustment.objects.get(pk=second.pk).source == "Eigene Quelle, 01.02.2025"
    migration.backwards(apps, None)
    assert PayAdjustment.objects.get(pk=first.pk).source == old


def test_the_seed_cites_without_internal_notes():
    for source in PayAdjustment.objects.values_list("source", flat=True):
        assert "DOMAIN.md" not in source and "[" not in source, source
        assert " vom " in source, source  # the date of the agreement or decision
