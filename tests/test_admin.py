"""Every model of the foundation is in the admin, with list, search and filters working."""

import pytest
from django.contrib import admin
from django.urls import reverse

from costing.models import CostRate, CostTable, ReimbursementRule
from departments.models import BudgetSection, OrgUnit
from stellenplan.models import PayGrade, Position

MODELS = [BudgetSection, OrgUnit, PayGrade, Position, CostTable, CostRate, ReimbursementRule]


@pytest.mark.parametrize("model", MODELS)
def test_it_registers_the_model_with_a_german_name(model):
    assert model in admin.site._registry
    assert model._meta.verbose_name_plural != model.__name__


@pytest.mark.parametrize("model", MODELS)
def test_it_lists_searches_and_opens_each_model(seed, admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0
    assert admin_client.get(changelist, {"q": "2"}).status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(change).status_code == 200


def test_it_filters_positions_by_status_group(seed, admin_client):
    url = reverse("admin:stellenplan_position_changelist")
    response = admin_client.get(url, {"pay_grade__status_group": "tarif"})
    assert response.context["cl"].result_count == 7
