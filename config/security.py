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
