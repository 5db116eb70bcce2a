"""POST /api/auth/token/ (username + password -> the caller's token), DELETE to revoke it.

The password check goes through Django's authenticate() with the plain request, so
django-axes counts and locks exactly as on the login page; a scoped throttle bounds
the requests per client on top (API_TOKEN_RATE).
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from workflows.services.api_tokens import obtain_token, revoke_token

from .schema import ErrorSerializer


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Username"), max_length=150)
    password = serializers.CharField(label=gettext_lazy("Password"), style={"input_type": "password"},
                                     trim_whitespace=False, max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as the header `Authorization: Token <token>`.")


class TokenView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_obtain", tags=["auth"], auth=[],
        summary="Obtain your API token",
        description=(
            "Exchange your username and password for your API token (the same token until you revoke it). "
            "Failed attempts count towards the login lock-out exactly as on the login page; requests are "
            "also throttled per client (429)."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Wrong username or password (code invalid)."),
            429: OpenApiResponse(ErrorSerializer, description="Locked out or throttled (code throttled)."),
        },
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        token = obtain_token(actor=user, address=request.META.get("REMOTE_ADDR", ""))
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_revoke", tags=["auth"],
        summary="Revoke your API token",
        description="Delete your token: every client using it is refused from now on. Obtain a new one with POST.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked (or there was none).")},
    )
    def delete(self, request):
        revoke_token(actor=request.user, address=request.META.get("REMOTE_ADDR", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)
