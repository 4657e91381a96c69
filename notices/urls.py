from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/<int:pk>/", views.notice_detail, name="detail"),
    path("notices/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("cities/", views.cities, name="cities"),
    path("pass-lists/", views.pass_lists, name="pass_lists"),
    path("pass-lists/<int:pk>/", views.pass_list_detail, name="pass_list"),
    path("pass-lists/<int:pk>/download/<slug:kind>/", views.pass_list_file, name="pass_list_file"),
    path("pass-lists/<int:pk>/entries/<int:entry_id>/report/", views.report, name="report"),
    path("reports/lookup/", views.report_lookup, name="report_lookup"),
    path("regions/", views.regions, name="regions"),
    path("certificates/<int:pk>/book/", views.certificate_book, name="certificate_book"),
    path(
        "certificates/<int:pk>/cancel-booking/",
        views.certificate_booking_cancel,
        name="certificate_booking_cancel",
    ),
    path("manage/rounds/<int:pk>/certificates/", views.round_certificates, name="round_certificates"),
    path(
        "manage/rounds/<int:pk>/certificates/bookings.xlsx",
        views.round_bookings_export,
        name="round_bookings",
    ),
    path("manage/certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("manage/", views.manage_home, name="manage"),
    path("manage/rounds/<int:round_id>/imports/", views.import_upload, name="import_upload"),
    path("manage/imports/<int:pk>/", views.import_detail, name="import"),
    path("manage/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("manage/imports/<int:pk>/rejected/", views.import_rejected, name="import_rejected"),
    path("manage/imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("manage/imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("manage/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("manage/rounds/<int:pk>/supplementary/", views.round_supplementary, name="round_supplementary"),
    path("manage/rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("manage/rounds/<int:pk>/publication/", views.round_publication, name="round_publication"),
    path("manage/rounds/<int:pk>/export/", views.round_export, name="round_export"),
    path("manage/exports/<int:pk>/", views.export_download, name="export"),
    path("manage/dashboard/", views.dashboard, name="dashboard"),
    path("manage/candidates/", views.candidate_search, name="candidates"),
    path("manage/reviewers/", views.reviewers, name="reviewers"),
    path("manage/reviewers/<int:pk>/", views.reviewer_change, name="reviewer_change"),
    path("manage/candidates/<int:pk>/dossier/", views.candidate_dossier_view, name="dossier"),
    path("manage/candidates/<int:pk>/release/", views.candidate_release_view, name="candidate_release"),
    path("manage/dossiers/<int:pk>/", views.dossier_download, name="dossier_download"),
    path("manage/applications/<int:pk>/handle/", views.application_handle, name="application_handle"),
    path("manage/reports/", views.report_queue, name="reports"),
    path("manage/reports/<int:pk>/handle/", views.report_handle_view, name="report_handle"),
]
