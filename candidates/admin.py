from django.contrib import admin

from candidates.models import (
    Application,
    AuditEvent,
    CandidateProfile,
    City,
    EmployerHR,
    Exam,
    GeneratedDocument,
    IntegrityRecord,
    Material,
    MaterialVersion,
    Organisation,
    RosterEntry,
    VerificationRound,
)
from verification_portal.shared.admin import ReadOnlyAdmin


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "verification_phone", "exam_phone", "notice_url"]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "created_at"]
    search_fields = ["name", "credit_code"]


@admin.register(EmployerHR)
class EmployerHRAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "created_at"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]


@admin.register(VerificationRound)
class VerificationRoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "city",
        "kind",
        "exam_year",
        "exam_half",
        "opens_at",
        "closes_at",
        "work_cutoff",
        "score_released_on",
        "publication_at",
    ]
    list_filter = ["city", "kind", "exam_year"]
    filter_horizontal = ["exams"]


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "id_number",
        "exam",
        "level",
        "specialty",
        "score",
        "exam_year",
        "city",
        "reason",
        "status",
        "round",
    ]
    list_filter = ["round", "city", "exam", "status", "reason"]
    search_fields = ["name", "id_number"]
    list_select_related = ["exam", "city", "round"]
    # The status moves only by the portal's rules (申报, closing a window): never by hand.
    readonly_fields = ["status"]


@admin.register(CandidateProfile)
class CandidateProfileAdmin(admin.ModelAdmin):
    list_display = ["real_name", "id_number", "phone", "gender", "birth_date", "created_at"]
    search_fields = ["real_name", "id_number", "phone"]
    readonly_fields = ["user", "id_number", "gender", "birth_date"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "submitted_at", "stamped_on_paper"]
    list_filter = ["status", "round__city", "round"]
    search_fields = ["candidate__real_name", "candidate__id_number"]
    list_select_related = ["candidate", "round", "roster_entry__exam"]


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "created_at"]


@admin.register(MaterialVersion)
class MaterialVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "material",
        "number",
        "original_name",
        "content_type",
        "size",
        "uploaded_at",
        "retired_at",
    ]


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "created_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id"]


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(admin.ModelAdmin):
    """诚信档案: administrators add a record found outside the portal (an impersonation at the
    exam, say); a record is never changed or deleted. The bar is computed from the decision
    date and the years."""

    list_display = ["name", "id_number", "kind", "decided_on", "bar_until", "found_by", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["id_number", "name"]
    fields = ["id_number", "name", "kind", "description", "found_by", "decided_on", "bar_years"]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from dateutil.relativedelta import relativedelta

        from verification_portal.shared.audit import audit_record

        obj.id_number = obj.id_number.strip().upper()
        obj.bar_until = obj.decided_on + relativedelta(years=obj.bar_years)
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="integrity.record",
            target=obj,
            data={"kind": obj.kind, "bar_until": obj.bar_until.isoformat(), "found_by": obj.found_by},
        )
