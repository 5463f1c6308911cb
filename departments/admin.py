from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedAdminForm, VersionedAdminMixin
from departments.models import BudgetSection, OrgUnit
from departments.services import orgunit_guard_parent


@admin.register(BudgetSection)
class BudgetSectionAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["number", "name"]


class OrgUnitAdminForm(VersionedAdminForm):
    """The admin's form of a unit: every save holds the parent it will save, and a save of an
    existing unit runs under the tree lock with the cycle check (``orgunit_guard_parent``), as
    a move on the Organisation pages does: the parent chosen when adding, and the one a
    history revert would restore (the change form shows the parent read-only, the instance
    carries the reverted one). Taken in ``clean``, before the version check locks the row (the
    lock order of ``departments.services``), held until the admin's transaction commits."""

    def clean(self):
        if "parent" in self.fields:
            if "parent" in self.errors:
                return super().clean()
            parent = self.cleaned_data.get("parent")
        else:
            parent = self.instance.parent
        orgunit_guard_parent(self.instance, parent)
        return super().clean()


@admin.register(OrgUnit)
class OrgUnitAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    form = OrgUnitAdminForm
    list_display = ["code", "name", "kind", "parent", "budget_section"]
    list_filter = ["kind", "budget_section"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "budget_section"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]

    def get_readonly_fields(self, request, obj=None):
        # A move goes through the Organisation pages (orgunit_update); the form's check
        # (orgunit_guard_parent) also covers a history revert, which restores a parent.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "parent"] if obj is not None else fields

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an older version can move the unit: its check, the version check and
        # the save in one transaction, as the change form (``changeform_view``) has.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)
