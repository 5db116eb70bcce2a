"""Reads of the register: the award a user may see, the public view of a certificate code, the
certificate-of-merit list a user may see (an award's provenance is read from its dossier's audit
chain: workflows.audit.provenance)."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from directory.models import Unit
from directory.selectors import can_see_unit

from .certificates import CERTIFICATE_RELATED
from . import merit
from .models import Award, TitleType, certificate_code_pattern

CODE_RE = certificate_code_pattern()


def award_for(user, pk):
    """The award if `user` may see its dossier's unit (own unit or an ancestor's), else 404."""
    award = (
        Award.objects.select_related(*CERTIFICATE_RELATED, "nomination__dossier__unit").filter(pk=pk).first()
    )
    if award is None or not can_see_unit(user, award.nomination.dossier.unit):
        raise Http404(_("No such award."))
    return award


def public_award(code):
    """The award a certificate code names, or None; a malformed code is None without a query."""
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        return None
    return (
        Award.objects.select_related("title_type", "household", "household__hamlet", "hamlet", "hamlet__parent",
                                     "decision", "decision__unit", "nomination__dossier__rule_set", "revocation",
                                     "revocation__unit")
        .filter(certificate_code=code).first()
    )


def merit_list_for(user, title_code, unit_pk):
    """(the certificate-of-merit title, the unit) whose list `user` may see, else 404: the title must be a
    certificate of merit, the unit one whose list holds its subjects (merit.PAGE_LEVELS), and the user must
    see the unit's dossiers (a dated membership there or above), as for a dossier page."""
    title = TitleType.objects.filter(code=title_code).first()
    unit = Unit.objects.select_related("parent").filter(pk=unit_pk).first()
    if (title is None or unit is None or not merit.unit_lists_subjects_of(unit, title)
            or not merit.is_merit_title(title) or not can_see_unit(user, unit)):
        raise Http404(_("No such list."))
    return title, unit
