"""Dossiers, nominations, meetings, postings, decisions and the audit trail.

State fields are django-fsm-2 fields with protected=True: only the transition
methods below change them, and only workflows.services calls those methods.
"""

import datetime
import hashlib
import json
import re

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.models import AppendOnlyQuerySet

# Imported here so the app registry sees the audit models (anchors, concerns, view log).
from .audit.models import Case, CaseKind, ChainAnchor, ChainAnchorHead, Concern, ConcernState, ViewLog  # noqa: F401
from .audit.keys import event_mac
from titles.subjects import subject_code_of, subject_name_of, subject_of

from .procedures import route_allows
from .states import DossierState


class NominationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    PROPOSED = "proposed", _("Proposed")
    NOT_PROPOSED = "not_proposed", _("Not proposed")
    ACCEPTED = "accepted", _("Accepted at appraisal")
    STRUCK = "struck", _("Struck at appraisal")
    RECOGNIZED = "recognized", _("Recognized")
    # Withdrawn before the review meeting. The row stays (its history is in the
    # audit chain) and is reused if the household registers again that year: the
    # one-nomination-per-household-and-year constraint keeps holding.
    WITHDRAWN = "withdrawn", _("Registration withdrawn")


class Dossier(ConcurrentTransitionMixin, models.Model):
    """One unit's list for one title and one year: what travels between levels."""

    title_type = models.ForeignKey("titles.TitleType", on_delete=models.PROTECT, related_name="dossiers")
    rule_set = models.ForeignKey("titles.RuleSet", on_delete=models.PROTECT, related_name="dossiers")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="dossiers")
    # A copy of unit.path, which never changes (a reorganised unit is a new row):
    # lists filter by subtree and sort by it without joining every visible dossier
    # to its unit (10,000 joined and sorted rows were ~20 ms of the inbox page).
    # Filled from the unit on save; hand-written INSERTs must set it.
    unit_path = models.CharField(max_length=255, editable=False, default="")
    appraising_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="dossiers_to_appraise"
    )
    deciding_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="dossiers_to_decide"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = FSMField(
        _("state"), default=DossierState.OPEN, choices=DossierState.choices, protected=True, db_index=True
    )
    # The audited case that owns the dossier's chain (audit_seq, audit_head) and its
    # revision: audit events, anchors and supervision point at the case, so records
    # that are not dossiers are audited the same way. Created first, by the service
    # that opens the round (workflows.services.audit.open_case).
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="dossier")
    submitted_on = models.DateField(null=True, blank=True)
    submission_due = models.DateField(null=True, blank=True)
    decision_due = models.DateField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    process = models.OneToOneField(
        "viewflow.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="dossier"
    )
    # Counts of the dossier's nominations, rewritten by the services in the same
    # UPDATE as the state, so lists and the province roll-up read one row per
    # dossier instead of counting millions of nominations. recognized_count leaves
    # out revoked awards (workflows.services.revocation.revoke_award lowers it). The database
    # default keeps hand-written INSERTs (the bench's raw SQL twin) valid.
    households_count = models.PositiveIntegerField(default=0, db_default=0)
    proposed_count = models.PositiveIntegerField(default=0, db_default=0)
    recognized_count = models.PositiveIntegerField(default=0, db_default=0)
    # The hamlet's roll for this round: its active households when the round opened,
    # counted again when the title is decided. The dated denominator of the year's
    # Cultural Family rate, so the rate of a past year does not move when households
    # move or leave later, and the roll-up reads it instead of counting households.
    households_on_roll = models.PositiveIntegerField(_("households on the roll"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-year", "unit_path"]
        indexes = [
            # The dossier lists' order, so a page is read off the index.
            models.Index(F("year").desc(), "unit_path", "id", name="dossier_list_order"),
            # Subtree filters are LIKE 'prefix%': on PostgreSQL that needs a pattern
            # index unless the database collation is plain "C".
            models.Index(fields=["unit_path"], opclasses=["varchar_pattern_ops"], name="dossier_unit_path_like"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["title_type", "unit", "year"], name="one_dossier_per_unit_title_year"),
        ]

    def __str__(self):
        return f"{self.title_type} – {self.unit} – {self.year}"

    def save(self, *args, **kwargs):
        if not self.unit_path and self.unit_id:
            self.unit_path = self.unit.path
        if self.case_id is None and self.pk is None:
            # Like unit_path: a dossier created without its case (a fixture, a script) gets one
            # here, in the same transaction. The services open it themselves (open_case);
            # bulk inserts must set it (benchmarks.seeding.new_cases).
            self.case = Case.objects.create(kind=CaseKind.DOSSIER)
        super().save(*args, **kwargs)

    @property
    def revision(self) -> int:
        """The case's revision (see Case.revision); read with the dossier
        (select_related("case")) wherever a form carries it."""
        return self.case.revision

    @property
    def concerns(self):
        """The supervision concerns on the dossier: its case's (no join)."""
        return Concern.objects.filter(case_id=self.case_id)

    @property
    def audit_events(self):
        """The dossier's audit events: its case's chain, by the case id the row holds (no join)."""
        return AuditEvent.objects.filter(case_id=self.case_id)

    # Which transition may run now is the dossier's procedure's to say
    # (workflows.procedures): its actions name the states they act in and the
    # rule-set steps they need, so a rule set without a meeting or a posting step
    # changes the route without code. The sources below are every state a
    # transition can ever leave from.

    @transition(field=state, source=[DossierState.OPEN, DossierState.REVIEWED, DossierState.RETURNED],
                target=DossierState.REVIEWED, conditions=[route_allows("meeting")])
    def record_meeting(self):
        pass

    @transition(field=state, source=[DossierState.OPEN, DossierState.REVIEWED], target=DossierState.POSTING,
                conditions=[route_allows("posting")])
    def post_publicly(self):
        pass

    @transition(field=state, source=DossierState.POSTING, target=DossierState.SUBMITTED,
                conditions=[route_allows("submit")])
    def submit_after_posting(self):
        pass

    @transition(field=state, source=[DossierState.OPEN, DossierState.REVIEWED], target=DossierState.SUBMITTED,
                conditions=[route_allows("submit")])
    def submit(self):
        pass

    @transition(field=state, source=DossierState.RETURNED, target=DossierState.SUBMITTED,
                conditions=[route_allows("submit")])
    def resubmit(self):
        pass

    @transition(field=state, source=DossierState.SUBMITTED, target=DossierState.APPRAISED,
                conditions=[route_allows("appraise")])
    def accept(self):
        pass

    @transition(field=state, source=DossierState.SUBMITTED, target=DossierState.COUNCIL,
                conditions=[route_allows("appraise")])
    def accept_for_council(self):
        """Appraised under a rule set whose emulation council meets before the decision."""

    @transition(field=state, source=DossierState.COUNCIL, target=DossierState.APPRAISED,
                conditions=[route_allows("council")])
    def record_council(self):
        pass

    @transition(field=state, source=DossierState.SUBMITTED, target=DossierState.RETURNED,
                conditions=[route_allows("return")])
    def return_for_correction(self):
        pass

    @transition(field=state, source=DossierState.APPRAISED, target=DossierState.DECIDED,
                conditions=[route_allows("decide")])
    def decide(self):
        pass


def _exactly_one(fields):
    """A Q that holds when exactly one of `fields` is set (the subject's foreign keys, titles.subjects)."""
    conditions = [models.Q(**{f"{other}__isnull": other != field for other in fields}) for field in fields]
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


ONE_SUBJECT = _exactly_one(("household", "hamlet", "person", "collective"))


class Nomination(FSMModelMixin, models.Model):
    """One subject (a household or a hamlet, titles.subjects) put forward in one dossier.

    FSMModelMixin lets refresh_from_db() reload the protected state field; without
    it every re-read of a nomination after a service call raises AttributeError.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="nominations")
    # Led by the unique (title_type, year, household) index: no second index.
    title_type = models.ForeignKey("titles.TitleType", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    # The subject: exactly one of these, the one the title type's subject kind names
    # (titles.subjects). Concrete keys keep PROTECT, indexes and bulk inserts.
    household = models.ForeignKey(
        "directory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="nominations"
    )
    # Led by the unique (title_type, year, hamlet) index: no second index.
    hamlet = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="hamlet_nominations",
        db_index=False,
    )
    # 18 November commendations (workflows.procedures.festival): a person or a collective of the hamlet.
    # Led by their unique (title_type, year, subject) indexes: no second index.
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="nominations",
        db_index=False,
    )
    collective = models.ForeignKey(
        "directory.Collective", null=True, blank=True, on_delete=models.PROTECT, related_name="nominations",
        db_index=False,
    )
    # No index of its own: every read by state is within one dossier (dossier_id
    # index) or the roll-up's partial index; a meeting rewrites hundreds of states.
    state = FSMField(default=NominationState.REGISTERED, choices=NominationState.choices, protected=True)
    registered_on = models.DateField(_("registered on"))
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_assessed_on = models.DateField(_("self-assessed on"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    exclusion = models.CharField(_("exclusion ground"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # A certificate of merit's nomination: the window it counts and the awards of the streak as the
    # register held them when the subject was put on the list ({"first", "last", "titles": [{"year",
    # "decision"}]}, workflows.services.merit). Empty for every yearly title.
    streak = models.JSONField(_("years counted"), default=dict, blank=True)
    # What an 18 November proposal asks for (titles.commendations: an instrument's code), which decides
    # its route; empty for the titles whose rule set alone says what is granted.
    instrument = models.CharField(_("instrument"), max_length=40, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["household__code", "hamlet__code"]
        constraints = [
            models.UniqueConstraint(fields=["title_type", "year", "household"],
                                    name="one_nomination_per_household_title_year"),
            models.UniqueConstraint(fields=["title_type", "year", "hamlet"],
                                    condition=models.Q(hamlet__isnull=False),
                                    name="one_nomination_per_hamlet_title_year"),
            models.UniqueConstraint(fields=["title_type", "year", "person"],
                                    condition=models.Q(person__isnull=False),
                                    name="one_nomination_per_person_title_year"),
            models.UniqueConstraint(fields=["title_type", "year", "collective"],
                                    condition=models.Q(collective__isnull=False),
                                    name="one_nomination_per_collective_title_year"),
            models.CheckConstraint(condition=ONE_SUBJECT, name="nomination_has_exactly_one_subject"),
        ]

    def __str__(self):
        return f"{self.subject} – {self.year}"

    @property
    def subject(self):
        """The household, hamlet, person or collective nominated."""
        return subject_of(self)

    @property
    def subject_name(self):
        return subject_name_of(self)

    @property
    def subject_code(self):
        return subject_code_of(self)

    @transition(field=state, source=[NominationState.REGISTERED, NominationState.PROPOSED,
                                     NominationState.NOT_PROPOSED], target=NominationState.PROPOSED)
    def propose(self):
        pass

    @transition(field=state, source=[NominationState.REGISTERED, NominationState.PROPOSED,
                                     NominationState.NOT_PROPOSED], target=NominationState.NOT_PROPOSED)
    def decline(self):
        pass

    @transition(field=state, source=NominationState.PROPOSED, target=NominationState.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=NominationState.PROPOSED, target=NominationState.STRUCK)
    def strike(self):
        pass

    @transition(field=state, source=NominationState.ACCEPTED, target=NominationState.RECOGNIZED)
    def recognize(self):
        pass

    @transition(field=state, source=NominationState.REGISTERED, target=NominationState.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=NominationState.WITHDRAWN, target=NominationState.REGISTERED)
    def register_again(self):
        pass


class VotingMethod(models.TextChoices):
    SECRET_BALLOT = "secret_ballot", _("Secret ballot")
    SHOW_OF_HANDS = "show_of_hands", _("Show of hands")


def minutes_upload_to(instance, filename):
    return f"minutes/{instance.dossier.year}/{instance.dossier.unit.code}/{filename}"


class Meeting(models.Model):
    """A review meeting. A returned dossier may meet again; the latest counts."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("held on"))
    invited = models.PositiveIntegerField(_("invited"))
    present = models.PositiveIntegerField(_("present"))
    method = models.CharField(_("voting method"), max_length=20, choices=VotingMethod.choices)
    chaired_by = models.CharField(_("chaired by"), max_length=200, blank=True)
    minutes = models.FileField(_("minutes file"), upload_to=minutes_upload_to, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-recorded_at", "-pk"]


def minutes_page_upload_to(instance, filename):
    return minutes_upload_to(instance.meeting, filename)


class MinutesPage(models.Model):
    """A further page of a meeting's signed minutes (photos of a multi-page paper
    record): page 1 is Meeting.minutes, pages 2, 3, … are rows here. Served only
    through the guarded view (workflows:minutes), never from MEDIA_URL."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_pages")
    number = models.PositiveSmallIntegerField(_("page"))
    file = models.FileField(_("minutes file"), upload_to=minutes_page_upload_to)

    class Meta:
        verbose_name = _("minutes page")
        verbose_name_plural = _("minutes pages")
        ordering = ["meeting_id", "number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="minutes_page_number_unique")]


class Posting(models.Model):
    """The public posting of the proposed list for residents' comments."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="postings")
    starts_on = models.DateField(_("posted on"))
    ends_on = models.DateField(_("posting ends on"))
    place = models.CharField(_("place of posting"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public posting")
        verbose_name_plural = _("public postings")
        ordering = ["-starts_on", "-pk"]

    @property
    def sendable_from(self):
        """The first day the dossier may be sent: what submit_dossier accepts and the
        dossier page offers, one definition for both. `ends_on` is the posting's last
        day (titles.calendar.posting_last_day), on which residents' comments are
        still received: sending starts the day after."""
        return self.ends_on + datetime.timedelta(days=1)


class PostingComment(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="comments")
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="comments")
    received_on = models.DateField(_("received on"))
    author = models.CharField(_("from"), max_length=200)
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("resident comment")
        verbose_name_plural = _("resident comments")
        ordering = ["received_on", "pk"]


def council_minutes_upload_to(instance, filename):
    return f"council/{instance.dossier.year}/{instance.dossier.unit.code}/{filename}"


class CouncilMeeting(models.Model):
    """The emulation council's meeting before a certificate of merit is decided (a cultural
    hamlet's under Decree 122/2018: the district council): its own record and minutes,
    apart from the review meeting of the unit that proposed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="council_meetings")
    held_on = models.DateField(_("held on"))
    members = models.PositiveIntegerField(_("council members"))
    present = models.PositiveIntegerField(_("present"))
    conclusion = models.TextField(_("conclusion"))
    minutes = models.FileField(_("minutes file"), upload_to=council_minutes_upload_to, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("emulation council meeting")
        verbose_name_plural = _("emulation council meetings")
        ordering = ["-recorded_at", "-pk"]


class Decision(models.Model):
    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="decision")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="decisions")
    number = models.CharField(_("decision number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signer"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recognition decision")
        verbose_name_plural = _("recognition decisions")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="decision_number_unique_per_unit"),
        ]

    def __str__(self):
        return self.number


_CANONICAL_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_FLOAT_WRITTEN_DIFFERENTLY = re.compile(rb"[0-9]e-|0\.0000")


class AuditEvent(models.Model):
    """Append-only record of one change: who, as what, where, when, from, to, why.

    Events of one case (a dossier's, or any other audited record's) form a hash
    chain (seq, prev_hash, hash) advanced under the case's row lock, so unrelated
    cases never contend on one head.
    """

    # Led by the unique (case, seq) index: no second index on every event.
    # Every event belongs to a case's chain: one outside every chain would be checked by nothing.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    # Every household of a batch gets an event, so each index here is written
    # ~5 times per household a year. Events are read by dossier (the unique index
    # below) and by target (the index in Meta), never by time, actor or unit, so
    # those columns carry none (users and units are deactivated, never deleted).
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    actor_name = models.CharField(max_length=150)
    role = models.CharField(max_length=32)
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA256 of the canonical content under the environment's key `key_id`
    # (workflows.audit.keys): what the database's own roles cannot recompute.
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    # QuerySet.update()/delete() would bypass save()/delete() below.
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["case_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="audit_seq_unique_per_case"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    @staticmethod
    def canonical_bytes(case, seq, at, actor, actor_name, role, unit, action, target_type, target_id,
                        from_state, to_state, payload, prev):
        """The UTF-8 text every event hash covers; the writer and verify_audit both call this.

        orjson with sorted keys writes byte for byte what json.dumps(sort_keys=True,
        ensure_ascii=False, separators=(",", ":")) wrote when the chains began, for
        the JSON-native content stored (tests/audit pins this), at a tenth of the cost;
        datetimes and dataclasses pass through to str() as json.dumps did. json.dumps
        remains the reference for what orjson refuses (integers beyond 64 bits,
        non-string keys) and for floats below 1e-4, which the two write differently
        (1e-05 / 0.00001, 1e-07 / 1e-7): their output is recognised by "0.0000" or a
        digit before "e-", so a text merely containing those only costs the slower path.
        """
        content = {
            # The key is "dossier" for every case: chains and anchors began when only
            # dossiers had them, and the migration gave each existing dossier a case
            # with its own id, so the key still holds the number every stored hash
            # covers. Renaming it would break every chain and every kept anchor.
            # `at` may come already as its isoformat() text: a batch shares one time, and
            # formatting an aware datetime costs as much as the rest of the JSON.
            "dossier": case, "seq": seq, "at": at if isinstance(at, str) else at.isoformat(),
            "actor": actor, "actor_name": actor_name,
            "role": role, "unit": unit, "action": action, "target_type": target_type, "target_id": target_id,
            "from": from_state, "to": to_state, "payload": payload, "prev": prev,
        }
        try:
            text = orjson.dumps(content, option=_CANONICAL_OPTIONS, default=str)
            if not ((b"e-" in text or b"0.0000" in text) and _FLOAT_WRITTEN_DIFFERENTLY.search(text)):
                return text
        except orjson.JSONEncodeError:
            pass
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          default=str).encode()

    def _canonical_bytes(self):
        return self.canonical_bytes(
            self.case_id, self.seq, self.at, self.actor_id, self.actor_name, self.role, self.unit_id,
            self.action, self.target_type, self.target_id, self.from_state, self.to_state, self.payload,
            self.prev_hash,
        )

    def canonical(self):
        return self._canonical_bytes().decode()

    def compute_hash(self):
        return hashlib.sha256(self._canonical_bytes()).hexdigest()

    def compute_mac(self, key):
        return event_mac(key, self._canonical_bytes())

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))


class TallyDraft(models.Model):
    """The tally sheet as typed so far, kept on the server while the phone is online.

    It belongs to the dossier's revision it was started on: recording it later is
    judged against that revision like a typed form, so a dossier changed meanwhile
    refuses it and the draft stays. A draft is never a meeting: nothing reads it but
    the tally page and its draft endpoint, for the people who may record the meeting.
    `token` is drawn on the phone and becomes the recorded form's one-time token, so
    the same draft sent twice is recorded once.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tally_drafts")
    token = models.CharField(max_length=64)
    revision = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "token"], name="tally_draft_token_once")]
        ordering = ["-saved_at", "-pk"]
