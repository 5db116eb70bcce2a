"""Writes on the directory: memberships and their object permissions."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from .models import ROLE_PERMISSIONS, Membership, membership_group_name


@transaction.atomic
def grant_membership(*, user, unit, role, since=None):
    """Give `user` the `role` in `unit`: a Membership row plus the guardian group.

    One group per (unit, role) holds the object permissions, so granting and
    ending a membership is only a change of group membership.
    """
    since = since or timezone.localdate()
    membership = Membership.objects.create(user=user, unit=unit, role=role, since=since)
    group, created = Group.objects.get_or_create(name=membership_group_name(unit, role))
    if created:
        for codename in ROLE_PERMISSIONS[role]:
            assign_perm(f"directory.{codename}", group, unit)
    user.groups.add(group)
    return membership


@transaction.atomic
def end_membership(*, membership, until=None):
    membership.until = until or timezone.localdate()
    membership.save(update_fields=["until"])
    still_holds = (
        Membership.objects.active_on(timezone.localdate())
        .filter(user=membership.user, unit=membership.unit, role=membership.role)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not still_holds:
        membership.user.groups.remove(
            Group.objects.get(name=membership_group_name(membership.unit, membership.role))
        )
    return membership
