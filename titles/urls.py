"""Award pages and the public certificate verification."""

from django.urls import path

from . import views

app_name = "titles"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("awards/<int:pk>/provenance/", views.provenance, name="provenance"),
    path("awards/<int:pk>/provenance.json", views.provenance_json, name="provenance_json"),
    path("awards/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("awards/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("dossiers/<int:pk>/concerns/", views.concerns, name="concerns"),
    path("merit/<slug:title>/<int:unit>/<int:year>/", views.merit_list, name="merit"),
]
