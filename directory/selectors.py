"""Reads that decide who may act where."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from .models import ROLE_PERMISSIONS, Membership, Unit


@dataclass(frozen=True)
class Acting:
    """Who acts, in which role, for which unit: what every audit event records."""

    user: object
    role: str
    unit: Unit


def find_acting(user, unit, codename, *, inherited=False):
    """The membership through which `user` holds `codename` on `unit`, or None.

    With `inherited`, a permission held on an ancestor counts too (a district
    supervisor sees a hamlet's dossier). The guardian tables are the authority;
    the membership row only names the role for the audit trail.
    """
    if not user.is_authenticated:
        return None
    unit_ids = unit.ancestor_ids if inherited else [unit.pk]
    memberships = list(
        Membership.objects.active_on(timezone.localdate())
        .filter(user=user, unit_id__in=unit_ids)
        .select_related("unit")
    )
    if not memberships:
        return None
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms([m.unit for m in memberships])
    # Nearest unit first: a hamlet head acts as hamlet head, not as a supervisor above.
    for membership in sorted(memberships, key=lambda m: -len(m.unit.path)):
        if codename in ROLE_PERMISSIONS.get(membership.role, ()) and checker.has_perm(
            codename, membership.unit
        ):
            return Acting(user=user, role=membership.role, unit=membership.unit)
    return None


def require_acting(user, unit, codename, *, inherited=False):
    acting = find_acting(user, unit, codename, inherited=inherited)
    if acting is None:
        raise PermissionDenied(
            _("You hold no role in %(unit)s that allows this action.") % {"unit": unit}
        )
    return acting


def visible_unit_paths(user):
    """Path prefixes of the units whose subtree `user` may see."""
    units = get_objects_for_user(
        user, "directory.view_unit_dossiers", klass=Unit, accept_global_perms=False
    )
    return list(units.values_list("path", flat=True))


def can_see_unit(user, unit):
    return find_acting(user, unit, "view_unit_dossiers", inherited=True) is not None
