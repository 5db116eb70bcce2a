from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("evaluations/", views.index, name="index"),
    path("evaluations/open/", views.open_report, name="open"),
    path("evaluations/reports/<int:pk>/", views.report_detail, name="report"),
    path("evaluations/reports/<int:pk>/save/", views.save, name="save"),
    path("evaluations/reports/<int:pk>/submit/", views.submit, name="submit"),
    path("evaluations/reports/<int:pk>/accept/", views.accept, name="accept"),
    path("evaluations/reports/<int:pk>/return/", views.return_report, name="return"),
    path("evaluations/reports/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("evaluations/units/<int:pk>/<int:year>/roadmap/", views.roadmap, name="roadmap"),
    path("evaluations/units/<int:pk>/<int:year>/roadmap/copy/", views.roadmap_copy, name="roadmap_copy"),
    path("evaluations/hamlets/<int:pk>/<int:year>/poor/", views.poor_households, name="poor"),
    path("evaluations/hamlets/<int:pk>/<int:year>/poor/add/", views.poor_add, name="poor_add"),
    path("evaluations/hamlets/<int:pk>/<int:year>/poor/<int:entry_pk>/sponsors/", views.sponsor_add,
         name="sponsor_add"),
    path("evaluations/hamlets/<int:pk>/<int:year>/sponsors/<int:sponsor_pk>/support/", views.support_add,
         name="support_add"),
    path("evaluations/hamlets/<int:pk>/<int:year>/poor/<int:entry_pk>/review/", views.poor_review,
         name="poor_review"),
]
