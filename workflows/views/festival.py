"""The 18 November pages: what each proposal asks for (an action of the festival procedure) and the
honour list the hamlet reads out at the festival. Thin: workflows.services.festival decides."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from titles import commendations

from .. import selectors
from ..forms import RevisionForm
from ..models import NominationState
from ..procedures import FESTIVAL, procedure_of
from ..services import festival
from .common import attempt, guard, render_action

SUBJECTS = ("household", "hamlet", "person", "collective")


@login_required
@require_http_methods(["GET", "POST"])
def instruments(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "instruments"):
        return response
    nominations = list(dossier.nominations.exclude(state=NominationState.WITHDRAWN)
                       .select_related(*SUBJECTS).order_by("pk"))
    day = festival.festival_day(dossier)
    offered = commendations.instruments_in_force(day)
    status, error = 200, None
    if request.method == "POST":
        form = RevisionForm(request.POST)
        chosen = {key.removeprefix("instrument_"): value for key, value in request.POST.items()
                  if key.startswith("instrument_") and value}
        response, error, status = attempt(
            request, dossier, form,
            lambda data: festival.choose_instruments(actor=request.user, dossier=dossier, instruments=chosen,
                                                     expected_revision=data["expected_revision"]),
            lambda changed: ngettext("%(n)s proposal now says what it asks for.",
                                     "%(n)s proposals now say what they ask for.", changed) % {"n": changed})
        if response:
            return response
    else:
        form = RevisionForm(initial={"expected_revision": dossier.revision})
    for nomination in nominations:
        nomination.chosen = request.POST.get(f"instrument_{nomination.pk}", nomination.instrument)
    return render_action(request, "workflows/festival_instruments.html", dossier, {
        "form": form, "error": error, "nominations": nominations, "offered": offered, "day": day,
        "plan": commendations.festival_plan(dossier.year),
    }, status)


@login_required
def honour_list(request, pk):
    """The proposals granted or forwarded, in the order they are read out: the commune Front's instruments
    from the highest issuer down, then by name. Printable; guarded like the dossier page."""
    dossier = selectors.dossier_for(request.user, pk)
    if procedure_of(dossier) is not FESTIVAL:
        raise Http404(_("Not an 18 November proposal list."))
    catalogue = commendations.instruments()
    rank = {"province": 0, "district": 1, "commune": 2, "hamlet": 3}
    rows = []
    for nomination in (dossier.nominations.filter(state__in=[NominationState.ACCEPTED, NominationState.RECOGNIZED])
                       .select_related(*SUBJECTS).order_by("pk")):
        item = catalogue.get(nomination.instrument)
        rows.append({"name": str(nomination.subject), "achievement": nomination.self_assessment,
                     "instrument": item.name if item else nomination.instrument,
                     "granted": nomination.state == NominationState.RECOGNIZED,
                     "order": (rank.get(item.issuer_level, 9) if item else 9, str(nomination.subject))})
    rows.sort(key=lambda row: row["order"])
    return render(request, "workflows/festival_honour_list.html", {
        "dossier": dossier, "rows": rows, "plan": commendations.festival_plan(dossier.year)})
