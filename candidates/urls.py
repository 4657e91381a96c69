from django.contrib.auth import views as auth_views
from django.contrib.auth.views import LogoutView
from django.urls import path, reverse_lazy

from candidates import views
from candidates.forms import StaffPasswordResetForm

app_name = "candidates"

urlpatterns = [
    path("", views.home, name="home"),
    path("self-check/", views.self_check, name="self_check"),
    path("register/", views.register, name="register"),
    path("register/verify/", views.verify_phone, name="verify_phone"),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path("password/reset/code/", views.password_reset_code, name="password_reset_code"),
    path(
        "staff/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            success_url=reverse_lazy("candidates:staff_password_reset_done"),
            email_template_name="registration/staff_reset_email.txt",
            subject_template_name="registration/staff_reset_subject.txt",
        ),
        name="staff_password_reset",
    ),
    path(
        "staff/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="staff_password_reset_done",
    ),
    path(
        "staff/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("candidates:staff_password_reset_complete")
        ),
        name="staff_password_reset_confirm",
    ),
    path(
        "staff/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="staff_password_reset_complete",
    ),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("otp/", views.second_factor, name="otp"),
    path("me/", views.dashboard, name="dashboard"),
    path("employers/search/", views.employer_search, name="employer_search"),
    path("roster/<int:entry_id>/start/", views.application_start_view, name="start"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/declaration/", views.application_declare_view, name="declare"),
    path(
        "applications/<int:pk>/declaration/<slug:step>/", views.application_declare_view, name="declare_step"
    ),
    path(
        "applications/<int:pk>/materials/<slug:kind>/upload/",
        views.material_upload_view,
        name="upload",
    ),
    path("applications/<int:pk>/confirm/", views.application_confirm_view, name="confirm"),
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
