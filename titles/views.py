"""The register's own pages: a unit's certificate-of-merit list; the verification address of an
award (its pages are the dossier's, workflows.views.awards; the public check, documents.views)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import merit, selectors
from .subjects import subject_kind_of


def verify_url(request, award):
    return request.build_absolute_uri(reverse("documents:verify", args=[award.certificate_code]))


# The register starts with Decree 122/2018; earlier years have nothing to count.
MERIT_FIRST_YEAR = 2000


@login_required
@require_GET
def merit_list(request, title, unit, year):
    """The subjects of a unit eligible for a certificate of merit in `year`, and the excluded ones
    with the reason, computed from the register. Shown also when no rule set is in force for the
    year (then it says why no round can be opened)."""
    title, unit = selectors.merit_list_for(request.user, title, unit)
    if not MERIT_FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404(_("No such list."))
    result = merit.eligibility(title, unit, year)
    rules = result.rules
    return render(request, "titles/merit_list.html", {
        "result": result, "title": title, "unit": unit, "year": year, "kind": subject_kind_of(title),
        "rules": rules, "rule_lines": rules.description(result.base_title or rules.base_title) if rules else [],
        "window": result.window, "eligible": result.eligible, "excluded": result.excluded,
        "cap": result.cap, "pct": merit.format_pct(rules.cap_pct) if rules else "",
        # A round lists the subjects of a unit at its kind's dossier level (a hamlet's households, a
        # commune's hamlets) that existed that year and still does; the service checks who may open it.
        "opens_here": (unit.level == subject_kind_of(title).dossier_level
                       and unit.valid_from.year <= year and unit.is_valid_on(timezone.localdate())),
        "previous_year": year - 1 if year > MERIT_FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
    })
