"""Authentication hardening that belongs to no domain app."""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for credential checks that come with a request.

    Axes refuses to run without a request (it keys lockouts on the client
    address). Checks made without one (the test client's login(), management
    commands) have no address to lock and are left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The lock-out page: in the site frame, saying how long to wait and whom to ask.

    The wait is AXES_COOLOFF_TIME (hours), shown in whole minutes.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta):
        cooloff = timedelta(hours=float(cooloff))
    minutes = max(1, round(cooloff.total_seconds() / 60))
    if request.path.startswith("/api/"):
        # API clients (POST /api/auth/token/) get the API's error shape, not a page.
        message = ngettext(
            "Too many failed logins: this account is locked for %(n)s minute.",
            "Too many failed logins: this account is locked for %(n)s minutes.", minutes) % {"n": minutes}
        return JsonResponse({"code": "throttled", "message": message, "details": {"wait_minutes": minutes}},
                            status=429)
    return render(request, "registration/lockout.html", {
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "scope": getattr(request, "lockout_scope", ""),
        "support_contact": settings.ACCOUNT_SUPPORT_CONTACT,
    }, status=429)


class SprayingAwareHandler(AxesDatabaseHandler):
    """Axes' database handler, with two wider locks on top of its username-and-address one.

    A username-and-address lock alone lets one address try a few passwords on every
    account (password spraying), and lets many addresses share the guesses on one
    account. Axes compares every lockout parameter with the same limit, and a limit
    low enough for one account would lock a whole commune office behind one address
    after a few typos; so the recent failures are also summed per address (over all
    usernames) and per username (over all addresses) and compared with their own
    limits. Both locks end with the same cool-off.
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        recent = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        wide = [
            ("address", recent.filter(ip_address=request.axes_ip_address), settings.AXES_ADDRESS_FAILURE_LIMIT),
            ("username", recent.filter(username=username), settings.AXES_USERNAME_FAILURE_LIMIT),
        ]
        for scope, attempts, wide_limit in wide:
            if (attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0) >= wide_limit:
                # The lock-out page says which lock it is: "from this device" would be wrong here.
                request.lockout_scope = scope
                return max(failures, limit)
        return failures


class LoginForm(AuthenticationForm):
    """The login form, with the username's length actually checked.

    Django's form only sets max_length on the field after it is built, so no
    validator enforces it: an over-long username reached authentication and axes'
    failure record (a 255-character column), a server error on PostgreSQL.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user (web session or API token) is marked not to be stored.

    Those pages carry households' names, phone numbers, votes and certificates: a
    shared computer's browser cache or an intermediate proxy must not keep them.
    It sits below WhiteNoise, so static files keep their long cache lifetime, and
    anonymous pages (log-in, the public /verify/ page, which sets its own headers) are
    left as their views made them. DRF sets the token's user on the request, so API
    responses are covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character in any submitted field of a web page is answered 400, before any view runs.

    Nothing a person types contains one, and PostgreSQL refuses it in every text
    value: a search box or a table cell the view passes on unchecked (the tally and
    appraisal rows are read from the raw form) became a server error. The API's
    serializers and filters refuse it field by field in their own error shape.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and _has_nul(request):
            return render(request, "400.html", {
                "reason": _("A field of the form contains a NUL character (code 0), which no text may contain. "
                            "Retype the text instead of pasting it."),
            }, status=400)
        return self.get_response(request)


def _has_nul(request):
    fields = [request.GET]
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data"):
        fields.append(request.POST)
    return any("\x00" in key or any("\x00" in value for value in values)
               for data in fields for key, values in data.lists())
