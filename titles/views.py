"""Award pages (provenance, PDF certificate, revocation), the public verification
page, and a dossier's supervision concerns.

Thin: selectors load what the user may see (404 otherwise), workflows.supervision
records who looked, titles.certificates draws the PDF.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from directory.selectors import find_acting
from documents.selectors import decision_of, dossier_by_code, has_public_list
from workflows import services as workflow_services
from workflows import supervision
from workflows.audit.chain import anchor_covering
from workflows.selectors import dossier_for
from workflows.services import RuleViolation
from workflows.supervision import record_view
from core.views import already_sent

from . import merit, selectors
from .certificates import render_certificate
from .forms import ConcernForm, ConcernReplyForm, RevokeForm
from .models import CERTIFICATE_CODE_LENGTH
from .services import revoke_award
from .subjects import subject_kind_of, subject_of


def _verify_rate(group, request):
    return settings.VERIFY_RATE_LIMIT


def verify_url(request, award):
    return request.build_absolute_uri(reverse("titles:verify", args=[award.certificate_code]))


def _unknown_code(request):
    return render(request, "titles/verify_unknown.html", {"code_length": CERTIFICATE_CODE_LENGTH}, status=404)


def _rate_limited(request):
    return is_ratelimited(request, group="titles.verify", key="ip", rate=_verify_rate, increment=True)


@require_GET
@never_cache
def verify(request, code):
    """Public: is this certificate valid? The holder and where it belongs (a household and its hamlet,
    a hamlet and its commune), the title, the year and the public decision are shown.

    Every request counts against the client's rate, found or not, so codes
    cannot be enumerated; an unknown and a malformed code get the same 404 page
    (byte for byte: it echoes nothing and carries no per-request token).
    """
    if _rate_limited(request):
        return HttpResponse(_("Too many requests. Try again in a minute."), status=429,
                            content_type="text/plain; charset=utf-8")
    award = selectors.public_award(code)
    if award is None:
        # A printed document (minutes, decision…) carries its dossier's code: same box, same rate.
        dossier = dossier_by_code(code)
        if dossier is None:
            return _unknown_code(request)
        return render(request, "documents/verify_dossier.html", {
            "dossier": dossier, "code": code.strip().upper(), "decision": decision_of(dossier),
            "public_list": has_public_list(dossier)})
    kind, subject = subject_kind_of(award.title_type), subject_of(award)
    revocation = getattr(award, "revocation", None) if award.revoked_at else None
    return render(request, "titles/verify.html", {
        "facts": kind.public_facts(subject), "year": award.year,
        "title": kind.title_name(subject, award.title_type, award.nomination.dossier.rule_set),
        "revoked": award.revoked_at is not None, "code": award.certificate_code,
        "decision": award.decision, "revocation": revocation,
    })


@require_GET
@never_cache
def verify_lookup(request):
    """The retype box: /verify/?code=X goes to /verify/X/ (which counts against the rate)."""
    # People copy codes with spaces or dashes; anything else cannot be in a code anyway.
    code = "".join(ch for ch in (request.GET.get("code") or "").upper() if ch.isascii() and ch.isalnum())
    if not code:
        return _unknown_code(request)
    return redirect("titles:verify", code=code[:64])


@login_required
def provenance(request, pk):
    award = selectors.award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_provenance")
    steps = selectors.provenance(award)
    kind, subject = subject_kind_of(award.title_type), subject_of(award)
    return render(request, "titles/provenance.html", {
        "award": award, "holder": kind.label(subject), "belongs_to": kind.belongs_to(subject), "dossier": award.nomination.dossier, "steps": steps,
        "revocation": getattr(award, "revocation", None) if award.revoked_at else None,
        "verify_url": verify_url(request, award),
        "can_revoke": not award.revoked_at and find_acting(request.user, award.decision.unit, "decide_title"),
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
    anchor = anchor_covering(award.nomination.dossier_id)
    response = HttpResponse(render_certificate(award, verify_url(request, award), anchor.hash if anchor else None),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-cong-nhan-{award.certificate_code}.pdf"'
    return response


@login_required
def revoke(request, pk):
    """The granting unit's chair cancels the award (the service checks who may)."""
    award = selectors.award_for(request.user, pk)
    if find_acting(request.user, award.decision.unit, "decide_title") is None:
        raise PermissionDenied(_("Only the chair of %(unit)s can revoke this award.") % {"unit": award.decision.unit})
    if award.revoked_at:
        return redirect("titles:provenance", pk=award.pk)
    form = RevokeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            revoke_award(actor=request.user, award=award, **form.cleaned_data)
        except RuleViolation as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The award is revoked."))
            return redirect("titles:provenance", pk=award.pk)
    return render(request, "titles/revoke.html", {"award": award, "form": form, "error": error},
                  status=422 if error else 200)


@login_required
def concerns(request, pk):
    """A dossier's supervision concerns: supervisors raise and close, the responsible level answers."""
    dossier = dossier_for(request.user, pk)
    can_raise = find_acting(request.user, dossier.unit, "supervise", inherited=True) is not None
    error = ""
    form = ConcernForm(dossier=dossier)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "raise":
                form = ConcernForm(request.POST, dossier=dossier)
                if form.is_valid():
                    data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}
                    try:
                        workflow_services.once(
                            actor=request.user, token=form.cleaned_data["form_token"],
                            perform=lambda: supervision.raise_concern(actor=request.user, dossier=dossier, **data))
                    except workflow_services.AlreadySent:
                        return already_sent(request, "titles:concerns", pk=dossier.pk)
                    messages.success(request, _("Concern raised."))
                    return redirect("titles:concerns", pk=dossier.pk)
            elif action in ("answer", "close"):
                reply = ConcernReplyForm(request.POST)
                if reply.is_valid():
                    concern = get_object_or_404(dossier.concerns, pk=reply.cleaned_data["concern"])
                    if action == "answer":
                        supervision.answer_concern(actor=request.user, concern=concern,
                                                   answer=reply.cleaned_data["text"])
                    else:
                        supervision.close_concern(actor=request.user, concern=concern,
                                                  note=reply.cleaned_data["text"])
                    return redirect("titles:concerns", pk=dossier.pk)
        except RuleViolation as exc:
            error = " ".join(exc.messages)
    rows = dossier.concerns.select_related("nomination__household", "raised_unit", "raised_by", "answered_by")
    return render(request, "titles/concerns.html", {
        "dossier": dossier, "concerns": rows, "form": form, "can_raise": can_raise, "error": error,
    }, status=422 if error else 200)


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
        "previous_year": year - 1 if year > MERIT_FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
    })
