"""The legal states of a dossier.

Their own module, beneath both the models (the django-fsm field and its transitions)
and the procedures (which stage acts in which state): the transitions ask the
dossier's procedure whether they may run, so the procedures cannot import the models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    OPEN = "open", _("Open for registration")
    REVIEWED = "reviewed", _("Review meeting recorded")
    POSTING = "posting", _("Publicly posted")
    SUBMITTED = "submitted", _("Submitted for appraisal")
    RETURNED = "returned", _("Returned for correction")
    APPRAISED = "appraised", _("Appraised, awaiting decision")
    # A certificate of merit whose rule set has the "council" step (a cultural hamlet's, Decree
    # 122/2018): appraised, waiting for the district emulation council before the chair decides.
    COUNCIL = "council", _("Appraised, awaiting the emulation council")
    DECIDED = "decided", _("Decided")
