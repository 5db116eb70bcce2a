from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.security import LoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("notifications/", include("notifications.urls")),
    path("", include("directory.urls")),
    path("", include("figures.urls")),
    path("api/", include("config.api_urls")),
    path("", include("titles.urls")),
    path("", include("documents.urls")),
    path("", include("evaluations.urls")),
    path("", include("workflows.urls")),
]
# Uploaded files (meeting minutes) are never served from MEDIA_URL, not even in
# development: only views that check the user may see the dossier serve them.
