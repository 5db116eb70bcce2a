"""An award's pages (provenance, PDF certificate, revocation) and a dossier's supervision concerns:
read from the dossier's audit chain and written by its services, so they are the dossier's pages.

Thin: selectors load what the user may see (404 otherwise), workflows.supervision records who
looked, titles.certificates draws the PDF.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.views import already_sent
from directory.selectors import find_acting
from titles.certificates import render_certificate
from titles.selectors import award_for
from titles.subjects import subject_kind_of, subject_of
from titles.views import verify_url

from .. import services, supervision
from ..audit.chain import anchor_covering
from ..audit import provenance as history
from ..forms import ConcernForm, ConcernReplyForm, RevokeForm
from ..selectors import dossier_for
from ..services import RuleViolation
from ..supervision import record_view


@login_required
def provenance(request, pk):
    award = award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_provenance")
    steps = history.provenance(award)
    kind, subject = subject_kind_of(award.title_type), subject_of(award)
    return render(request, "workflows/award_provenance.html", {
        "award": award, "holder": kind.label(subject), "belongs_to": kind.belongs_to(subject), "dossier": award.nomination.dossier, "steps": steps,
        "revocation": getattr(award, "revocation", None) if award.revoked_at else None,
        "verify_url": verify_url(request, award),
        "can_revoke": not award.revoked_at and find_acting(request.user, award.decision.unit, "decide_title"),
    })


@login_required
def provenance_json(request, pk):
    award = award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_provenance_api")
    return JsonResponse(history.provenance_json(award, history.provenance(award)),
                        json_dumps_params={"ensure_ascii": False})


@login_required
def certificate(request, pk):
    award = award_for(request.user, pk)
    record_view(actor=request.user, dossier=award.nomination.dossier, household=award.household,
                what="award_certificate")
    anchor = anchor_covering(award.nomination.dossier.case_id)
    response = HttpResponse(render_certificate(award, verify_url(request, award), anchor.hash if anchor else None),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-cong-nhan-{award.certificate_code}.pdf"'
    return response


@login_required
def revoke(request, pk):
    """The granting unit's chair cancels the award (the service checks who may)."""
    award = award_for(request.user, pk)
    if find_acting(request.user, award.decision.unit, "decide_title") is None:
        raise PermissionDenied(_("Only the chair of %(unit)s can revoke this award.") % {"unit": award.decision.unit})
    if award.revoked_at:
        return redirect("workflows:provenance", pk=award.pk)
    form = RevokeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_award(actor=request.user, award=award, **form.cleaned_data)
        except RuleViolation as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The award is revoked."))
            return redirect("workflows:provenance", pk=award.pk)
    return render(request, "workflows/award_revoke.html", {"award": award, "form": form, "error": error},
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
                        services.once(
                            actor=request.user, token=form.cleaned_data["form_token"],
                            perform=lambda: supervision.raise_concern(actor=request.user, dossier=dossier, **data))
                    except services.AlreadySent:
                        return already_sent(request, "workflows:concerns", pk=dossier.pk)
                    messages.success(request, _("Concern raised."))
                    return redirect("workflows:concerns", pk=dossier.pk)
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
                    return redirect("workflows:concerns", pk=dossier.pk)
        except RuleViolation as exc:
            error = " ".join(exc.messages)
    rows = dossier.concerns.select_related("nomination__household", "raised_unit", "raised_by", "answered_by")
    return render(request, "workflows/concerns.html", {
        "dossier": dossier, "concerns": rows, "form": form, "can_raise": can_raise, "error": error,
    }, status=422 if error else 200)
