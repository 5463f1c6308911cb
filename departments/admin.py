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

    def get_readonly_fields(self, request, obj=None):
        # A move goes through the Organisation pages: departments.services.orgunit_update
        # checks for a cycle under the tree lock, which a plain admin save would skip.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "parent"] if obj is not None else fields
