"""A user's own notification settings and read marks."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RuleViolation

from ..models import ChannelPreference, Notification


def preference_for(user):
    return ChannelPreference.objects.filter(user=user).first() or ChannelPreference(user=user)


@transaction.atomic
def set_channels(*, actor, email, sms, phone=""):
    """Choose the channels that carry `actor`'s notifications besides the in-app list."""
    phone = "".join(ch for ch in (phone or "") if ch.isdigit() or ch == "+")
    if sms and not phone:
        raise RuleViolation(_("Give a phone number to receive SMS."))
    if email and not actor.email:
        raise RuleViolation(_("Your account has no email address; email cannot be chosen."))
    pref, _created = ChannelPreference.objects.update_or_create(
        user=actor, defaults={"email": bool(email), "sms": bool(sms), "phone": phone}
    )
    return pref


def mark_read(*, actor, ids=None):
    """Mark `actor`'s notifications read (all, or the given ones); others' rows are untouched."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
