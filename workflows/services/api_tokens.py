"""A user's own API token: obtained with their password, revoked by themselves.

Not a dossier transition, so it writes no dossier audit event; the security log
records who obtained or revoked a token and from where.
"""

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

log = logging.getLogger("thidua.security")


def obtain_token(*, actor, address=""):
    """The actor's token, created on first use; asking again returns the same one."""
    with transaction.atomic():
        token, created = Token.objects.select_for_update().get_or_create(user=actor)
    log.info("api token %s for %s from %s", "created" if created else "returned", actor.get_username(), address)
    return token


def revoke_token(*, actor, address=""):
    """Delete the actor's token: every client using it is refused from now on. True if there was one."""
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=actor).delete()
    log.info("api token revoked for %s from %s (%s)", actor.get_username(), address, bool(deleted))
    return bool(deleted)
