from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write: viewable here, never edited or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
