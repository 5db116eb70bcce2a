from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("rounds/open/", views.open_round, name="open_round"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier"),
    path("dossiers/<int:pk>/history/", views.dossier_history, name="history"),
    path("dossiers/<int:pk>/register/", views.register, name="register"),
    path("dossiers/<int:pk>/registrations/<int:nomination_pk>/withdraw/", views.withdraw, name="withdraw"),
    path("dossiers/<int:pk>/self-assessments/", views.assessments, name="assessments"),
    path("dossiers/<int:pk>/meeting/", views.meeting, name="meeting"),
    path("dossiers/<int:pk>/meeting/draft/", views.meeting_draft, name="meeting_draft"),
    path("dossiers/<int:pk>/meeting/sync/", views.meeting_sync, name="meeting_sync"),
    path("dossiers/<int:pk>/minutes/attach/", views.attach_minutes, name="attach_minutes"),
    path("dossiers/<int:pk>/meetings/<int:meeting_pk>/minutes/<int:number>/", views.minutes_file, name="minutes"),
    path("dossiers/<int:pk>/posting/", views.posting, name="posting"),
    path("dossiers/<int:pk>/comments/new/", views.comment, name="comment"),
    path("dossiers/<int:pk>/submit/", views.submit, name="submit"),
    path("dossiers/<int:pk>/appraise/", views.appraise, name="appraise"),
    path("dossiers/<int:pk>/return/", views.return_dossier, name="return"),
    path("dossiers/<int:pk>/council/", views.council, name="council"),
    path("dossiers/<int:pk>/decide/", views.decide, name="decide"),
    path("merit/<slug:title>/<int:unit>/<int:year>/open/", views.open_merit_round, name="open_merit_round"),
    path("dossiers/<int:pk>/instruments/", views.instruments, name="instruments"),
    path("dossiers/<int:pk>/honour-list/", views.honour_list, name="honour_list"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("hamlets/<int:pk>/", views.hamlet_detail, name="hamlet"),
    path("dossiers/<int:pk>/concerns/", views.concerns, name="concerns"),
    path("awards/<int:pk>/provenance/", views.provenance, name="provenance"),
    path("awards/<int:pk>/provenance.json", views.provenance_json, name="provenance_json"),
    path("awards/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("awards/<int:pk>/revoke/", views.revoke, name="revoke"),
]
