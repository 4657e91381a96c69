from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from notices.api import api
from verification_portal.care import care_mode_switch

admin.site.site_header = "考后人工核查管理"
admin.site.site_title = "考后人工核查"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("care-mode/", care_mode_switch, name="care_mode"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("notices.urls")),
    path("", include("reviews.urls")),
    path("", include("candidates.urls")),
]

handler400 = "verification_portal.errors.bad_request"
handler403 = "verification_portal.errors.permission_denied"
handler404 = "verification_portal.errors.page_not_found"
handler500 = "verification_portal.errors.server_error"
