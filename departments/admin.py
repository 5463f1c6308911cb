from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedAdminMixin
from departments.models import BudgetSection, OrgUnit


@admin.register(BudgetSection)
class BudgetSectionAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["number", "name"]


@admin.register(OrgUnit)
class OrgUnitAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "budget_section"]
    list_filter = ["kind", "budget_section"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "budget_section"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
