from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedAdminMixin, VersionedInlineMixin
from costing.models import CostRate, CostTable, PayAdjustment, ReimbursementRule


class CostRateInline(VersionedInlineMixin, admin.TabularInline):
    model = CostRate
    extra = 0
    fields = ["pay_grade", "annual_cost", "personnel_cost", "material_cost", "it_cost"]
    ordering = ["pay_grade__sort_order"]


@admin.register(CostTable)
class CostTableAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "valid_from"]
    search_fields = ["name"]
    date_hierarchy = "valid_from"
    inlines = [CostRateInline]


@admin.register(CostRate)
class CostRateAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "table",
        "pay_grade",
        "annual_cost",
        "personnel_cost",
        "material_cost",
        "it_cost",
    ]
    list_filter = ["table", "pay_grade__status_group"]
    search_fields = ["pay_grade__code", "table__name"]
    list_select_related = ["table", "pay_grade"]


@admin.register(ReimbursementRule)
class ReimbursementRuleAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "rate", "valid_from", "valid_to"]
    list_filter = ["valid_from"]
    search_fields = ["name", "org_units__code"]
    filter_horizontal = ["org_units"]


@admin.register(PayAdjustment)
class PayAdjustmentAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "status_group",
        "effective_date",
        "base_amount",
        "percent",
        "minimum_amount",
        "status",
    ]
    list_filter = ["status_group", "status"]
    search_fields = ["name", "source"]
    date_hierarchy = "effective_date"
