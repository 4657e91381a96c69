from django.contrib import admin

from reviews.models import (
    Appeal,
    CityReviewer,
    Decision,
    EligibilityRule,
    EmployerReview,
    FraudSignal,
    MaterialVerdict,
    Revocation,
    SampleDraw,
    StaffInvitation,
)
from verification_portal.shared.admin import ReadOnlyAdmin


@admin.register(CityReviewer)
class CityReviewerAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "created_at"]
    list_filter = ["city"]
    raw_id_fields = ["user"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "exam",
        "exam_level",
        "education_level",
        "required_years",
        "related_major_required",
        "source",
        "demo",
    ]
    list_filter = ["exam", "education_level", "demo"]
    list_editable = ["required_years"]


@admin.register(EmployerReview)
class EmployerReviewAdmin(ReadOnlyAdmin):
    list_display = ["application", "organisation", "reviewer", "outcome", "created_at"]
    list_filter = ["outcome"]


@admin.register(StaffInvitation)
class StaffInvitationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "email", "invited_by", "created_at", "expires_at", "accepted_at"]
    exclude = ["token"]


@admin.register(MaterialVerdict)
class MaterialVerdictAdmin(ReadOnlyAdmin):
    list_display = ["material", "reviewer", "ok", "reason", "created_at"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "kind", "reason_code", "created_at"]
    list_filter = ["kind"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["application", "submitted_at", "handled_by", "outcome", "decided_at"]


@admin.register(Revocation)
class RevocationAdmin(ReadOnlyAdmin):
    list_display = [
        "application",
        "kind",
        "proposed_by",
        "proposed_at",
        "confirmed",
        "confirmed_by",
        "decided_at",
    ]


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    list_display = ["pk", "rate_percent", "case_digest", "seed", "created_at", "drawn_at"]


@admin.register(FraudSignal)
class FraudSignalAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "other", "created_at"]
    list_filter = ["kind"]
