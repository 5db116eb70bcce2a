"""One error shape for every API response that is not a success.

    {"code": "<machine code>", "message": "<message for people, in Vietnamese>", "details": ...}

Codes: rule_violation (400, a service refused the action and changed nothing),
invalid (400, the request itself is malformed; `details` maps fields to errors),
not_authenticated (401), permission_denied (403), not_found (404),
method_not_allowed (405), unsupported_media_type (415), conflict (409),
throttled (429).
"""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.csrf import csrf_exempt
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflows.services import RuleViolation


# Django REST framework's messages for authentication, permission and throttling,
# which its own Vietnamese catalogue lacks. Listed here so that makemessages keeps
# them in ours, which takes precedence (LOCALE_PATHS): DRF's own gettext calls then
# answer in Vietnamese like every other message.
DRF_MESSAGES = [
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Invalid token."),
    gettext_noop("Invalid token header. No credentials provided."),
    gettext_noop("Invalid token header. Token string should not contain spaces."),
    gettext_noop("Invalid token header. Token string should not contain invalid characters."),
    gettext_noop("Invalid basic header. No credentials provided."),
    gettext_noop("User inactive or deleted."),
    gettext_noop("Request was throttled."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("Could not satisfy the request Accept header."),
    gettext_noop("Malformed request."),
]


def _messages(error):
    return [str(m) for m in error.messages]


def _body(code, message, details=None):
    return {"code": code, "message": str(message), "details": details}


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        messages = _messages(exc)
        return Response(_body("rule_violation", " ".join(messages), messages), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionNotAllowed):
        return Response(_body("rule_violation", _("This action is not possible in the dossier's current state.")),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConcurrentTransition):
        return Response(
            _body("conflict", _("Someone else changed this dossier at the same time. Reload and try again.")),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else _messages(exc)
        return Response(_body("invalid", _("The submitted data is invalid."), details),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or you may not see it."))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("You may not do this."))

    if isinstance(exc, SuspiciousOperation):
        # Chiefly RequestDataTooBig: a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
        return Response(_body("invalid", _("The request is too large or malformed.")),
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (OverflowError, DataError)):
        # A filter value no column can hold (year=10**30): the request is wrong, not the server.
        return Response(_body("invalid", _("A number in the request is out of range.")),
                        status=status.HTTP_400_BAD_REQUEST)

    if isinstance(exc, exceptions.Throttled):
        # DRF formats the wait into its sentence before translating it; say it in ours.
        wait = max(1, math.ceil(exc.wait or 1))
        exc = exceptions.Throttled(detail=ngettext(
            "Too many requests. Try again in %(n)s second.", "Too many requests. Try again in %(n)s seconds.",
            wait) % {"n": wait})
        exc.wait = wait  # the Retry-After header

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body("invalid", _("The submitted data is invalid."), exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, exceptions.PermissionDenied):
            code = "permission_denied"
        response.data = _body(code if isinstance(code, str) else "error", detail)
    return response


@csrf_exempt  # it changes nothing; a CSRF refusal here would be an HTML page
def not_found(request, *args, **kwargs):
    """The API's answer for any path under /api/ that matches no endpoint: JSON, not an HTML page."""
    return JsonResponse(_body("not_found", _("Not found, or you may not see it.")), status=404)
