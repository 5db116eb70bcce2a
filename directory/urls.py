from django.urls import path

from . import views, views_front

app_name = "directory"

urlpatterns = [
    path("households/manage/", views.household_list, name="households"),
    path("households/manage/add/", views.household_add, name="household_add"),
    path("households/manage/<int:pk>/", views.household_edit, name="household_edit"),
    path("households/manage/<int:pk>/active/", views.household_set_active, name="household_set_active"),
    path("households/import/", views.household_import, name="household_import"),
    path("households/import/<int:pk>/", views.household_import_progress, name="household_import_progress"),
    path("households/import/template.xlsx", views.household_import_template, name="household_import_template"),
    path("households/import/refused.xlsx", views.household_import_refused, name="household_import_refused"),
    path("people/", views.people, name="people"),
    path("people/give/", views.give_role, name="give_role"),
    path("people/<int:pk>/end/", views.end_role, name="end_role"),
    path("front/records/", views_front.front_records, name="front_records"),
    path("front/people/add/", views_front.person_add, name="person_add"),
    path("front/people/<int:pk>/", views_front.person_edit, name="person_edit"),
    path("front/collectives/add/", views_front.collective_add, name="collective_add"),
    path("front/collectives/<int:pk>/", views_front.collective_edit, name="collective_edit"),
]
