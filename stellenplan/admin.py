from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedAdminMixin
from stellenplan.models import PayGrade, Position


@admin.register(PayGrade)
class PayGradeAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "status_group", "career_group", "sort_order"]
    list_filter = ["status_group", "career_group"]
    search_fields = ["code"]
    ordering = ["sort_order", "code"]


@admin.register(Position)
class PositionAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "org_unit",
        "pay_grade",
        "title",
        "fte",
        "note",
        "start_date",
        "end_date",
        "fixed_term",
    ]
    list_filter = [
        "pay_grade__status_group",
        "note",
        "fixed_term",
        ("org_unit", admin.RelatedOnlyFieldListFilter),
        ("pay_grade", admin.RelatedOnlyFieldListFilter),
        "start_date",
    ]
    search_fields = ["title", "org_unit__code", "org_unit__name", "pay_grade__code", "tasks"]
    list_select_related = ["org_unit", "pay_grade"]
    autocomplete_fields = ["org_unit"]
    date_hierarchy = "start_date"
