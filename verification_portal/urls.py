from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "考后人工核查管理"
admin.site.site_title = "考后人工核查"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("candidates.urls")),
]
