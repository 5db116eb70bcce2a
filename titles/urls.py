"""The register's own pages (an award's pages are the dossier's, in workflows.urls; the public
verification is documents')."""

from django.urls import path

from . import views

app_name = "titles"

urlpatterns = [
    path("merit/<slug:title>/<int:unit>/<int:year>/", views.merit_list, name="merit"),
]
