from django.contrib.auth.views import LogoutView
from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("", views.home, name="home"),
    path("self-check/", views.self_check, name="self_check"),
    path("register/", views.register, name="register"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("otp/", views.second_factor, name="otp"),
    path("me/", views.dashboard, name="dashboard"),
    path("employers/search/", views.employer_search, name="employer_search"),
    path("roster/<int:entry_id>/start/", views.application_start_view, name="start"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/declaration/", views.application_declare_view, name="declare"),
    path(
        "applications/<int:pk>/materials/<slug:kind>/upload/",
        views.material_upload_view,
        name="upload",
    ),
    path("applications/<int:pk>/submit/", views.application_submit_view, name="submit"),
    path(
        "applications/<int:pk>/documents/<slug:kind>/",
        views.application_document,
        name="document",
    ),
    path("files/<int:version_id>/", views.material_file, name="file"),
    path("files/<int:version_id>/preview/", views.material_preview, name="preview"),
    path("files/<int:version_id>/pages/<int:number>/", views.material_page, name="page"),
    path("files/<int:version_id>/retire/", views.material_retire_view, name="retire"),
]
