from django.contrib import admin

from core.admin import VersionedAdminMixin
from decisions.models import (
    AdoptedRecord,
    Annex,
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    DecisionReference,
    FinancialItem,
    Meeting,
    ProposalPoint,
    ReasonSection,
    Signatory,
    StatusChange,
)


class ConsultationStepInline(admin.TabularInline):
    model = ConsultationStep
    fk_name = "decision"
    extra = 0
    raw_id_fields = ["meeting", "postponed_from"]


class ProposalPointInline(admin.StackedInline):
    model = ProposalPoint
    extra = 0


class ReasonSectionInline(admin.StackedInline):
    model = ReasonSection
    extra = 0


class DecisionReferenceInline(admin.TabularInline):
    model = DecisionReference
    extra = 0


class DecisionPositionInline(admin.TabularInline):
    model = DecisionPosition
    extra = 0
    raw_id_fields = ["position"]


class FinancialItemInline(admin.StackedInline):
    model = FinancialItem
    extra = 0


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


class AnnexInline(admin.StackedInline):
    model = Annex
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "date", "acting_user", "comment", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # status changes go through decisions.services.decision_change_status


@admin.register(Decision)
class DecisionAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "date", "title", "kind", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title", "project"]
    date_hierarchy = "date"
    filter_horizontal = ["submitted_by"]
    inlines = [
        ConsultationStepInline,
        ProposalPointInline,
        ReasonSectionInline,
        DecisionReferenceInline,
        DecisionPositionInline,
        FinancialItemInline,
        SignatoryInline,
        AnnexInline,
        StatusChangeInline,
    ]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["decision", "from_status", "to_status", "date", "acting_user", "recorded_at"]
    list_filter = ["to_status"]
    search_fields = ["decision__number", "decision__title", "comment"]
    list_select_related = ["decision", "acting_user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AdoptedRecord)
class AdoptedRecordAdmin(admin.ModelAdmin):
    """The frozen records, for reading only: they are written by decisions.services alone."""

    list_display = ["decision", "sequence", "adopted_on", "recorded_at", "acting_user", "reason"]
    search_fields = ["decision__number", "decision__title", "reason"]
    list_select_related = ["decision", "acting_user"]
    exclude = ["pdf"]
    readonly_fields = [
        "decision",
        "sequence",
        "adopted_on",
        "status_change",
        "recorded_at",
        "acting_user",
        "reason",
        "document",
        "positions",
        "sources",
        "pdf_sha256",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Committee)
class CommitteeAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "classification", "active"]
    list_filter = ["classification", "active"]
    search_fields = ["name", "short_name"]


@admin.register(Meeting)
class MeetingAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["committee", "start", "location", "cancelled"]
    list_filter = ["committee", "cancelled"]
    date_hierarchy = "start"
    list_select_related = ["committee"]
