"""Authentication hardening that belongs to no domain app."""

from axes.backends import AxesStandaloneBackend


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
    from datetime import timedelta

    from django.conf import settings
    from django.shortcuts import render

    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta):
        cooloff = timedelta(hours=float(cooloff))
    minutes = max(1, round(cooloff.total_seconds() / 60))
    return render(request, "registration/lockout.html", {
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "support_contact": settings.ACCOUNT_SUPPORT_CONTACT,
    }, status=429)
