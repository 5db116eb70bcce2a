"""The ground floor's one record: the tokens of forms already accepted, whichever app's form it was."""

from django.conf import settings
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
