"""Title types, the versioned rule sets that govern them, and the register of awards."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel
from directory.models import Level


# What a nomination or an award is about: one foreign key per subject kind (titles.subjects), exactly one
# set; with the field of each that names it. Here, beneath the kinds, because Award reads them.
SUBJECT_NAME_FIELDS = {"household": "head_name", "hamlet": "name", "person": "full_name", "collective": "name"}


def _subject_field(row):
    return next((field for field in SUBJECT_NAME_FIELDS if getattr(row, f"{field}_id", None)), None)


def subject_of(row):
    """The household, hamlet, person or collective a nomination or an award is about."""
    field = _subject_field(row)
    return getattr(row, field) if field else None


def subject_name_of(row):
    field = _subject_field(row)
    return getattr(getattr(row, field), SUBJECT_NAME_FIELDS[field]) if field else ""


def subject_code_of(row):
    field = _subject_field(row)
    return getattr(row, field).code if field else ""


class SubjectKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    HAMLET = "hamlet", _("Hamlet")
    PERSON = "person", _("Person")
    COLLECTIVE = "collective", _("Collective")


class TitleTypeQuerySet(models.QuerySet):
    def yearly(self):
        """The titles a round of the ordinary route is opened for: not the certificates of merit, whose
        rule sets count another title's years (RuleSet.merit) and whose subjects come from the register
        (titles.merit), never from a free registration."""
        return self.exclude(rule_sets__merit__has_key="base_title")

    def with_yearly_flag(self):
        """Every title, each with `is_yearly` (see yearly()), in the same query."""
        merit = RuleSet.objects.filter(title_type=models.OuterRef("pk"), merit__has_key="base_title")
        return self.annotate(is_yearly=~models.Exists(merit))


class TitleType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    subject_kind = models.CharField(_("subject"), max_length=16, choices=SubjectKind.choices)

    objects = TitleTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("title type")
        verbose_name_plural = _("title types")

    def __str__(self):
        return self.name


class DayType(models.TextChoices):
    WORKING = "working", _("working days")
    CALENDAR = "calendar", _("calendar days")


class Step(models.TextChoices):
    """Steps a dossier may pass. Which ones, in which order, is rule-set data."""

    REGISTRATION = "registration", _("Registration and self-assessment")
    MEETING = "meeting", _("Review meeting")
    POSTING = "posting", _("Public posting")
    SUBMISSION = "submission", _("Submission to the appraising level")
    APPRAISAL = "appraisal", _("Appraisal")
    # The emulation council's meeting before the decision (a cultural hamlet's certificate of merit).
    COUNCIL = "council", _("Emulation council meeting")
    DECISION = "decision", _("Recognition decision")


class RuleSetQuerySet(models.QuerySet):
    def in_force_for(self, title_type, year):
        """The rule set governing `year`'s campaign: the one in force at the end of
        the year, when the review and the decision happen. A year in which the law
        changed (2024, 2025) is therefore processed under the newer text."""
        import datetime

        end = datetime.date(year, 12, 31)
        candidates = self.filter(title_type=title_type, effective_from__lte=end).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=datetime.date(year, 1, 1))
        )
        return candidates.order_by("-effective_from", "-version").first()


class RuleSet(models.Model):
    """The law as data: one version of what a title requires, with its legal basis.

    A dossier keeps the rule set it was opened under forever, so re-reading a
    2021 dossier in 2027 shows 2021's thresholds.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title_type = models.ForeignKey(TitleType, on_delete=models.PROTECT, related_name="rule_sets")
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    steps = models.JSONField(_("steps"), help_text=_("Ordered list of step codes."))
    appraising_level = models.CharField(_("appraising level"), max_length=16, choices=Level.choices)
    deciding_level = models.CharField(_("deciding level"), max_length=16, choices=Level.choices)
    quorum_pct = models.DecimalField(
        _("quorum, percent of those invited"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    approval_pct = models.DecimalField(
        _("approval, percent of attendees"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # Whether approval must exceed approval_pct rather than reach it: "a simple majority of the members
    # present" (18/11 proposals) is more than 50 %, not 50 %.
    approval_more_than = models.BooleanField(_("approval must exceed the percentage"), default=False)
    posting_days = models.PositiveSmallIntegerField(_("posting period"), null=True, blank=True)
    posting_day_type = models.CharField(max_length=10, choices=DayType.choices, default=DayType.CALENDAR)
    # Whether the day the list goes up is day 1 of the posting. The Civil Code's
    # rule (2015, art. 147) is that it is not: a period counted from an event starts
    # the next day. The basis is shown beside the posting period on the dossier page.
    posting_start_day_counts = models.BooleanField(_("the posting day counts as day 1"), default=False)
    day_counting_basis = models.TextField(_("how days are counted"), blank=True)
    submission_days = models.PositiveSmallIntegerField(_("days to submit"), null=True, blank=True)
    submission_day_type = models.CharField(max_length=10, choices=DayType.choices, default=DayType.WORKING)
    decision_days = models.PositiveSmallIntegerField(_("days to decide"), null=True, blank=True)
    decision_day_type = models.CharField(max_length=10, choices=DayType.choices, default=DayType.WORKING)
    review_deadline = models.CharField(
        _("review finished before (MM-DD)"), max_length=5, blank=True
    )
    exclusion_grounds = models.JSONField(_("exclusion grounds"), default=list, blank=True)
    # On a certificate-of-merit rule set: at most cap_pct percent of the eligible subjects, and the
    # window of consecutive years of the counted title (RuleSet.merit names it). The same columns on the
    # Cultural Family's Decree 122 rule set predate the merit rule sets and are read by nothing.
    cap_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    consecutive_years = models.PositiveSmallIntegerField(null=True, blank=True)
    # A certificate of merit (Giấy khen) for a title held in a row, read by titles.merit:
    # {"base_title": the code of the counted title, "no_overlap": windows may not overlap,
    # "cap_rounding": "down" | "up" | "half_up", "cap_at_least_one": at least one where anyone is
    # eligible, "tie_break": ["agree_share", "registered_on", "code"] (in that order) or
    # ["admit_all_tied"], "in_force": false while a province has not confirmed its rules,
    # "council": the body that meets before the decision (or null), "basis": {point: legal basis}}.
    # Empty: the rule set is not a certificate of merit.
    merit = models.JSONField(_("certificate of merit"), default=dict, blank=True)
    # How the rule set treats acts dated before effective_from, in a campaign year
    # whose law changed mid-year: {"steps": [step codes that may be dated earlier],
    # "basis": legal reasoning}. Empty: every act must lie in the period of force.
    acts_before_effective = models.JSONField(_("acts dated before it took effect"), default=dict, blank=True)
    # The standards and indicators a subject is assessed against, as the province details them:
    # {"province", "basis", "standards": [{"code", "label", "indicators": [{"code", "label", "type":
    # yes_no | rate | provincial_average | points, "threshold_pct", "thresholds_by_commune_class",
    # "computed_from", "unconfirmed"}]}], "score"}. Figures the engine already holds
    # ("computed_from") are shown beside the subject at the meeting (titles.criteria).
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    # The title's name for a subject unit of each kind ({"ap": "Ấp văn hóa", "khu_pho": "Khu phố
    # văn hóa"}): one legal title with local names (Decree 86/2023 art. 2), printed on the
    # certificate and the documents. Empty: the title type's name for every subject.
    title_names_by_unit_kind = models.JSONField(_("title names by kind of unit"), default=dict, blank=True)
    unconfirmed = models.JSONField(
        _("unconfirmed points"), default=list, blank=True,
        help_text=_("Facts the law does not settle; shown beside the rule description."),
    )

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["title_type", "effective_from"]

    def __str__(self):
        return self.name

    def has_step(self, step):
        return step in self.steps

    def review_deadline_in(self, year):
        """The review deadline ("MM-DD") as the date it falls on in `year`, or None."""
        if not self.review_deadline:
            return None
        month, day = (int(part) for part in self.review_deadline.split("-"))
        return datetime.date(year, month, day)

    def allows_before_effective(self, step):
        return step in (self.acts_before_effective or {}).get("steps", ())

    def exclusion_label(self, code):
        for ground in self.exclusion_grounds:
            if ground["code"] == code:
                return ground["label"]
        return code


# Certificate codes: 10 characters from an alphabet without look-alikes (no 0/O,
# 1/I/L), short enough to type from paper. Issued by workflows.services.routing.
CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CERTIFICATE_CODE_LENGTH = 10


def certificate_code_pattern():
    return re.compile(rf"^[{CERTIFICATE_ALPHABET}]{{{CERTIFICATE_CODE_LENGTH}}}$")


class Award(models.Model):
    """The register: who holds which title for which year, under which decision."""

    title_type = models.ForeignKey(TitleType, on_delete=models.PROTECT, related_name="awards", db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    household = models.ForeignKey(
        "directory.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    # Awards are found by household, decision, nomination or certificate code; a
    # decision writes thousands at once, so title type and hamlet carry no index
    # of their own (the unique constraint below leads with the title type).
    hamlet = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="awards", db_index=False
    )
    # 18 November commendations: a person or a collective (titles.subjects).
    person = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="awards", db_index=False
    )
    collective = models.ForeignKey(
        "directory.Collective", null=True, blank=True, on_delete=models.PROTECT, related_name="awards",
        db_index=False,
    )
    nomination = models.OneToOneField(
        "workflows.Nomination", on_delete=models.PROTECT, related_name="award"
    )
    decision = models.ForeignKey("workflows.Decision", on_delete=models.PROTECT, related_name="awards")
    # Unique through Meta.constraints: looked up by the exact code only, so without
    # the second (LIKE) index PostgreSQL adds for a unique=True text field.
    certificate_code = models.CharField(_("certificate code"), max_length=16)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["certificate_code"], name="one_award_per_certificate_code"),
            models.UniqueConstraint(
                fields=["title_type", "year", "household"],
                condition=models.Q(household__isnull=False),
                name="one_award_per_household_title_year",
            ),
            models.UniqueConstraint(
                fields=["title_type", "year", "hamlet"],
                condition=models.Q(household__isnull=True),
                name="one_award_per_hamlet_title_year",
            ),
            models.UniqueConstraint(
                fields=["title_type", "year", "person"], condition=models.Q(person__isnull=False),
                name="one_award_per_person_title_year",
            ),
            models.UniqueConstraint(
                fields=["title_type", "year", "collective"], condition=models.Q(collective__isnull=False),
                name="one_award_per_collective_title_year",
            ),
            # The subject (titles.subjects): a household (whose hamlet is read through it), a hamlet, a person
            # or a collective: exactly one.
            models.CheckConstraint(
                condition=(models.Q(household__isnull=False, hamlet__isnull=True, person__isnull=True,
                                    collective__isnull=True)
                           | models.Q(household__isnull=True, hamlet__isnull=False, person__isnull=True,
                                      collective__isnull=True)
                           | models.Q(household__isnull=True, hamlet__isnull=True, person__isnull=False,
                                      collective__isnull=True)
                           | models.Q(household__isnull=True, hamlet__isnull=True, person__isnull=True,
                                      collective__isnull=False)),
                name="award_has_exactly_one_subject",
            ),
        ]

    @property
    def subject(self):
        return subject_of(self)

    @property
    def subject_name(self):
        return subject_name_of(self)

    def __str__(self):
        return f"{self.title_type} {self.year}"


class Revocation(AppendOnlyModel):
    """The cancellation of an award (Law 06/2022 art. 93(2)); permanent once written.

    The ground's label and legal basis are copied from the data file at the
    time of the decision, so the record keeps reading as it was decided.
    """

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="revocation")
    ground = models.CharField(_("ground"), max_length=8)
    ground_label = models.CharField(_("ground"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    decision_number = models.CharField(_("revocation decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created by workflows (its migration 0004) before the revocation sat beside the award.
        db_table = "workflows_revocation"
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")

    def __str__(self):
        return self.decision_number


class CertificateReview(models.Model):
    """A certificate of merit flagged for review: a title it counted was revoked after it was
    granted. The flag is a notice, not a revocation: revoking the certificate is its own
    reasoned act (workflows.services.revocation.revoke_award on the certificate)."""

    certificate = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="reviews")
    revocation = models.ForeignKey(Revocation, on_delete=models.PROTECT, related_name="certificate_reviews")
    flagged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate flagged for review")
        verbose_name_plural = _("certificates flagged for review")
        ordering = ["-flagged_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["certificate", "revocation"], name="one_review_per_revocation")]

    def __str__(self):
        return f"{self.certificate} ({self.revocation})"


class Holiday(models.Model):
    """A public holiday (or a day off moved by law): data per year, never code."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"
