"""Models of the provable audit: the cases that own the chains, anchors over their
heads, the Front's concerns, and who looked at a household's dossier (an award's
revocation, permanent too, is the register's: titles.models.Revocation).

They belong to the workflows app (imported at the end of workflows.models so
the app registry sees them) and live here to keep that module focused on the
dossier itself.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from core.models import AppendOnlyModel

GENESIS = "0" * 64


class CaseKind(models.TextChoices):
    DOSSIER = "dossier", _("Dossier")


class Case(models.Model):
    """What an audit chain belongs to: a dossier today, any other record later (the
    Front's evaluation reports, a commendation list) that must be audited, verified,
    anchored and supervised like one.

    The case owns the chain (`audit_seq`, `audit_head`) and the revision a form
    carries; its owner (Dossier.case, one to one) holds the business fields. Events
    are appended under the case's row lock (workflows.services.audit). Dossiers
    that existed before cases did got a case with their own id (migration 0021),
    so an event's canonical "dossier" key, which now holds the case id, still holds
    the number it was hashed with.

    `kind` is a plain text, not a closed choice at the database: a new kind of
    record needs no migration here (CaseKind names the ones the code knows).
    """

    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    # Bumped by every change: a form carries the revision it was rendered at, so a
    # form posted after someone else acted is refused instead of overwriting.
    revision = models.PositiveIntegerField(default=0)
    audit_seq = models.PositiveIntegerField(default=0)
    audit_head = models.CharField(max_length=64, default=GENESIS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audited case")
        verbose_name_plural = _("audited cases")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class ChainAnchor(AppendOnlyModel):
    """A checkpoint chaining the heads of every case chain that moved since the
    previous anchor.

    `hash` covers the previous anchor's hash, the time and the (case, seq,
    head hash) lines in case order, so the anchors form one chain of their
    own (a line's first number was the dossier id before cases existed: the
    migrated cases kept it, so old anchors still verify). Whoever copies an anchor's hash outside the database (a printed
    report, an e-mail to the Front) can later prove that none of the events up
    to those heads was rewritten, even by someone able to recompute every
    dossier chain.
    """

    created_at = models.DateTimeField(_("created at"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The number of heads (cases) covered; the name is the one hashed since anchors began.
    dossiers = models.PositiveIntegerField(_("chain heads covered"))
    events = models.PositiveBigIntegerField(_("events covered"))
    # HMAC of `hash` under the environment's key `key_id` (workflows.audit.keys).
    key_id = models.CharField(max_length=16)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["pk"]

    def __str__(self):
        return f"#{self.pk} {self.hash[:12]}"


class ChainAnchorHead(AppendOnlyModel):
    anchor = models.ForeignKey(ChainAnchor, on_delete=models.PROTECT, related_name="heads")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("anchored chain head")
        verbose_name_plural = _("anchored chain heads")
        constraints = [
            models.UniqueConstraint(fields=["anchor", "case"], name="one_head_per_case_per_anchor"),
        ]
        indexes = [models.Index(fields=["case", "seq"], name="workflows_anchorhead_case_seq")]


class ConcernState(models.TextChoices):
    OPEN = "open", pgettext_lazy("concern state", "Open")
    ANSWERED = "answered", _("Answered, awaiting the supervisor")
    CLOSED = "closed", _("Closed")


class Concern(FSMModelMixin, models.Model):
    """A supervisor's concern on a case (a dossier's, or any other audited record's) or one nomination.

    Until it is closed a dossier cannot be decided. The state is an FSM field
    only workflows.supervision changes; its steps are audited in the case's chain.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="concerns")
    nomination = models.ForeignKey("workflows.Nomination", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="concerns")
    state = FSMField(_("state"), default=ConcernState.OPEN, choices=ConcernState.choices, protected=True,
                      db_index=True)
    text = models.TextField(_("concern"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_role = models.CharField(max_length=32)
    raised_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision concern")
        verbose_name_plural = _("supervision concerns")
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def blocks_decision(self):
        return self.state != ConcernState.CLOSED

    @transition(field=state, source=ConcernState.OPEN, target=ConcernState.ANSWERED)
    def mark_answered(self):
        pass

    @transition(field=state, source=[ConcernState.OPEN, ConcernState.ANSWERED], target=ConcernState.CLOSED)
    def close(self):
        pass


class ViewLog(AppendOnlyModel):
    """Who opened a household's record or a case's pages (a dossier's, any audited record's), as what, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32, blank=True)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("directory.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    what = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("view log entry")
        verbose_name_plural = _("view log")
        ordering = ["-at"]
