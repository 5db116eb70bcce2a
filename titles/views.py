"""Award pages: provenance, PDF certificate, and the public verification page.

Thin: selectors load what the user may see (404 otherwise), workflows.supervision
records who looked, titles.certificates draws the PDF.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from workflows.supervision import record_view

from . import selectors
from .certificates import render_certificate


def _verify_rate(group, request):
    return settings.VERIFY_RATE_LIMIT


def verify_url(request, award):
    return request.build_absolute_uri(reverse("titles:verify", args=[award.certificate_code]))


@require_GET
@never_cache
def verify(request, code):
    """Public: is this certificate valid? Only holder, hamlet, title and year are shown.

    Every request counts against the client's rate, found or not, so codes
    cannot be enumerated; an unknown and a malformed code get the same 404.
    """
    if is_ratelimited(request, group="titles.verify", key="ip", rate=_verify_rate, increment=True):
        return HttpResponse(_("Too many requests. Try again in a minute."), status=429,
                            content_type="text/plain; charset=utf-8")
    award = selectors.public_award(code)
    if award is None:
        return HttpResponse(_("Not found."), status=404, content_type="text/plain; charset=utf-8")
    if award.household_id:
        holder, hamlet = award.household.head_name, award.household.hamlet.name
    else:
        holder = hamlet = award.hamlet.name
    return render(request, "titles/verify.html", {
        "holder": holder, "hamlet": hamlet, "title": award.title_type.name, "year": award.year,
        "revoked": award.revoked_at is not None, "code": award.certificate_code,
    })


@login_required
def provenance(request, pk):
    award = selectors.award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_provenance")
    steps = selectors.provenance(award)
    return render(request, "titles/provenance.html", {
        "award": award, "dossier": award.nomination.dossier, "steps": steps,
        "revocation": getattr(award, "revocation", None) if award.revoked_at else None,
        "verify_url": verify_url(request, award),
    })


@login_required
def provenance_json(request, pk):
    award = selectors.award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_provenance_api")
    return JsonResponse(selectors.provenance_json(award, selectors.provenance(award)),
                        json_dumps_params={"ensure_ascii": False})


@login_required
def certificate(request, pk):
    award = selectors.award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_certificate")
    response = HttpResponse(render_certificate(award, verify_url(request, award)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-cong-nhan-{award.certificate_code}.pdf"'
    return response
