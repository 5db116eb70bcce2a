"""The documents officials print and sign, the list of recognized households made public."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("dossiers/<int:pk>/documents/", views.index, name="index"),
    # Before <kind>.pdf, which would take "certificates" for a kind.
    path("dossiers/<int:pk>/documents/certificates.pdf", views.certificates, name="certificates"),
    path("dossiers/<int:pk>/documents/<slug:kind>.docx", views.document, name="document"),
    path("dossiers/<int:pk>/documents/<slug:kind>.pdf", views.document_pdf, name="document_pdf"),
    path("dossiers/<int:pk>/documents/published/", views.publish, name="publish"),
    path("published/<str:code>/", views.published, name="published"),
]
