from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/next/", views.claim_next, name="claim_next"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/claim/", views.claim, name="claim"),
    path("review/<int:pk>/release/", views.release, name="release"),
    path("review/<int:pk>/decide/", views.decide, name="decide"),
    path("review/<int:pk>/materials/<int:material_id>/verdict/", views.verdict, name="verdict"),
    path("employer/", views.employer_home, name="employer_home"),
    path("employer/bulk-approve/", views.employer_bulk, name="employer_bulk"),
    path("employer/colleagues/", views.employer_colleagues, name="employer_colleagues"),
    path("employer/applications/<int:pk>/", views.employer_application, name="employer_application"),
    path("employer/applications/<int:pk>/approve/", views.employer_approve_view, name="employer_approve"),
    path("employer/applications/<int:pk>/return/", views.employer_return_view, name="employer_return"),
    path("employer/invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path("applications/<int:pk>/appeal/", views.appeal, name="appeal"),
]
