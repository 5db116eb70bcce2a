"""The dossier's verification code printed on its documents, and the publication of a decision's list."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierCode(models.Model):
    """The code a printed document of the dossier carries, checked on /verify/<code>/.

    Issued on the first document printed (documents.services.dossier_code) and
    never changed, so every copy printed since stays checkable. Same alphabet and
    length as a certificate code: one retype box serves both.
    """

    dossier = models.OneToOneField("workflows.Dossier", on_delete=models.PROTECT, related_name="document_code")
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    # Who printed the dossier's first document, when.
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier verification code")
        verbose_name_plural = _("dossier verification codes")

    def __str__(self):
        return self.code


class Publication(models.Model):
    """The list of recognized households made public (notice board or website), as the law requires
    within a number of days of the decision (the rule set's publication_days)."""

    decision = models.OneToOneField("workflows.Decision", on_delete=models.PROTECT, related_name="publication")
    published_on = models.DateField(_("published on"))
    place = models.CharField(_("place of publication"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("publication of the recognized list")
        verbose_name_plural = _("publications of the recognized lists")

    def __str__(self):
        return f"{self.decision} {self.published_on:%d/%m/%Y}"
