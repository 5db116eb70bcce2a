"""Reads that decide who may act where."""

import functools
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from .models import GRANTABLE_ROLES, ROLE_PERMISSIONS, Level, Membership, Unit


@dataclass(frozen=True)
class Acting:
    """Who acts, in which role, for which unit: what every audit event records."""

    user: object
    role: str
    unit: Unit


class Access:
    """What one user holds, read at most once for a page that asks several questions of it (the dossier
    page: may it see the dossier, which buttons to offer): the memberships active today and the grants.
    Lives as long as the request that made it; a service never keeps one across a write."""

    def __init__(self, user):
        self.user = user
        self._memberships = self._grants = None

    def memberships(self):
        if self._memberships is None:
            self._memberships = list(Membership.objects.active_on(timezone.localdate())
                                     .filter(user=self.user).select_related("unit"))
        return self._memberships

    def grants(self):
        if self._grants is None:
            self._grants = grants_of(self.user)
        return self._grants


def find_acting(user, unit, codename, *, inherited=False, access=None):
    """The membership through which `user` holds `codename` on `unit`, or None.

    With `inherited`, a permission held on an ancestor counts too (a district
    supervisor sees a hamlet's dossier). The guardian tables are the authority;
    the membership row only names the role for the audit trail.
    """
    return find_acting_each(user, unit, (codename,), inherited=inherited, access=access)[codename]


def find_acting_each(user, unit, codenames, *, inherited=False, access=None):
    """{codename: what find_acting answers for it} for several permissions on one unit,
    the memberships and grants read once for all of them (a page asking which of its
    buttons to offer). `access`: an `Access` of `user` that already read them, or will
    for the page's next question."""
    found = dict.fromkeys(codenames)
    if not user.is_authenticated or not user.is_active:  # guardian's rule: an inactive user holds nothing
        return found
    unit_ids = unit.ancestor_ids if inherited else [unit.pk]
    if access is not None:
        wanted = set(unit_ids)
        memberships = [m for m in access.memberships() if m.unit_id in wanted]
    else:
        memberships = list(
            Membership.objects.active_on(timezone.localdate())
            .filter(user=user, unit_id__in=unit_ids)
            .select_related("unit")
        )
    grants = None
    for codename in codenames:
        candidates = [m for m in memberships if codename in ROLE_PERMISSIONS.get(m.role, ())]
        if not candidates:
            continue
        if grants is None:
            grants = access.grants() if access is not None else grants_of(user)
        granted = ({m.unit_id for m in candidates} if grants.superuser else
                   {held.pk for held in grants.units.get(f"{Unit._meta.app_label}.{codename}", ())})
        # Nearest unit first: a hamlet head acts as hamlet head, not as a supervisor above.
        for membership in sorted(candidates, key=lambda m: -len(m.unit.path)):
            if membership.unit_id in granted:
                found[codename] = Acting(user=user, role=membership.role, unit=membership.unit)
                break
    return found


@dataclass(frozen=True)
class GrantedUnit:
    pk: int
    path: str
    level: str


@dataclass(frozen=True)
class Grants:
    """Every permission a user holds: the model permissions and the guardian object
    permissions, their own and their groups', with the path and level of each unit
    an object permission is held on."""

    superuser: bool
    model_perms: frozenset  # "app_label.codename", held on every object
    object_perms: frozenset  # ("app_label.codename", object pk as text)
    units: dict  # "app_label.codename" -> [GrantedUnit] it is held on

    def unit_paths(self, perm):
        """Path prefixes of the units whose subtree `perm` covers; None means every
        unit (a superuser, as guardian's get_objects_for_user answers)."""
        if self.superuser:
            return None
        return sorted({unit.path for unit in self.units.get(perm, ())})

    def units_with(self, perm, level=None):
        return [unit for unit in self.units.get(perm, ()) if level is None or unit.level == level]


@functools.cache
def _grants_sql():
    """One statement for what guardian (user and group object permissions) and
    Django's ModelBackend (user and group permissions) each read separately.

    Raw SQL on purpose: it runs at the start of every service call (find_acting)
    and on every inbox load, and the same union built with the ORM cost ~10 ms
    of Python on the bench machine (guardian's ObjectPermissionChecker ~7 ms).
    Table and column names come from the models."""
    user_model = get_user_model()
    memberships = user_model.groups.through._meta
    own_perms = user_model.user_permissions.through._meta
    group_perms = Group.permissions.through._meta

    def table(meta):
        return connection.ops.quote_name(meta.db_table)

    def col(meta, field):
        return connection.ops.quote_name(meta.get_field(field).column)

    uop, gop = UserObjectPermission._meta, GroupObjectPermission._meta
    perm, ctype, unit = Permission._meta, ContentType._meta, Unit._meta
    m_user, m_group = col(memberships, user_model.__name__.lower()), col(memberships, "group")
    return f"""
        SELECT ct.{col(ctype, "app_label")}, p.{col(perm, "codename")}, g.object_pk, u.{col(unit, "path")},
               u.{col(unit, "level")}
        FROM (
            SELECT {col(uop, "permission")} AS permission_id, {col(uop, "content_type")} AS content_type_id,
                   {col(uop, "object_pk")} AS object_pk
            FROM {table(uop)} WHERE {col(uop, "user")} = %(user)s
            UNION
            SELECT o.{col(gop, "permission")}, o.{col(gop, "content_type")}, o.{col(gop, "object_pk")}
            FROM {table(gop)} o JOIN {table(memberships)} m ON m.{m_group} = o.{col(gop, "group")}
            WHERE m.{m_user} = %(user)s
            UNION
            SELECT {col(own_perms, "permission")}, NULL, NULL
            FROM {table(own_perms)} WHERE {col(own_perms, user_model.__name__.lower())} = %(user)s
            UNION
            SELECT gp.{col(group_perms, "permission")}, NULL, NULL
            FROM {table(group_perms)} gp JOIN {table(memberships)} m ON m.{m_group} = gp.{col(group_perms, "group")}
            WHERE m.{m_user} = %(user)s
        ) g
        JOIN {table(perm)} p ON p.{col(perm, "id")} = g.permission_id
        JOIN {table(ctype)} ct ON ct.{col(ctype, "id")} = COALESCE(g.content_type_id, p.{col(perm, "content_type")})
        LEFT JOIN {table(unit)} u ON u.{col(unit, "id")} = CASE WHEN g.content_type_id = %(unit_type)s
                                                          THEN CAST(g.object_pk AS bigint) END
    """


def grants_of(user):
    """The `Grants` of `user`, in one query (none for an anonymous user)."""
    if not user.is_authenticated:
        return Grants(False, frozenset(), frozenset(), {})
    unit_type = ContentType.objects.get_for_model(Unit).pk  # cached by Django after the first call
    with connection.cursor() as cursor:
        cursor.execute(_grants_sql(), {"user": user.pk, "unit_type": unit_type})
        rows = cursor.fetchall()
    model_perms, object_perms, units = set(), set(), defaultdict(list)
    for app, code, obj, path, level in rows:
        if obj is None:
            # Django's ModelBackend ignores the model permissions of an inactive user.
            if user.is_active:
                model_perms.add(f"{app}.{code}")
            continue
        object_perms.add((f"{app}.{code}", obj))
        if path is not None:
            units[f"{app}.{code}"].append(GrantedUnit(int(obj), path, level))
    return Grants(user.is_superuser, frozenset(model_perms), frozenset(object_perms), dict(units))


def require_acting(user, unit, codename, *, inherited=False):
    acting = find_acting(user, unit, codename, inherited=inherited)
    if acting is None:
        raise PermissionDenied(
            _("You hold no role in %(unit)s that allows this action.") % {"unit": unit}
        )
    return acting


def visible_unit_paths(user):
    """Path prefixes of the units whose subtree `user` may see: where it holds view_unit_dossiers as a
    guardian object permission, its own or a group's (guardian's get_objects_for_user with
    accept_global_perms=False), every unit for a superuser (the top units' paths cover them all).

    From the one statement grants_of reads: guardian's queryset cost ~3 ms of Python on every API
    request (issue 17, benchmarks/README.md)."""
    paths = grants_of(user).unit_paths(f"{Unit._meta.app_label}.view_unit_dossiers")
    if paths is None:
        return list(Unit.objects.filter(parent__isnull=True).values_list("path", flat=True))
    return paths


def paths_q(paths, field):
    """Rows whose `field` (a unit path) lies in one of the subtrees `paths`: the same
    rule as the UI's selectors; nothing at all when the user sees no unit."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def visible_q(request, field):
    """Rows under the units the request's user may see (the API's viewsets). The visible
    subtrees are cached on the request: one query per request."""
    paths = getattr(request, "_visible_unit_paths", None)
    if paths is None:
        paths = request._visible_unit_paths = visible_unit_paths(request.user)
    return paths_q(paths, field)


def can_see_unit(user, unit):
    return find_acting(user, unit, "view_unit_dossiers", inherited=True) is not None


def hamlets_managed_by(user, *, paths=False, codename="manage_households"):
    """The hamlets, valid today, whose households `user` may manage: those it heads and those of the
    communes it serves (the permission held on an ancestor covers the subtree). `paths`: the user's
    Grants.unit_paths("directory.manage_households"), when the caller already asked. `codename`:
    another permission read the same way (manage_front_records: people and collectives)."""
    if paths is False:
        paths = grants_of(user).unit_paths(f"directory.{codename}")
    hamlets = Unit.objects.valid_on(timezone.localdate()).filter(level=Level.HAMLET)
    if paths is None:
        return hamlets
    if not paths:
        return hamlets.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return hamlets.filter(condition)


def acting_on_each(user, units, codename, *, grants=None):
    """{unit id: Acting} for each of `units` on which `user` holds `codename` through a membership in the unit
    or one of its ancestors: what find_acting(..., inherited=True) answers unit by unit, in two queries
    whatever the number of units (a district's household file names a hundred hamlets); one with `grants`
    (what grants_of answered, when the caller already asked)."""
    units = list(units)
    if not units or not user.is_authenticated or not user.is_active:
        return {}
    memberships = [m for m in Membership.objects.active_on(timezone.localdate()).filter(user=user)
                   .select_related("unit") if codename in ROLE_PERMISSIONS.get(m.role, ())]
    if not memberships:
        return {}
    grants = grants or grants_of(user)
    granted = ({m.unit_id for m in memberships} if grants.superuser else
               {held.pk for held in grants.units.get(f"{Unit._meta.app_label}.{codename}", ())})
    # Nearest unit first, as find_acting: a hamlet head acts as hamlet head, not as the commune's officer.
    usable = sorted((m for m in memberships if m.unit_id in granted), key=lambda m: -len(m.unit.path))
    found = {}
    for unit in units:
        for membership in usable:
            if unit.path.startswith(membership.unit.path):
                found[unit.pk] = Acting(user=user, role=membership.role, unit=membership.unit)
                break
    return found


def units_whose_roles_are_managed_by(user):
    """The units, valid today, in which `user` gives and ends roles: those strictly below a unit where it
    holds manage_roles, at a level where roles are given (directory.models.GRANTABLE_ROLES)."""
    units = Unit.objects.valid_on(timezone.localdate()).filter(level__in=list(GRANTABLE_ROLES))
    grants = grants_of(user)
    if grants.superuser:
        return units
    condition = Q()
    for unit in grants.units.get("directory.manage_roles", ()):
        condition |= Q(path__startswith=unit.path) & ~Q(pk=unit.pk)
    return units.filter(condition) if condition else units.none()
