"""Procedures: each dossier's route, declared once (see base.py for the vocabulary,
local_review.py for the route every title runs on today).

A title runs on the procedure `BY_TITLE` names for its code, else on `DEFAULT`. Adding
a title whose route is the same (another subject kind, other levels, other steps or
days) takes rule-set data only; a procedure of its own only where the route differs,
with a flow of its shape in workflows/flows.py.
"""

from django.db.models import Q

from .base import ALWAYS, Action, Deadline, DueColumn, Procedure, Stage, TaskLink, When, review_day, subjects_of
from .festival import FESTIVAL
from .festival import TITLES as FESTIVAL_TITLES
from .local_review import LOCAL_REVIEW
from .merit_round import MERIT_ROUND

PROCEDURES = {procedure.code: procedure for procedure in (LOCAL_REVIEW, MERIT_ROUND, FESTIVAL)}
DEFAULT = LOCAL_REVIEW
# Title type code -> procedure code, for the titles that do not run on DEFAULT.
BY_TITLE = {
    "gia-dinh-van-hoa": LOCAL_REVIEW.code,
    # The certificates of merit (titles/rulesets/giay_khen.json).
    "giay-khen-gia-dinh-van-hoa": MERIT_ROUND.code,
    "giay-khen-ap-van-hoa": MERIT_ROUND.code,
    # The 18 November proposals (titles/rulesets/khen_thuong_18_11.json).
    **dict.fromkeys(FESTIVAL_TITLES, FESTIVAL.code),
}

IN_USE = tuple({DEFAULT.code: DEFAULT, **{code: PROCEDURES[code] for code in BY_TITLE.values()}}.values())


def procedure_for_title(code):
    """The procedure of the title type whose code is `code`."""
    return PROCEDURES[BY_TITLE.get(code, DEFAULT.code)]


def procedure_of(dossier):
    """The dossier's procedure. While every title runs on one procedure, the dossier's
    title type is not read (it may not be loaded, and asking would cost a query); nor is it
    where the dossier's title type id is one already seen (TITLE_CODES)."""
    if len(IN_USE) == 1:
        return DEFAULT
    cached = dossier._state.fields_cache.get("title_type")
    if cached is None:
        code = TITLE_CODES.get(dossier.title_type_id)
        if code is None:
            code = TITLE_CODES.setdefault(dossier.title_type_id, dossier.title_type.code)
        return procedure_for_title(code)
    TITLE_CODES[cached.pk] = cached.code
    return procedure_for_title(cached.code)


# Title type id -> code, as read: a title type's code never changes once its dossiers exist (the
# rule-set files name title types by code, and a code is unique), so a process reads each once.
TITLE_CODES = {}


def titles_q(procedure, field):
    """Rows whose title type (its code at `field`, e.g. "dossier__title_type__code") runs
    on `procedure`: the titles named for it, or for the default every title not named
    for another."""
    if procedure is DEFAULT:
        return ~Q(**{f"{field}__in": [code for code, name in BY_TITLE.items() if name != procedure.code]})
    return Q(**{f"{field}__in": [code for code, name in BY_TITLE.items() if name == procedure.code]})


def route_allows(code):
    """A django-fsm condition: the dossier's procedure lets action `code` act on it now."""

    def allowed_by_procedure(dossier):
        return procedure_of(dossier).allows(code, dossier)

    allowed_by_procedure.__name__ = f"route_allows_{code}"
    return allowed_by_procedure


__all__ = [
    "ALWAYS", "Action", "BY_TITLE", "MERIT_ROUND", "DEFAULT", "Deadline", "DueColumn", "FESTIVAL", "IN_USE",
    "LOCAL_REVIEW", "PROCEDURES",
    "Procedure", "Stage", "TaskLink", "When", "procedure_for_title", "procedure_of", "review_day", "route_allows",
    "subjects_of", "titles_q",
]
