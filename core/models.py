"""The ground floor's records: the tokens of forms already accepted, whichever app's form it was; and
the base of the records that are never changed once written (audit anchors, revocations, view logs)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class UsedFormToken(models.Model):
    """The one-time token of a form that was accepted.

    A double tap on a slow connection sends the same form twice: the second POST
    carries a token already used and is answered "already recorded" instead of
    being recorded again. Kept in the transaction of the write it accompanied, so
    a refused form leaves its token free for the corrected resend.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    token = models.CharField(max_length=64)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Created by workflows (its migration 0014) before the ground floor had records.
        db_table = "workflows_usedformtoken"
        verbose_name = _("used form token")
        verbose_name_plural = _("used form tokens")
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_token_once_per_user")]


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
