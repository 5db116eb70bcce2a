"""The merit round's own pages: opening it from the eligible list, and the emulation council."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from titles.selectors import merit_list_for

from .. import selectors, services
from ..forms import CouncilForm
from ..models import Dossier
from ..services.errors import RuleViolation
from .common import attempt, done, guard, refusal_text, render_action


@login_required
@require_POST
def open_merit_round(request, title, unit, year):
    """Open the year's round of a certificate of merit from its eligible list (titles:merit). The
    service checks the opening permission, the rule set in force, the unit's level; a refusal goes
    back to the list with its reason. An existing round of the year opens instead."""
    title_type, unit_row = merit_list_for(request.user, title, unit)
    existing = Dossier.objects.filter(title_type=title_type, unit=unit_row, year=year).first()
    if existing is not None:
        # The list is guarded like the dossier (the unit's dossiers): whoever sees one sees the other.
        return redirect("workflows:dossier", pk=existing.pk)
    try:
        dossier = services.open_round(actor=request.user, unit=unit_row, title_type=title_type, year=year)
    except RuleViolation as error:
        messages.error(request, refusal_text(error))
        return redirect("titles:merit", title=title, unit=unit, year=year)
    return done(request, dossier, _("The %(year)s round of %(title)s is open: put the eligible on its list.")
                % {"year": year, "title": title_type})


@login_required
@require_http_methods(["GET", "POST"])
def council(request, pk):
    """The emulation council's meeting, recorded with its minutes before the chair decides."""
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "council"):
        return response
    council_name = (dossier.rule_set.merit.get("council") or {}).get("name", "")
    status, error = 200, None
    if request.method == "POST":
        form = CouncilForm(request.POST, request.FILES)
        response, error, status = attempt(
            request, dossier, form,
            lambda data: services.record_council(
                actor=request.user, dossier=dossier, held_on=data["held_on"], members=data["members"],
                present=data["present"], conclusion=data["conclusion"], minutes=data["minutes"],
                expected_revision=data["expected_revision"], dates_confirmed=data["dates_confirmed"]),
            lambda result: _("The meeting of %(council)s on %(date)s is recorded: the decision can be signed.")
            % {"council": council_name, "date": result.held_on.strftime("%d/%m/%Y")})
        if response:
            return response
    else:
        form = CouncilForm(initial={"expected_revision": dossier.revision})
    return render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Record the emulation council's meeting"),
        "intro": _("%(council)s meets on the appraised list before the chair signs the decision (%(basis)s).")
        % {"council": council_name, "basis": (dossier.rule_set.merit.get("council") or {}).get("basis", "")},
        "button": _("Record the council's meeting"),
    }, status)

