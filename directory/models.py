"""Administrative units, households and who holds which role where."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    HAMLET = "hamlet", _("Hamlet")


LEVEL_DEPTH = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.HAMLET: 3}


class UnitKind(models.TextChoices):
    TINH = "tinh", _("Province (tỉnh)")
    THANH_PHO = "thanh_pho", _("City (thành phố)")
    HUYEN = "huyen", _("District (huyện)")
    XA = "xa", _("Commune (xã)")
    THI_TRAN = "thi_tran", _("Township (thị trấn)")
    PHUONG = "phuong", _("Ward (phường)")
    AP = "ap", _("Hamlet (ấp)")
    KHU_PHO = "khu_pho", _("Urban quarter (khu phố)")
    THON = "thon", _("Village (thôn)")
    TO_DAN_PHO = "to_dan_pho", _("Residential group (tổ dân phố)")


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def subtree_of(self, unit):
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A dated administrative unit.

    Units are never edited across a reorganisation: a merged commune is a new row
    with its own validity, so a 2021 dossier keeps pointing at the 2021 commune.
    `path` holds the ancestor ids ("/1/4/17/") so a whole subtree is one indexed
    prefix query.
    """

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # The unit that takes over after valid_to (a merged commune, a renumbered
    # hamlet), where the reorganisation names one: refusals of acts dated after
    # valid_to point the user there.
    successor = models.ForeignKey(
        "self", verbose_name=_("successor unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # A hamlet's active households, kept by the database itself (triggers of migration
    # directory 0011) on every insert, update and delete of a household, whoever writes
    # it: the services, the import's bulk writes, the seeders' COPY. The roll-up and the
    # dashboard read it instead of counting 900,000 households of a province per request.
    active_households = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        permissions = [
            ("view_unit_dossiers", _("Can see the dossiers of this unit and its subtree")),
            ("prepare_dossier", _("Can open rounds, register households or hamlets and submit dossiers")),
            ("record_review", _("Can record self-assessments, review meetings and postings")),
            ("appraise_dossier", _("Can appraise dossiers sent to this unit")),
            ("decide_title", _("Can sign recognition decisions for this unit")),
            ("supervise", _("Can supervise the dossiers of this unit's subtree")),
            ("see_household_phone", _("Can see household phone numbers")),
            ("manage_households", _("Can add, edit, move and deactivate the households of this unit's hamlets")),
            ("manage_roles", _("Can create accounts and give or end roles in the units below this one")),
            ("manage_front_records", _("Can add and edit the people and collectives of this unit's hamlets")),
            # The Front's evaluation of the campaign (evaluations/): one codename per stage of its route.
            ("report_evaluation", _("Can fill in and send this unit's evaluation reports of the campaign")),
            ("review_evaluation", _("Can accept or return the evaluation reports sent to this unit")),
            ("inspect_evaluation", _("Can record inspections and re-inspections of the units below this one")),
            ("plan_roadmap", _("Can set this unit's roadmap targets for the campaign")),
            ("record_sponsorship", _("Can record poor households' sponsors and the support given")),
            # 18 November proposals (workflows.procedures.festival): one codename per stage of its route.
            ("propose_commendation", _("Can open and send this hamlet's 18 November proposal lists")),
            ("appraise_commendation", _("Can appraise the 18 November proposal lists sent to this unit's Front")),
            ("grant_front_commendation", _("Can sign this unit's Front decisions granting 18 November commendations")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path needs the primary key, hence the second write on creation.
        creating = self.pk is None
        if creating:
            self.path = ""
            super().save(*args, **kwargs)
            kwargs = {}
        self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        super().save(update_fields=["path"] if creating else None, **kwargs)

    @property
    def ancestor_ids(self):
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestor_at(self, level):
        """The unit of `level` above (or equal to) this one, or None."""
        if self.level == level:
            return self
        return Unit.objects.filter(pk__in=self.ancestor_ids, level=level).first()

    def is_valid_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class Household(models.Model):
    hamlet = models.ForeignKey(
        Unit, verbose_name=_("hamlet"), on_delete=models.PROTECT, related_name="households"
    )
    code = models.CharField(_("household code"), max_length=32, unique=True)
    head_name = models.CharField(_("head of household"), max_length=120)
    address = models.CharField(_("address"), max_length=255, blank=True)
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["hamlet_id", "code"]

    def __str__(self):
        return f"{self.head_name} ({self.code})"


class Role(models.TextChoices):
    HAMLET_HEAD = "hamlet_head", _("Hamlet head")
    HAMLET_FRONT_HEAD = "hamlet_front_head", _("Head of hamlet Front work committee")
    COMMUNE_OFFICER = "commune_officer", _("Commune culture officer")
    COMMUNE_CHAIR = "commune_chair", _("Chair of commune People's Committee")
    COMMUNE_FRONT_CHAIR = "commune_front_chair", _("Chair of commune Front committee")
    DISTRICT_OFFICE = "district_office", _("District culture office")
    DISTRICT_CHAIR = "district_chair", _("Chair of district People's Committee")
    DISTRICT_FRONT_BOARD = "district_front_board", _("District Front standing board")
    SUPERVISOR = "supervisor", _("Front supervisor")
    PROVINCE_OFFICE = "province_office", _("Provincial emulation and commendation office")
    PROVINCE_FRONT_BOARD = "province_front_board", _("Provincial Front standing board")


# Which object permissions on its unit each role carries. Authorisation policy,
# not law: who may decide is further restricted by the rule set's deciding level.
ROLE_PERMISSIONS = {
    Role.HAMLET_HEAD: ["view_unit_dossiers", "prepare_dossier", "record_review", "see_household_phone",
                       "manage_households"],
    Role.HAMLET_FRONT_HEAD: ["view_unit_dossiers", "record_review", "manage_front_records", "report_evaluation",
                             "record_sponsorship", "propose_commendation"],
    # prepare_dossier and record_review on the commune itself: the commune lists its hamlets
    # for the hamlet title (titles.subjects.HamletSubject) and records the commune meeting.
    # They are not inherited, so they give nothing on a hamlet's Cultural Family dossier.
    Role.COMMUNE_OFFICER: ["view_unit_dossiers", "prepare_dossier", "record_review", "appraise_dossier",
                           "see_household_phone", "manage_households", "manage_roles"],
    Role.COMMUNE_CHAIR: ["view_unit_dossiers", "decide_title"],
    # manage_front_records on the commune covers its hamlets' people and collectives (inherited). The Front's
    # evaluation: the commune's own report and roadmap, its hamlets' reports (review_evaluation on the commune)
    # and, inherited, their sponsorship ledgers. The 18/11 stages are the Front's own
    # (workflows.procedures.festival): no People's Committee role holds them.
    Role.COMMUNE_FRONT_CHAIR: ["view_unit_dossiers", "supervise", "manage_front_records", "report_evaluation",
                               "review_evaluation", "plan_roadmap", "record_sponsorship", "appraise_commendation",
                               "grant_front_commendation"],
    Role.DISTRICT_OFFICE: ["view_unit_dossiers", "appraise_dossier", "manage_roles"],
    Role.DISTRICT_CHAIR: ["view_unit_dossiers", "decide_title"],
    Role.DISTRICT_FRONT_BOARD: ["view_unit_dossiers", "supervise", "report_evaluation", "review_evaluation",
                                "inspect_evaluation", "grant_front_commendation"],
    Role.SUPERVISOR: ["view_unit_dossiers", "supervise"],
    Role.PROVINCE_OFFICE: ["view_unit_dossiers", "manage_roles"],
    Role.PROVINCE_FRONT_BOARD: ["view_unit_dossiers", "supervise", "report_evaluation", "review_evaluation",
                                "inspect_evaluation", "grant_front_commendation"],
}

# Which roles an office may give, by the level of the unit the role is held in. An office gives roles
# only in the units below its own (manage_roles held on an ancestor), never in its own unit, so nobody
# raises themselves; supervisors are appointed by the Front, outside this engine (the admin).
GRANTABLE_ROLES = {
    Level.HAMLET: (Role.HAMLET_HEAD, Role.HAMLET_FRONT_HEAD),
    Level.COMMUNE: (Role.COMMUNE_OFFICER, Role.COMMUNE_CHAIR, Role.COMMUNE_FRONT_CHAIR),
    Level.DISTRICT: (Role.DISTRICT_OFFICE, Role.DISTRICT_CHAIR, Role.DISTRICT_FRONT_BOARD),
}


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(since__lte=day).filter(
            models.Q(until__isnull=True) | models.Q(until__gte=day)
        )


class Membership(models.Model):
    """A user holding a role in a unit for a period.

    Granting and ending go through directory.services, which keep the guardian
    group permissions in step: the permission tables are what every check reads.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["user", "unit"])]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.unit}"

    @property
    def effective_until(self):
        """A membership ends with its unit: the earlier of its own end and the unit's
        valid_to. Acts check it (workflows.services.common.check_role_in_force);
        reading does not, so a ceased district's accounts still read its past years."""
        ends = [day for day in (self.until, self.unit.valid_to) if day is not None]
        return min(ends) if ends else None

    @property
    def group_name(self):
        return membership_group_name(self.unit, self.role)


# The guardian groups of the memberships, one per (unit, role), are named with this prefix.
GROUP_PREFIX = "unit:"


def group_name(unit_code, role):
    return f"{GROUP_PREFIX}{unit_code}:{role}"


def membership_group_name(unit, role):
    return group_name(unit.code, role)


class OfficeRecord(models.Model):
    """Who changed the directory through an office page, in which role, for which unit, when and why:
    the part every change record of the directory shares."""

    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        abstract = True


class HouseholdChange(OfficeRecord):
    """One dated change to a household's master data: who, in which role, for which unit, when, what.

    Written by directory.services in the same transaction as the change; never edited. A moved or
    deactivated household keeps its row (and so every nomination and award that points at it)."""

    class Action(models.TextChoices):
        CREATED = "created", _("added")
        UPDATED = "updated", _("edited")
        MOVED = "moved", _("moved to another hamlet")
        DEACTIVATED = "deactivated", _("deactivated")
        REACTIVATED = "reactivated", _("reactivated")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # {"field": [old, new]}; for a creation, old is None.
    changes = models.JSONField(_("changes"), default=dict)
    source = models.CharField(_("source"), max_length=200, blank=True)  # e.g. the imported file's name

    class Meta:
        verbose_name = _("household change")
        verbose_name_plural = _("household changes")
        ordering = ["household_id", "at", "id"]


class MembershipChange(OfficeRecord):
    """A role given or ended through the office pages: who did it, in which role, for which unit, when, why.
    Written by directory.services in the same transaction as the membership change; never edited."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("role given")
        ENDED = "ended", _("role ended")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["membership_id", "at", "id"]


class HouseholdImport(models.Model):
    """A confirmed spreadsheet import too large for the request: applied by a Celery task, which reports its
    progress through the cache and keeps its result here for the one who started it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        APPLYING = "applying", _("importing")
        APPLIED = "applied", _("imported")
        FAILED = "failed", _("refused")

    # Empty: a commune's or district's file, each row naming its hamlet.
    hamlet = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("file"), max_length=200)
    stored_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("household import")
        verbose_name_plural = _("household imports")


class DatedRecordQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day).filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day))


class Person(models.Model):
    """Someone of a hamlet who may be honoured on 18 November (DOMAIN.md §5, §11): dated, owned by the
    hamlet's Front work committee, which adds and edits them (directory.services.add_person)."""

    unit = models.ForeignKey(Unit, verbose_name=_("hamlet"), on_delete=models.PROTECT, related_name="people")
    full_name = models.CharField(_("full name"), max_length=120)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    hamlet_role = models.CharField(_("role in the hamlet"), max_length=200, blank=True)
    valid_from = models.DateField(_("on record from"))
    valid_to = models.DateField(_("on record until"), null=True, blank=True)

    objects = DatedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit_id", "full_name", "id"]

    def __str__(self):
        return f"{self.full_name} ({self.birth_year})" if self.birth_year else self.full_name

    @property
    def code(self):
        """How lists, the audit payload and documents name the record: it has no code of its own."""
        return f"CN-{self.pk}"

    def is_valid_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class CollectiveKind(models.TextChoices):
    FRONT_COMMITTEE = "front_committee", _("Hamlet Front work committee")
    MASS_ORGANISATION = "mass_organisation", _("Branch of a mass organisation")
    SELF_MANAGED_GROUP = "self_managed_group", _("Self-managed group")
    HAMLET = "hamlet", _("The hamlet itself")


class Collective(models.Model):
    """A collective of a hamlet that may be honoured on 18 November: its Front committee, a branch of a mass
    organisation (women's, veterans', farmers', youth union), a self-managed group, or the hamlet itself."""

    unit = models.ForeignKey(Unit, verbose_name=_("hamlet"), on_delete=models.PROTECT, related_name="collectives")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=CollectiveKind.choices)
    valid_from = models.DateField(_("on record from"))
    valid_to = models.DateField(_("on record until"), null=True, blank=True)

    objects = DatedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        ordering = ["unit_id", "name", "id"]

    def __str__(self):
        return self.name

    @property
    def code(self):
        return f"TT-{self.pk}"

    def is_valid_on(self, day):
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class FrontRecordChange(OfficeRecord):
    """One change to a person or a collective of the directory: who, in which role, for which unit, when, what.
    Written by directory.services in the same transaction as the change; never edited."""

    class Action(models.TextChoices):
        CREATED = "created", _("added")
        UPDATED = "updated", _("edited")

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    collective = models.ForeignKey(Collective, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="changes")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    # {"field": [old, new]}; for a creation, old is None.
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("change of a person or collective")
        verbose_name_plural = _("changes of people and collectives")
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(person__isnull=False, collective__isnull=True)
                       | models.Q(person__isnull=True, collective__isnull=False)),
            name="front_record_change_has_one_record")]
