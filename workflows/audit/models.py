"""Models of the provable audit: anchors over the dossiers' chain heads, the
Front's concerns, and who looked at a household's dossier.

They belong to the workflows app (imported at the end of workflows.models so
the app registry sees them) and live here to keep that module focused on the
dossier itself.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses the bulk paths that bypass Model.save() and Model.delete()."""

    def update(self, **kwargs):
        raise ValidationError(_("%(model)s rows cannot be changed.") % {"model": self.model._meta.verbose_name})

    def delete(self):
        raise ValidationError(_("%(model)s rows cannot be deleted.") % {"model": self.model._meta.verbose_name})

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValidationError(_("%(model)s rows cannot be changed.") % {"model": self.model._meta.verbose_name})


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("%(model)s rows cannot be changed.") % {"model": self._meta.verbose_name})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("%(model)s rows cannot be deleted.") % {"model": self._meta.verbose_name})


class ChainAnchor(AppendOnlyModel):
    """A checkpoint chaining the heads of every dossier chain that moved since the
    previous anchor.

    `hash` covers the previous anchor's hash, the time and the (dossier, seq,
    head hash) lines in dossier order, so the anchors form one chain of their
    own. Whoever copies an anchor's hash outside the database (a printed
    report, an e-mail to the Front) can later prove that none of the events up
    to those heads was rewritten, even by someone able to recompute every
    dossier chain.
    """

    created_at = models.DateTimeField(_("created at"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    dossiers = models.PositiveIntegerField(_("dossier heads covered"))
    events = models.PositiveBigIntegerField(_("events covered"))

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["pk"]

    def __str__(self):
        return f"#{self.pk} {self.hash[:12]}"


class ChainAnchorHead(AppendOnlyModel):
    anchor = models.ForeignKey(ChainAnchor, on_delete=models.PROTECT, related_name="heads")
    dossier = models.ForeignKey("workflows.Dossier", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("anchored chain head")
        verbose_name_plural = _("anchored chain heads")
        constraints = [
            models.UniqueConstraint(fields=["anchor", "dossier"], name="one_head_per_dossier_per_anchor"),
        ]
        indexes = [models.Index(fields=["dossier", "seq"])]
