from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("", views.home, name="home"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier"),
]
