from django.contrib import admin

from reviews.models import CityReviewer


@admin.register(CityReviewer)
class CityReviewerAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "created_at"]
    list_filter = ["city"]
    raw_id_fields = ["user"]
