"""One view per transition: registration, self-assessments, the tally sheet, posting, comments, submission, appraisal, return and decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from directory.search import Folded, fold
from titles.merit import eligibility
from titles.models import Step
from titles.subjects import subject_kind_of

from .. import criteria, selectors, services
from ..forms import (
    AppraiseForm,
    AssessmentsForm,
    CommentForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    PostingForm,
    RegisterForm,
    ReturnForm,
    SubmitForm,
    WithdrawForm,
    strike_formset,
    tally_formset,
)
from ..models import DossierState, Nomination, NominationState
from ..services.merit import is_merit, merit_cap_line
from ..supervision import open_concerns
from .common import (
    SummaryGroup,
    attempt,
    attempt_confirmed,
    page_of,
    query_without_page,
    render_action,
    render_confirm,
    guard,
    wrong_state,
)

# ---------------------------------------------------------------- registration

@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "register"):
        return response
    kind = subject_kind_of(dossier.title_type)
    registered = Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year,
                                           **{kind.field: OuterRef("pk")}).exclude(state=NominationState.WITHDRAWN)
    own = dossier.nominations.filter(state=NominationState.REGISTERED, **{kind.field: OuterRef("pk")})
    households = (
        kind.registration_rows(dossier.unit, timezone.localdate()).annotate(is_registered=Exists(registered), withdrawable=Subquery(own.values("pk")[:1]))
        .order_by(kind.sort_field)
    )
    # A certificate of merit lists only the subjects the register makes eligible, each with its streak.
    streaks = None
    if is_merit(dossier.rule_set):
        standing = eligibility(dossier.title_type, dossier.unit, dossier.year)
        streaks = {s.subject.pk: s.judgement.streak for s in standing.eligible}
        households = households.filter(pk__in=list(streaks))
    # What "register all" registers: every subject that may be registered, the
    # households without members excepted (the service would refuse them, naming them).
    eligible = households.filter(is_registered=False, registrable=True)
    status, error = 200, None
    if request.method == "POST":
        form = RegisterForm(request.POST, choices=[(v, v) for v in request.POST.getlist("households")])

        def perform(data):
            ids, expected = data["households"], None
            if data["register_all"] is not None:
                ids, expected = list(eligible.values_list("pk", flat=True)), data["register_all"]
            return services.register_subjects(actor=request.user, dossier=dossier, subject_ids=ids,
                                                registered_on=data["registered_on"],
                                                expected_revision=data["expected_revision"],
                                                expected_count=expected,
                                                dates_confirmed=data["dates_confirmed"])

        response, error, status = attempt(request, dossier, form, perform, lambda created: _(
            "%(n)s %(subjects)s registered.") % {"n": len(created), "subjects": kind.nouns})
        if response:
            return response
    else:
        form = RegisterForm(initial={"expected_revision": dossier.revision})
    show = request.GET.get("show", "")
    listed = households
    if show == "unregistered":
        listed = households.filter(is_registered=False)
    elif show == "registered":
        listed = households.filter(is_registered=True)
    search = request.GET.get("q", "").strip()
    if search:
        listed = listed.alias(name_folded=Folded(kind.name_field)).filter(name_folded__contains=fold(search))
    page = page_of(request, listed, 100)
    if streaks is not None:
        window = dossier.rule_set.consecutive_years
        for row in page:
            held = [title for title in streaks[row.pk] if title.year > dossier.year - window]
            row.detail = _("%(detail)s · %(first)s–%(last)s, decisions %(decisions)s") % {
                "detail": row.detail, "first": held[0].year, "last": held[-1].year,
                "decisions": ", ".join(title.decision for title in held)}
    return render_action(request, "workflows/register.html", dossier, {
        "kind": kind, "merit": streaks is not None,
        "form": form, "error": error, "households": page, "show": show,
        "search": search, "query": query_without_page(request),
        "unregistered_count": households.filter(is_registered=False).count(),
        "eligible_count": eligible.count(),
        "registered_count": households.filter(is_registered=True).count(),
        "checked": set(request.POST.getlist("households")),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk, nomination_pk):
    """Withdraw one registration made by mistake, before the review meeting."""
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "withdraw"):
        return response
    nomination = get_object_or_404(dossier.nominations.select_related("household", "hamlet", "person", "collective"), pk=nomination_pk)
    status, error = 200, None
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        response, error, status = attempt(
            request, dossier, form,
            lambda data: services.withdraw_registrations(
                actor=request.user, dossier=dossier, nomination_ids=[nomination.pk], reason=data["reason"],
                expected_revision=data["expected_revision"]),
            lambda withdrawn: _("The registration of %(name)s is withdrawn; the %(subject)s can be registered "
                                "again.") % {"name": nomination.subject,
                                             "subject": subject_kind_of(dossier.title_type).noun},
        )
        if response:
            return response
    else:
        form = WithdrawForm(initial={"expected_revision": dossier.revision})
    return render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error,
        "heading": _("Withdraw the registration of %(name)s") % {"name": nomination.subject},
        "intro": _("Registered on %(date)s. A registration can be withdrawn until the review meeting; the "
                   "reason is kept in the dossier's history.")
        % {"date": nomination.registered_on.strftime("%d/%m/%Y")},
        "button": _("Withdraw the registration"), "danger": True,
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def assessments(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "assess"):
        return response
    page = page_of(request, dossier.nominations.exclude(state=NominationState.WITHDRAWN)
                   .select_related("household", "hamlet", "person", "collective").order_by("household__code", "hamlet__code"), 50)
    status, error = 200, None
    if request.method == "POST":
        form = AssessmentsForm(request.POST)
        texts = {
            key.removeprefix("text_"): value for key, value in request.POST.items()
            if key.startswith("text_") and key.removeprefix("text_").isdigit()
        }
        response, error, status = attempt(
            request, dossier, form,
            lambda data: services.record_self_assessments(
                actor=request.user, dossier=dossier, assessments=texts, assessed_on=data["assessed_on"],
                expected_revision=data["expected_revision"], dates_confirmed=data["dates_confirmed"]),
            lambda saved: _("%(n)s self-assessments recorded.") % {"n": len(saved)},
        )
        if response:
            return response
    else:
        form = AssessmentsForm(initial={"expected_revision": dossier.revision})
    for nomination in page:
        nomination.form_text = request.POST.get(f"text_{nomination.pk}", nomination.self_assessment)
    return render_action(request, "workflows/assessments.html", dossier, {
        "form": form, "error": error, "nominations": page, "query": query_without_page(request),
    }, status)


# ---------------------------------------------------------------- the tally sheet

class _Texts(dict):
    """The tally script's messages, translated when the page is rendered (json_script reads items)."""

    def items(self):
        return ((key, str(value)) for key, value in super().items())


TALLY_TEXTS = _Texts(
    saved_phone=gettext_lazy("Draft saved on this phone at {time}."),
    saved_server=gettext_lazy("Draft saved on this phone and on the server at {time}."),
    offline_kept=gettext_lazy("No connection: the draft is kept on this phone."),
    logged_out=gettext_lazy("Your session has ended: the draft is kept on this phone. Log in again and open "
                            "this page: it will be offered back."),
    offer_phone=gettext_lazy("A draft of this tally is saved on this phone ({time}, {n} households entered)."),
    offer_server=gettext_lazy("{who} saved a draft of this tally at {time} ({n} households entered)."),
    waiting=gettext_lazy("Waiting to be sent: the meeting is kept on this phone and will be sent when "
                         "the connection returns."),
    sending=gettext_lazy("Sending the meeting kept on this phone…"),
    sent=gettext_lazy("Sent."),
    refused=gettext_lazy("Refused:"),
    conflict_mine=gettext_lazy("Your version is on the sheet; check it and record it again."),
    copy_refreshing=gettext_lazy("This is the copy of the sheet saved on this phone at {time}; asking the server "
                                 "whether the dossier changed since…"),
    copy_offline=gettext_lazy("No connection: this is the copy of the sheet saved on this phone at {time}."),
    copy_changed=gettext_lazy("The dossier changed on the server after this copy was saved ({time}). What you "
                              "typed is kept on this phone: reload the sheet to see the dossier as it is now, "
                              "then restore your draft."),
    copy_gone=gettext_lazy("The server no longer gives this sheet as it was saved on this phone (the dossier moved "
                           "on, or your session ended). What you typed is kept on this phone: reload to see what "
                           "the server gives now."),
    col_date=gettext_lazy("Meeting date"),
    col_present=gettext_lazy("Present"),
)


# Without JavaScript each row's list of exclusion grounds is rendered here: by their names
# while rows × grounds stays within this, else by their numbers in a legend above the sheet.
# 300 rows × 10 names would add 259 KB to the 136 KB page, their numbers add 53 KB; 100 rows
# with names weigh what the 300-row sheet did. The script puts the names on every row either
# way (static/js/app.js).
GROUND_NAMES_MAX_OPTIONS = 1000


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "meeting"):
        return response
    # The whole list is one form: the service settles every household at once,
    # so the tally cannot be paginated; rows are kept compact instead.
    nominations = list(
        dossier.nominations.filter(state__in=[NominationState.REGISTERED, NominationState.PROPOSED,
                                              NominationState.NOT_PROPOSED])
        .select_related("household", "hamlet", "person", "collective").order_by("household__code", "hamlet__code")
    )
    # The meeting whose votes are in force: a new one replaces it, starting from its header.
    current = dossier.meetings.first()
    status, error, chosen, wrong_rows = 200, None, [], {}
    if request.method == "POST":
        # The names as chosen: the upload check renames the files it accepts.
        chosen = [upload.name for upload in request.FILES.getlist("minutes")]
        form = MeetingForm(request.POST, request.FILES)
        rows = tally_formset(request.POST, nominations, dossier.rule_set.exclusion_grounds).rows()
        votes = {n.pk: (row["votes_for"], row["votes_against"]) for n, row in rows}
        exclusions = {n.pk: row["ground"] for n, row in rows if row["ground"]}
        change_reasons = {n.pk: row["change_reason"] for n, row in rows if row["change_reason"]}

        def success(meeting):
            proposed = dossier.nominations.filter(state=NominationState.PROPOSED).count()
            return _("Meeting of %(date)s recorded: %(proposed)s of %(n)s %(subjects)s proposed.") % {
                "subjects": subject_kind_of(dossier.title_type).nouns,
                "date": meeting.held_on.strftime("%d/%m/%Y"), "proposed": proposed, "n": len(nominations)}

        def perform(data):
            try:
                return services.record_meeting(
                    actor=request.user, dossier=dossier, held_on=data["held_on"], invited=data["invited"],
                    present=data["present"], method=data["method"], votes=votes, exclusions=exclusions,
                    minutes=data["minutes"], chaired_by=data["chaired_by"],
                    expected_revision=data["expected_revision"],
                    dates_confirmed=data["dates_confirmed"], change_reasons=change_reasons)
            except services.TallyRefused as exc:
                # Shown on their rows and in the summary above the sheet, not as one long line.
                wrong_rows.update(exc.rows)
                if exc.summary:
                    wrong_rows[None] = exc.summary
                raise

        response, error, status = attempt(request, dossier, form, perform, success)
        if response:
            return response
        if wrong_rows:
            error = None
        # The sheet comes back as typed (a ground chosen by its number, as its code).
        for nomination, row in rows:
            nomination.form_for, nomination.form_against = row["votes_for"], row["votes_against"]
            nomination.form_excl, nomination.form_change = row["ground"], row["change_reason"]
    else:
        initial = {"expected_revision": dossier.revision}
        if current is not None:
            initial.update(held_on=current.held_on, invited=current.invited, present=current.present,
                           method=current.method, chaired_by=current.chaired_by)
        form = MeetingForm(initial=initial)
        for nomination in nominations:
            nomination.form_for = "" if nomination.votes_for is None else nomination.votes_for
            nomination.form_against = "" if nomination.votes_against is None else nomination.votes_against
            nomination.form_excl = nomination.exclusion
            nomination.form_change = ""
    grounds = dossier.rule_set.exclusion_grounds
    codes = {g["code"] for g in grounds}
    wrong = []
    for number, nomination in enumerate(nominations, start=1):
        nomination.number = number
        nomination.error = wrong_rows.get(nomination.pk)
        # A value that is no ground of the rule set comes back as typed, for the service's refusal to name.
        nomination.excl_unknown = bool(nomination.form_excl) and nomination.form_excl not in codes
        if nomination.error:
            wrong.append(nomination)
    rules = dossier.rule_set
    # Beside each hamlet, what the register already knows of the rule set's criteria.
    figures = criteria.hamlet_figures(rules, dossier.year, [n.hamlet_id for n in nominations if n.hamlet_id])
    for nomination in nominations:
        nomination.figures = figures.get(nomination.hamlet_id, ())
    response = render_action(request, "workflows/meeting.html", dossier, {
        # A certificate of merit: how many of the unit's eligible the cap lets the meeting propose.
        "merit_cap": merit_cap_line(dossier) if is_merit(dossier.rule_set) else "",
        "standards": criteria.standards(rules),
        "form": form, "error": error, "nominations": nominations, "grounds": grounds, "wrong": wrong,
        "ground_names_on_rows": len(grounds) * len(nominations) <= GROUND_NAMES_MAX_OPTIONS,
        "wrong_summary": wrong_rows.get(None),
        "replaces": current,
        # What the running count needs to tell "proposed so far" as the service will.
        "tally_rules": {"approval_pct": None if rules.approval_pct is None else str(rules.approval_pct),
                        "total": len(nominations)},
        "tally_texts": TALLY_TEXTS,
        # A browser cannot be given a chosen file back: a refused form says so
        # next to the input instead of dropping the minutes silently.
        "minutes_lost": chosen,
    }, status)
    # The service worker may show the phone's copy of this page while the network is slow; it
    # compares the copy's revision with this one when the network answers (static/js/tally.js).
    response["X-Dossier-Revision"] = str(dossier.revision)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attach_minutes(request, pk):
    """The signed minutes of the meeting in force, attached after its votes (typed before
    the paper was signed, or sent from the phone's outbox, which carries no file)."""
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "attach_minutes"):
        return response
    meeting = _meeting_with_pages(dossier)
    if meeting is None and request.method == "GET":
        return wrong_state(request, dossier)
    status, error, chosen = 200, None, []
    if request.method == "POST":
        # The names as chosen: the upload check renames the files it accepts.
        chosen = [upload.name for upload in request.FILES.getlist("minutes")]
        form = MinutesForm(request.POST, request.FILES)
        response, error, status = attempt(
            request, dossier, form,
            lambda data: services.attach_minutes(actor=request.user, dossier=dossier, minutes=data["minutes"],
                                                 expected_revision=data["expected_revision"]),
            lambda result: ngettext(
                "The signed minutes of the meeting of %(date)s are attached (%(n)s page).",
                "The signed minutes of the meeting of %(date)s are attached (%(n)s pages).", len(chosen))
            % {"date": meeting.held_on.strftime("%d/%m/%Y"), "n": len(chosen)},
        )
        if response:
            return response
    else:
        form = MinutesForm(initial={"expected_revision": dossier.revision})
    intro = None
    if meeting is not None:
        held = {"date": meeting.held_on.strftime("%d/%m/%Y"), "n": meeting.pages, "next": meeting.pages + 1}
        intro = (ngettext("The minutes of the meeting of %(date)s have %(n)s page; the files chosen are added from "
                          "page %(next)s.",
                          "The minutes of the meeting of %(date)s have %(n)s pages; the files chosen are added from "
                          "page %(next)s.", meeting.pages) % held
                 if meeting.pages else
                 _("The votes of the meeting of %(date)s are recorded; its signed minutes are not attached yet.")
                 % held)
    return render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Attach the signed minutes"), "intro": intro,
        "button": _("Attach the minutes"),
        # A browser cannot be given a chosen file back: a refused form says so.
        "minutes_lost": chosen if status != 200 else [],
    }, status)


def _meeting_with_pages(dossier):
    """The meeting in force, with `pages`: how many pages of its minutes are attached."""
    meeting = dossier.meetings.annotate(extra_pages=Count("minutes_pages")).order_by("-recorded_at", "-pk").first()
    if meeting is not None:
        meeting.pages = (1 + meeting.extra_pages) if meeting.minutes else 0
    return meeting


# ---------------------------------------------------------------- posting, comments, submission

def _simple_action(request, pk, *, action, form_class, perform, success, heading,
                   button, form_kwargs=lambda dossier: {}, intro=None, danger=False, notice=None, blocked=None,
                   check=None, confirm=None, warnings=None):
    """One short form, one service call: the shape shared by posting, comments,
    submission, return and decision. A refusal re-renders the form with the
    service's message; nothing is written.

    `notice(dossier)`: what the actor must see before acting ({"text", "items",
    "link", "blocking"}; a blocking notice replaces the form, which could only be
    refused). `blocked(dossier)`: a message when the action, allowed in this state,
    can only be refused today; a GET then goes back to the dossier page. `check` and
    `confirm`: the confirmation step (see attempt_confirmed). `warnings(dossier)`: what
    the actor should know but may act without ([{"text", "link", "link_text"}])."""
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, action):
        return response
    if request.method == "GET" and blocked and (text := blocked(dossier)):
        messages.warning(request, text)
        return redirect("workflows:dossier", pk=dossier.pk)
    kwargs = form_kwargs(dossier)
    status, error = 200, None
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if confirm is None:
            response, error, status = attempt(request, dossier, form, lambda data: perform(dossier, data),
                                              lambda result: success(dossier, result))
        else:
            response, error, status = attempt_confirmed(
                request, dossier, form, lambda data: perform(dossier, data), lambda result: success(dossier, result),
                check=lambda data: check(dossier, data), confirm=lambda result: confirm(dossier, form.cleaned_data))
        if response:
            return response
    else:
        form = form_class(initial={"expected_revision": dossier.revision}, **kwargs)
    return render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": heading(dossier) if callable(heading) else heading,
        "button": button, "intro": intro(dossier) if intro else None, "danger": danger,
        "notice": notice(dossier) if notice else None,
        "warnings": warnings(dossier) if warnings else [],
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def posting(request, pk):
    return _simple_action(
        request, pk, action="posting", form_class=PostingForm,
        perform=lambda dossier, data: services.post_list(actor=request.user, dossier=dossier, **data),
        success=lambda dossier, posting: _("The list is posted until %(end)s.")
        % {"end": posting.ends_on.strftime("%d/%m/%Y")},
        heading=_("Post the list publicly"), button=_("Record the posting"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment(request, pk):
    return _simple_action(
        request, pk, action="comment", form_class=CommentForm,
        form_kwargs=lambda dossier: {"nominations": dossier.nominations.filter(state=NominationState.PROPOSED)
                                     .select_related("household", "hamlet", "person", "collective"),
                                     "kind": subject_kind_of(dossier.title_type)},
        perform=lambda dossier, data: services.record_comment(
            actor=request.user, dossier=dossier, received_on=data["received_on"], author=data["author"],
            text=data["text"], nomination_id=data["nomination"], expected_revision=data["expected_revision"],
            dates_confirmed=data["dates_confirmed"]),
        success=lambda dossier, comment: _("The comment is recorded."),
        heading=_("Record a resident comment"), button=_("Save the comment"),
    )


def _sending_opens_on(dossier):
    """The day a posted list may be sent, or None when the dossier is not being posted."""
    if dossier.state != DossierState.POSTING:
        return None
    posting = dossier.postings.first()
    return posting.sendable_from if posting else None


def _send_blocked(dossier):
    opens_on = _sending_opens_on(dossier)
    if opens_on and timezone.localdate() < opens_on:
        return _("The list is posted for residents' comments; the dossier can be sent from %(date)s.") % {
            "date": opens_on.strftime("%d/%m/%Y")}
    return None


def _return_notice(dossier):
    """A returned dossier's task opens on the reason it came back."""
    if dossier.state != DossierState.RETURNED:
        return None
    return {"text": _("Returned by %(unit)s because: %(reason)s") % {"unit": dossier.appraising_unit,
                                                                     "reason": dossier.return_reason},
            "items": [_("Correct what is asked (re-record the meeting, complete the self-assessments or attach "
                        "documents from the dossier page), then say here what was corrected and send again.")],
            "link": reverse("workflows:dossier", args=[dossier.pk])}


def _minutes_warnings(dossier):
    """Sending without the signed minutes is allowed (no rule set requires them first), but
    the appraising level reads them: the send page says they are missing, with the way to
    attach them."""
    if not dossier.rule_set.has_step(Step.MEETING):
        return []
    meeting = dossier.meetings.first()
    if meeting is None or meeting.minutes:
        return []
    return [{"text": _("The signed minutes of the meeting of %(date)s are not attached yet. The dossier can be "
                       "sent without them, but %(unit)s may ask for them.")
             % {"date": meeting.held_on.strftime("%d/%m/%Y"), "unit": dossier.appraising_unit},
             "link": reverse("workflows:attach_minutes", args=[dossier.pk]),
             "link_text": _("Attach the signed minutes"), "testid": "minutes-missing"}]


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    return _simple_action(
        request, pk, action="submit", form_class=SubmitForm,
        form_kwargs=lambda dossier: {"returned": dossier.state == DossierState.RETURNED},
        perform=lambda dossier, data: services.submit_dossier(actor=request.user, dossier=dossier, **data),
        success=lambda dossier, result: _("The dossier is sent to %(unit)s.") % {"unit": dossier.appraising_unit},
        heading=lambda dossier: (_("Answer the return and send again to %(unit)s")
                                 if dossier.state == DossierState.RETURNED else _("Send the dossier to %(unit)s"))
        % {"unit": dossier.appraising_unit},
        button=_("Send"),
        intro=lambda dossier: _("%(n)s proposed %(subjects)s will be sent for appraisal.")
        % {"n": dossier.nominations.filter(state=NominationState.PROPOSED).count(),
           "subjects": subject_kind_of(dossier.title_type).nouns},
        notice=_return_notice, blocked=_send_blocked, warnings=_minutes_warnings,
    )


# ---------------------------------------------------------------- appraisal and decision

@login_required
@require_http_methods(["GET", "POST"])
def appraise(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    if response := guard(request, dossier, "appraise"):
        return response
    # One form for the whole list, like the tally: the acceptance is one act.
    nominations = list(dossier.nominations.filter(state=NominationState.PROPOSED)
                       .select_related("household", "hamlet", "person", "collective").order_by("household__code", "hamlet__code"))
    status, error = 200, None
    if request.method == "POST":
        form = AppraiseForm(request.POST)
        rows = strike_formset(request.POST, nominations).rows()
        # A reason typed without ticking the box is a strike, never silently dropped (the
        # confirmation step lists it among the struck); the service refuses one without reason.
        strikes = {n.pk: row["reason"] for n, row in rows if row["strike"] or row["reason"]}

        def confirm(struck):
            accepted = [n for n in nominations if n.pk not in struck]
            return render_confirm(
                request, dossier, heading=_("Confirm the appraisal"),
                lead=_("Accepted: %(accepted)s %(subjects)s, sent to %(unit)s for the decision. Struck: "
                       "%(struck)s.") % {"accepted": len(accepted), "struck": len(struck), "unit": dossier.deciding_unit,
                                         "subjects": subject_kind_of(dossier.title_type).nouns},
                groups=[
                    SummaryGroup(_("Struck"), [(_household(n), struck[n.pk]) for n in nominations if n.pk in struck]),
                    SummaryGroup(_("Accepted"), [(_household(n), "") for n in accepted],
                                 open=len(accepted) <= SUMMARY_OPEN_ROWS),
                ],
                button=_("Confirm: accept the dossier"))

        response, error, status = attempt_confirmed(
            request, dossier, form,
            lambda data: services.appraise_dossier(actor=request.user, dossier=dossier, strikes=strikes,
                                                   expected_revision=data["expected_revision"]),
            lambda result: _("Dossier accepted: %(accepted)s %(subjects)s go to the decision, %(struck)s struck.")
            % {"accepted": len(nominations) - len(strikes), "struck": len(strikes),
               "subjects": subject_kind_of(dossier.title_type).nouns},
            check=lambda data: services.check_appraisal(actor=request.user, dossier=dossier, strikes=strikes,
                                                        expected_revision=data["expected_revision"]),
            confirm=confirm,
        )
        if response:
            return response
        for nomination, row in rows:
            # A typed reason is a strike: the box comes back ticked.
            nomination.form_reason, nomination.form_strike = row["reason"], bool(row["strike"] or row["reason"])
    else:
        form = AppraiseForm(initial={"expected_revision": dossier.revision})
        for nomination in nominations:
            nomination.form_reason, nomination.form_strike = "", False
    return render_action(request, "workflows/appraise.html", dossier, {
        "form": form, "error": error, "nominations": nominations,
        "return_form": ReturnForm(initial={"expected_revision": dossier.revision}),
    }, status)


SUMMARY_OPEN_ROWS = 20  # a longer list of a confirmation page starts folded


def _household(nomination):
    return f"{nomination.subject_name} ({nomination.subject_code})"


def _confirm_return(request, dossier, data):
    proposed = list(dossier.nominations.filter(state=NominationState.PROPOSED).select_related("household", "hamlet", "person", "collective")
                    .order_by("household__code", "hamlet__code"))
    return render_confirm(
        request, dossier, heading=_("Confirm the return"),
        lead=_("The dossier goes back to %(unit)s for correction, because: %(reason)s")
        % {"unit": dossier.unit, "reason": data["reason"].strip()},
        groups=[SummaryGroup(_("Proposed households sent back with it"), [(_household(n), "") for n in proposed],
                             open=len(proposed) <= SUMMARY_OPEN_ROWS)],
        button=_("Confirm: return the dossier"), danger=True)


@login_required
@require_http_methods(["GET", "POST"])
def return_dossier(request, pk):
    return _simple_action(
        request, pk, action="return", form_class=ReturnForm,
        perform=lambda dossier, data: services.return_dossier(actor=request.user, dossier=dossier, **data),
        success=lambda dossier, result: _("The dossier is returned to %(unit)s.") % {"unit": dossier.unit},
        heading=_("Return the dossier for correction"), button=_("Return the dossier"), danger=True,
        check=lambda dossier, data: services.check_return(actor=request.user, dossier=dossier, **data),
        confirm=lambda dossier, data: _confirm_return(request, dossier, data),
    )


def _concerns_notice(dossier):
    """The chair sees every concern not closed before signing; the decision would be refused."""
    pending = list(open_concerns(dossier).select_related("nomination__household", "nomination__hamlet"))
    if not pending:
        return None
    return {"text": _("The Front's supervision concerns below are not closed: the decision cannot be signed until "
                      "they are answered and closed."),
            "items": [f"{c.nomination.household.head_name}: {c.text}" if c.nomination else c.text for c in pending],
            "link": reverse("workflows:concerns", args=[dossier.pk]), "blocking": True}


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    return _simple_action(
        request, pk, action="decide", form_class=DecisionForm,
        perform=lambda dossier, data: services.decide(actor=request.user, dossier=dossier, **data),
        success=lambda dossier, decision: _("Decision %(number)s is signed: %(n)s households recognized.")
        % {"number": decision.number, "n": decision.awards.count()},
        heading=_("Sign the recognition decision"), button=_("Sign"),
        intro=lambda dossier: _("%(n)s accepted households will be recognized as Cultural Families for %(year)s.")
        % {"n": dossier.nominations.filter(state=NominationState.ACCEPTED).count(), "year": dossier.year},
        notice=_concerns_notice,
    )
