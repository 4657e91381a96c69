from django.contrib import admin

from candidates.admin import ReadOnlyAdmin
from notices.models import Notice, NoticeAttachment, PassList, Report, RosterImport


class AttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    extra = 1
    fields = ["kind", "title", "file"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "round", "publish_at", "created_by"]
    list_filter = ["round__city"]
    search_fields = ["title"]
    inlines = [AttachmentInline]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            if item.file and not item.original_name:
                item.original_name = item.file.name.rsplit("/", 1)[-1][:120]
                item.size = item.file.size
            item.save()
        formset.save_m2m()


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = [
        "round",
        "original_name",
        "status",
        "valid_rows",
        "rejected_rows",
        "imported_rows",
        "created_at",
    ]


@admin.register(PassList)
class PassListAdmin(ReadOnlyAdmin):
    list_display = ["round", "version", "status", "entry_count", "published_at", "objection_ends_at"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["entry", "status", "created_at", "handled_by"]
