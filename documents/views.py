"""Thin views: the dossier is read through workflows.selectors.dossier_for (404 for whoever may
not see it), the facts through documents.selectors, every write through documents.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from directory.selectors import find_acting
from titles import selectors as register
from titles.certificates import CERTIFICATE_RELATED
from titles.models import CERTIFICATE_CODE_LENGTH
from titles.subjects import subject_kind_of, subject_of
from titles.views import verify_url as award_verify_url
from workflows.selectors import dossier_for
from workflows.services import RuleViolation
from workflows.supervision import record_view

from . import registry, rendering, selectors, services
from .forms import PublicationForm

# File names of the downloads, in Vietnamese without diacritics (what an office keeps in its folders).
FILE_NAMES = {"minutes": "bien-ban-hop-binh-xet", "posting_list": "danh-sach-niem-yet", "proposal": "to-trinh",
              "decision": "quyet-dinh", "published_list": "thong-bao-cong-khai"}


def _code_urls(request, dossier):
    code = services.dossier_code(actor=request.user, dossier=dossier)
    verify = request.build_absolute_uri(reverse("documents:verify", args=[code]))
    public = request.build_absolute_uri(reverse("documents:published", args=[code]))
    return code, verify, public


def _filled(request, pk, kind):
    dossier = dossier_for(request.user, pk)
    form = registry.for_rule_set(dossier.rule_set.code).form(kind)
    if form is None or kind not in FILE_NAMES:
        raise Http404(_("This rule set has no such document."))
    code, verify, public = _code_urls(request, dossier)
    context = selectors.context(dossier, kind, code=code, verify_url=verify, public_url=public)
    if context is None:
        raise Http404(_("This document cannot be printed yet."))
    record_view(actor=request.user, dossier=dossier, what=f"document_{kind}")
    name = f"{FILE_NAMES[kind]}-{dossier.unit.code}-{dossier.year}"
    return dossier, rendering.fill(form.template, context), name


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_GET
def index(request, pk):
    dossier = dossier_for(request.user, pk)
    meeting, posting = selectors.latest_meeting(dossier), selectors.latest_posting(dossier)
    decision = selectors.decision_of(dossier)
    spec = registry.for_rule_set(dossier.rule_set.code)
    publication = getattr(decision, "publication", None) if decision else None
    can_publish = bool(decision and publication is None and spec.form("published_list")
                       and find_acting(request.user, dossier.deciding_unit, "decide_title"))
    return render(request, "documents/index.html", {
        "dossier": dossier, "documents": selectors.available(dossier, meeting=meeting, posting=posting,
                                                             decision=decision),
        "decision": decision, "publication": publication, "spec": spec,
        "publication_due": services.publication_due(decision, dossier.rule_set.code) if decision else None,
        "pdf_available": rendering.soffice() is not None, "can_publish": can_publish,
        # The public page's address, to give to whoever runs the website.
        "public_url": _code_urls(request, dossier)[2] if decision and spec.form("published_list") else "",
        "form": PublicationForm(initial={"expected_revision": dossier.revision}) if can_publish else None,
    })


@login_required
@never_cache
@require_GET
def document(request, pk, kind):
    dossier, content, name = _filled(request, pk, kind)
    return _download(content, rendering.DOCX_TYPE, f"{name}.docx")


@login_required
@never_cache
@require_GET
def document_pdf(request, pk, kind):
    dossier, content, name = _filled(request, pk, kind)
    pdf = rendering.to_pdf(content)
    if pdf is None:
        messages.warning(request, _("PDF needs LibreOffice on the server, which is not installed here: "
                                    "download the .docx and print it from a word processor."))
        return redirect("documents:index", pk=dossier.pk)
    return _download(pdf, "application/pdf", f"{name}.pdf")


@login_required
@never_cache
@require_GET
def certificates(request, pk):
    """Every certificate of the dossier's decision in one PDF (print all)."""
    dossier = dossier_for(request.user, pk)
    decision = selectors.decision_of(dossier)
    if decision is None:
        raise Http404(_("This document cannot be printed yet."))
    awards = (decision.awards.select_related(*CERTIFICATE_RELATED).order_by("household__code", "hamlet__name", "pk"))
    record_view(actor=request.user, dossier=dossier, what="document_certificates")
    pdf = rendering.all_certificates(list(awards), lambda award: award_verify_url(request, award))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-cong-nhan-{dossier.unit.code}-{dossier.year}.pdf"'
    return response


@login_required
@never_cache
@require_http_methods(["POST"])
def publish(request, pk):
    dossier = dossier_for(request.user, pk)
    form = PublicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("documents:index", pk=dossier.pk)
    try:
        publication = services.mark_published(actor=request.user, dossier=dossier, **form.cleaned_data)
    except RuleViolation as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The list of decision %(number)s is marked as published on %(date)s.")
                         % {"number": publication.decision.number,
                            "date": publication.published_on.strftime("%d/%m/%Y")})
    return redirect("documents:index", pk=dossier.pk)


def _rate(group, request):
    return settings.VERIFY_RATE_LIMIT


@require_GET
@never_cache
def published(request, code):
    """Public: the list of households a decision recognized, names and hamlet only.

    Rate limited per client address like /verify/, so codes cannot be enumerated;
    an unknown code, a malformed one and a dossier not yet decided get the same 404.
    """
    if is_ratelimited(request, group="documents.published", key="ip", rate=_rate, increment=True):
        return HttpResponse(_("Too many requests. Try again in a minute."), status=429,
                            content_type="text/plain; charset=utf-8")
    dossier = selectors.dossier_by_code(code)
    shown = selectors.public_list(dossier) if dossier is not None else None
    if shown is None:
        return render(request, "documents/published_unknown.html", status=404)
    return render(request, "documents/published.html", {"dossier": dossier, **shown})


# ---------------------------------------------------------------- the public verification of a printed code

def _verify_rate(group, request):
    return settings.VERIFY_RATE_LIMIT


def _unknown_code(request):
    return render(request, "documents/verify_unknown.html", {"code_length": CERTIFICATE_CODE_LENGTH}, status=404)


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
    award = register.public_award(code)
    if award is None:
        # A printed document (minutes, decision…) carries its dossier's code: same box, same rate.
        dossier = selectors.dossier_by_code(code)
        if dossier is None:
            return _unknown_code(request)
        return render(request, "documents/verify_dossier.html", {
            "dossier": dossier, "code": code.strip().upper(), "decision": selectors.decision_of(dossier),
            "public_list": selectors.has_public_list(dossier)})
    kind, subject = subject_kind_of(award.title_type), subject_of(award)
    revocation = getattr(award, "revocation", None) if award.revoked_at else None
    return render(request, "documents/verify.html", {
        "facts": kind.public_facts(subject), "year": award.year,
        "title": kind.award_title(award),
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
    return redirect("documents:verify", code=code[:64])
