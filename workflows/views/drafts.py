"""The tally sheet's draft and its delayed sending (a phone that was offline).

Both answer JSON to the page's script. The same permission as recording the meeting
(record_review on the dossier's hamlet) guards reading and writing; a dossier the user
may not see is a 404, as everywhere."""

import json

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.models import UsedFormToken

from .. import selectors, services
from ..forms import MeetingForm, parse_tally
from ..models import NominationState
from ..services import RuleViolation
from ..services.common import acting_for
from .common import refusal_text

REVIEWABLE_ON_SHEET = [NominationState.REGISTERED, NominationState.PROPOSED, NominationState.NOT_PROPOSED]


def _payload(request):
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise RuleViolation(_("The draft is not a tally sheet."))
    return payload


def _shown(draft, dossier):
    return {"token": draft.token, "revision": draft.revision, "data": draft.data,
            "saved_by": draft.saved_by.get_full_name() or draft.saved_by.get_username(),
            "saved_at": draft.saved_at.isoformat(), "stale": draft.revision != dossier.revision}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_draft(request, pk):
    """GET: the dossier's latest draft (or the one of ?token=, and whether it was recorded);
    POST: save the phone's draft {token, revision, data}."""
    dossier = selectors.dossier_for(request.user, pk)
    acting_for(request.user, dossier, "meeting")
    if request.method == "POST":
        try:
            payload = _payload(request)
            draft = services.save_tally_draft(actor=request.user, dossier=dossier, token=payload.get("token"),
                                              revision=payload.get("revision"), data=payload.get("data"))
        except RuleViolation as exc:
            return JsonResponse({"status": "refused", "message": refusal_text(exc)}, status=400)
        return JsonResponse({"status": "saved", "draft": _shown(draft, dossier)})
    token = request.GET.get("token", "")
    drafts = dossier.tally_drafts.select_related("saved_by")
    draft = drafts.filter(token=token).first() if token else drafts.first()
    return JsonResponse({
        "revision": dossier.revision,
        # The token becomes the recorded form's one-time token: used means recorded.
        "recorded": bool(token) and UsedFormToken.objects.filter(token=token).exists(),
        "draft": _shown(draft, dossier) if draft else None,
    })


def _current(dossier):
    """The meeting in force and its votes, to set beside a draft drafted before it."""
    meeting = dossier.meetings.select_related("recorded_by").first()
    votes = dossier.nominations.filter(state__in=REVIEWABLE_ON_SHEET).values_list(
        "pk", "votes_for", "votes_against", "exclusion")
    return {
        "state": dossier.get_state_display(), "revision": dossier.revision,
        "meeting": meeting and {"held_on": meeting.held_on.strftime("%d/%m/%Y"), "invited": meeting.invited,
                                "present": meeting.present, "method": meeting.method,
                                "recorded_by": meeting.recorded_by.get_full_name()
                                or meeting.recorded_by.get_username()},
        "rows": {str(pk): ["" if f is None else str(f), "" if a is None else str(a), excl or ""]
                 for pk, f, a, excl in votes},
    }


@login_required
@require_POST
def meeting_sync(request, pk):
    """Record a meeting typed on a phone, possibly offline: {token, revision, data}.

    The draft is saved first, so a refusal keeps it. It is then judged exactly as the
    typed form is (MeetingForm, then record_meeting with the revision it was drafted on);
    its token is the form's one-time token, so sending it twice records it once."""
    dossier = selectors.dossier_for(request.user, pk)
    acting_for(request.user, dossier, "meeting")
    already = JsonResponse({"status": "already", "message": _(
        "This meeting was already sent and recorded; it was not recorded a second time.")})
    try:
        payload = _payload(request)
        # A second sending of a recorded draft (the answer to the first was lost) is told so
        # before anything else: by now the dossier has moved on from the draft's revision.
        if UsedFormToken.objects.filter(user=request.user, token=str(payload.get("token", ""))).exists():
            return already
        draft = services.save_tally_draft(actor=request.user, dossier=dossier, token=payload.get("token"),
                                          revision=payload.get("revision"), data=payload.get("data"))
    except RuleViolation as exc:
        return JsonResponse({"status": "refused", "message": refusal_text(exc)}, status=400)
    if draft.revision != dossier.revision:
        return JsonResponse({"status": "conflict", "message": _(
            "Someone else changed this dossier after this tally was started on the phone: compare both "
            "versions and choose which to keep."), "current": _current(dossier), "draft": _shown(draft, dossier)},
            status=409)
    post = QueryDict(mutable=True)
    post.update({**draft.data["fields"], "expected_revision": str(draft.revision), "form_token": draft.token})
    for key, cells in draft.data["rows"].items():
        cells = cells + [""] * (4 - len(cells))
        post.update({f"for_{key}": cells[0], f"against_{key}": cells[1], f"excl_{key}": cells[2],
                     f"change_{key}": cells[3]})
    form = MeetingForm(post)
    if not form.is_valid():
        return JsonResponse({"status": "refused", "message": " ".join(
            f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
            for name, errors in form.errors.items())}, status=400)
    data = form.cleaned_data
    nominations = list(dossier.nominations.filter(state__in=REVIEWABLE_ON_SHEET)
                       .annotate(head_name=F("household__head_name")))
    votes, exclusions, change_reasons = parse_tally(post, nominations, dossier.rule_set.exclusion_grounds)
    try:
        meeting = services.once(actor=request.user, token=draft.token, perform=lambda: services.record_meeting(
            actor=request.user, dossier=dossier, held_on=data["held_on"], invited=data["invited"],
            present=data["present"], method=data["method"], votes=votes, exclusions=exclusions, minutes=None,
            chaired_by=data["chaired_by"], expected_revision=data["expected_revision"],
            dates_confirmed=data["dates_confirmed"], change_reasons=change_reasons))
    except services.AlreadySent:
        return already
    except services.TallyRefused as exc:
        return JsonResponse({"status": "refused", "message": refusal_text(exc),
                             "rows": {str(k): v for k, v in exc.rows.items()}}, status=400)
    except RuleViolation as exc:
        return JsonResponse({"status": "refused", "message": refusal_text(exc)}, status=400)
    return JsonResponse({"status": "recorded", "message": _("Meeting of %(date)s recorded.") % {
        "date": meeting.held_on.strftime("%d/%m/%Y")}, "url": reverse("workflows:dossier", args=[dossier.pk])})
