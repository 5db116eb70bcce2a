"""One-time form tokens: a form sent twice is recorded once."""

from django.db import IntegrityError, transaction

from .models import UsedFormToken


class AlreadySent(Exception):
    """The same form (its one-time token) was already accepted for this user."""


@transaction.atomic
def once(*, actor, token, perform):
    """Run `perform()` unless `actor` already sent a form carrying `token`.

    The token is claimed first, in the same transaction as the write: a second
    request with it waits on the unique index until the first commits, then is
    told it was already sent; if the first is refused (rolled back), the token is
    free again. A form without a token (an older page, a script) relies on the
    dossier revision it carries instead.
    """
    if token:
        try:
            with transaction.atomic():
                UsedFormToken.objects.create(user=actor, token=token)
        except IntegrityError:
            raise AlreadySent() from None
    return perform()
