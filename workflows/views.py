"""Thin views: load through the permission helper, parse the form, call the service.

Permission is decided twice on purpose: the page only offers the actions the
user may take (selectors.available_actions), and the service refuses anything
else on POST (PermissionDenied becomes 403, RuleViolation an error on the page).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from directory.models import Household, Role
from directory.selectors import find_acting
from titles.models import Step, TitleType

from . import selectors, services
from .forms import (
    AppraiseForm, AssessmentsForm, CommentForm, DecisionForm, DossierFilterForm, MeetingForm, OpenRoundForm,
    PostingForm, RegisterForm, ReturnForm, SubmitForm, parse_strikes, parse_tally,
)
from .models import DossierState, Nomination, NominationState
from .services import RuleViolation

PAGE_SIZE = 25
ROLE_LABELS = dict(Role.choices)
ACTION_LABELS = {
    "open_round": gettext_lazy("Round opened"),
    "register": gettext_lazy("Household registered"),
    "self_assessment": gettext_lazy("Self-assessment recorded"),
    "meeting_vote": gettext_lazy("Meeting vote"),
    "record_meeting": gettext_lazy("Review meeting recorded"),
    "post_list": gettext_lazy("List posted publicly"),
    "posting_comment": gettext_lazy("Resident comment"),
    "submit": gettext_lazy("Sent for appraisal"),
    "appraise": gettext_lazy("Appraised"),
    "accept": gettext_lazy("Dossier accepted"),
    "return": gettext_lazy("Dossier returned"),
    "recognize": gettext_lazy("Household recognized"),
    "decide": gettext_lazy("Decision signed"),
}
# Audit events name dossier and nomination states; both vocabularies are shown by label.
STATE_LABELS = {**dict(NominationState.choices), **dict(DossierState.choices)}
FAMILY_TITLE = "gia-dinh-van-hoa"


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _query_without_page(request):
    params = request.GET.copy()
    for key in [k for k in params if k == "page" or k.endswith("_page")]:
        params.pop(key)
    return params.urlencode()


def _refusal(error):
    return " ".join(error.messages)


def _require(user, unit, codename):
    """403 for a user who can see the dossier but may not take this action."""
    if find_acting(user, unit, codename) is None:
        raise PermissionDenied(_("You hold no role in %(unit)s that allows this action.") % {"unit": unit})


def _render_action(request, template, dossier, context, status=200):
    context = {"dossier": dossier, "rules": dossier.rule_set, **context}
    return render(request, template, context, status=status)


def _done(request, dossier, text):
    messages.success(request, text)
    return redirect("workflows:dossier", pk=dossier.pk)


def _wrong_state(request, dossier, allowed):
    """A GET on an action the dossier's state does not allow goes back to the dossier page."""
    if dossier.state in allowed:
        return None
    messages.warning(
        request,
        _("This action is not possible while the dossier is “%(state)s”.") % {"state": dossier.get_state_display()},
    )
    return redirect("workflows:dossier", pk=dossier.pk)


# ---------------------------------------------------------------- home

def _task_link(task):
    """Where the task's next step is done, from the node and the dossier's state only
    (no query per task)."""
    dossier = task.process.dossier
    node = task.flow_task.name
    if node == "appraisal":
        return "workflows:appraise"
    if node == "decision":
        return "workflows:decide"
    if dossier.state == DossierState.OPEN:
        return "workflows:meeting" if task.households else "workflows:register"
    if dossier.state == DossierState.REVIEWED:
        return "workflows:posting" if dossier.rule_set.has_step("posting") else "workflows:submit"
    if dossier.state in (DossierState.POSTING, DossierState.RETURNED):
        return "workflows:submit"
    return "workflows:dossier"


@login_required
def home(request):
    user = request.user
    tasks = selectors.inbox(user).annotate(
        households=Exists(Nomination.objects.filter(dossier__process=OuterRef("process")))
    )
    task_page = Paginator(tasks, 10).get_page(request.GET.get("tasks_page"))
    for task in task_page:
        task.next_url = reverse(_task_link(task), args=[task.process.dossier.pk])
        task.is_overdue = selectors.is_overdue(task.process.dossier)

    units = selectors.visible_units(user)
    unit_choices = units if units.count() <= 200 else units.exclude(level="hamlet")
    filters = DossierFilterForm(request.GET or None, units=unit_choices)
    dossiers = selectors.visible_dossiers(user)
    if filters.is_valid():
        dossiers = selectors.filter_dossiers(dossiers, **filters.cleaned_data)
    hamlets = selectors.units_to_open(user)
    return render(request, "workflows/home.html", {
        "tasks": task_page,
        "dossiers": _page(request, dossiers),
        "filters": filters,
        "query": _query_without_page(request),
        "open_form": OpenRoundForm(hamlets=hamlets) if hamlets.exists() else None,
    })


@login_required
@require_http_methods(["POST"])
def open_round(request):
    hamlets = selectors.units_to_open(request.user)
    form = OpenRoundForm(request.POST, hamlets=hamlets)
    if not form.is_valid():
        messages.error(request, _("Choose one of your hamlets and a year."))
        return redirect("workflows:home")
    title = TitleType.objects.get(code=FAMILY_TITLE)
    try:
        dossier = services.open_round(actor=request.user, hamlet=form.cleaned_data["hamlet"], title_type=title,
                                      year=form.cleaned_data["year"])
    except RuleViolation as error:
        messages.error(request, _refusal(error))
        return redirect("workflows:home")
    return _done(request, dossier, _("The %(year)s round is open. Register the households next.")
                 % {"year": dossier.year})


# ---------------------------------------------------------------- dossier page

@login_required
def dossier_detail(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    nominations = dossier.nominations.select_related("household").order_by("household__code")
    state_filter = request.GET.get("state", "")
    if state_filter in NominationState.values:
        nominations = nominations.filter(state=state_filter)
    search = request.GET.get("q", "").strip()
    if search:
        nominations = nominations.filter(Q(household__head_name__icontains=search)
                                         | Q(household__code__icontains=search))
    actions = selectors.available_actions(request.user, dossier)
    postings = list(dossier.postings.all())
    history = Paginator(selectors.dossier_history(dossier), 100).get_page(request.GET.get("history_page"))
    for event in history:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
        event.role_label = ROLE_LABELS.get(event.role, event.role)
        event.from_label = STATE_LABELS.get(event.from_state, event.from_state)
        event.to_label = STATE_LABELS.get(event.to_state, event.to_state)
    return render(request, "workflows/dossier_detail.html", {
        "dossier": dossier,
        "rules": dossier.rule_set,
        "actions": actions,
        "nominations": _page(request, nominations, 50),
        "nomination_states": NominationState.choices,
        "state_filter": state_filter,
        "search": search,
        "query": _query_without_page(request),
        "counts": selectors.nomination_counts(dossier),
        "meetings": dossier.meetings.select_related("recorded_by"),
        "postings": postings,
        "comments": selectors.dossier_comments(dossier),
        "decision": getattr(dossier, "decision", None) if dossier.state == DossierState.DECIDED else None,
        "steps": [Step(code).label if code in Step.values else code for code in dossier.rule_set.steps],
        "history": history,
        "is_overdue": selectors.is_overdue(dossier),
    })


@login_required
def household_detail(request, pk):
    household = selectors.household_for(request.user, pk)
    return render(request, "workflows/household_detail.html", {
        "household": household,
        "awards": selectors.household_titles(household),
        "nominations": selectors.household_nominations(household),
        "show_phone": find_acting(request.user, household.hamlet, "see_household_phone") is not None,
    })


# ---------------------------------------------------------------- registration

@login_required
@require_http_methods(["GET", "POST"])
def register(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "prepare_dossier")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.OPEN,
                                                                                 DossierState.RETURNED])):
        return response
    registered = Nomination.objects.filter(title_type=dossier.title_type, year=dossier.year,
                                           household=OuterRef("pk"))
    households = (
        Household.objects.filter(hamlet=dossier.unit, active=True)
        .annotate(is_registered=Exists(registered)).order_by("code")
    )
    status, error = 200, None
    if request.method == "POST":
        form = RegisterForm(request.POST, choices=[(v, v) for v in request.POST.getlist("households")])
        if form.is_valid():
            ids = form.cleaned_data["households"]
            if form.cleaned_data["all_unregistered"]:
                ids = list(households.filter(is_registered=False).values_list("pk", flat=True))
            try:
                created = services.register_households(
                    actor=request.user, dossier=dossier, household_ids=ids,
                    registered_on=form.cleaned_data["registered_on"],
                    expected_revision=form.cleaned_data["expected_revision"],
                )
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("%(n)s households registered.") % {"n": len(created)})
        else:
            status = 400
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
        listed = listed.filter(head_name__icontains=search)
    return _render_action(request, "workflows/register.html", dossier, {
        "form": form, "error": error, "households": _page(request, listed, 100), "show": show,
        "search": search, "query": _query_without_page(request),
        "unregistered_count": households.filter(is_registered=False).count(),
        "registered_count": households.filter(is_registered=True).count(),
        "checked": set(request.POST.getlist("households")),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def assessments(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "record_review")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.OPEN,
                                                                                 DossierState.RETURNED])):
        return response
    page = _page(request, dossier.nominations.select_related("household").order_by("household__code"), 50)
    status, error = 200, None
    if request.method == "POST":
        form = AssessmentsForm(request.POST)
        if form.is_valid():
            texts = {
                key.removeprefix("text_"): value for key, value in request.POST.items()
                if key.startswith("text_") and key.removeprefix("text_").isdigit()
            }
            try:
                saved = services.record_self_assessments(
                    actor=request.user, dossier=dossier, assessments=texts,
                    assessed_on=form.cleaned_data["assessed_on"],
                    expected_revision=form.cleaned_data["expected_revision"],
                )
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("%(n)s self-assessments recorded.") % {"n": len(saved)})
        else:
            status = 400
    else:
        form = AssessmentsForm(initial={"expected_revision": dossier.revision})
    for nomination in page:
        nomination.form_text = request.POST.get(f"text_{nomination.pk}", nomination.self_assessment)
    return _render_action(request, "workflows/assessments.html", dossier, {
        "form": form, "error": error, "nominations": page, "query": _query_without_page(request),
    }, status)


# ---------------------------------------------------------------- the tally sheet

@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "record_review")
    allowed = [DossierState.OPEN, DossierState.REVIEWED, DossierState.RETURNED]
    if request.method == "GET" and (response := _wrong_state(request, dossier, allowed)):
        return response
    # The whole list is one form: the service settles every household at once,
    # so the tally cannot be paginated; rows are kept compact instead.
    nominations = list(
        dossier.nominations.filter(state__in=[NominationState.REGISTERED, NominationState.PROPOSED,
                                              NominationState.NOT_PROPOSED])
        .select_related("household").order_by("household__code")
    )
    status, error = 200, None
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES)
        if form.is_valid():
            votes, exclusions = parse_tally(request.POST, nominations)
            data = form.cleaned_data
            try:
                result = services.record_meeting(
                    actor=request.user, dossier=dossier, held_on=data["held_on"], invited=data["invited"],
                    present=data["present"], method=data["method"], votes=votes, exclusions=exclusions,
                    minutes=data["minutes"], chaired_by=data["chaired_by"],
                    expected_revision=data["expected_revision"],
                )
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                proposed = dossier.nominations.filter(state=NominationState.PROPOSED).count()
                return _done(request, dossier, _("Meeting of %(date)s recorded: %(proposed)s of %(n)s households "
                                                 "proposed.") % {"date": result.held_on.strftime("%d/%m/%Y"),
                                                                 "proposed": proposed, "n": len(nominations)})
        else:
            status = 400
        for nomination in nominations:
            nomination.form_for = request.POST.get(f"for_{nomination.pk}", "")
            nomination.form_against = request.POST.get(f"against_{nomination.pk}", "")
            nomination.form_excl = request.POST.get(f"excl_{nomination.pk}", "")
    else:
        form = MeetingForm(initial={"expected_revision": dossier.revision})
        for nomination in nominations:
            nomination.form_for = "" if nomination.votes_for is None else nomination.votes_for
            nomination.form_against = "" if nomination.votes_against is None else nomination.votes_against
            nomination.form_excl = nomination.exclusion
    return _render_action(request, "workflows/meeting.html", dossier, {
        "form": form, "error": error, "nominations": nominations,
        "grounds": dossier.rule_set.exclusion_grounds,
    }, status)


# ---------------------------------------------------------------- posting, comments, submission

@login_required
@require_http_methods(["GET", "POST"])
def posting(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "record_review")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.REVIEWED])):
        return response
    status, error = 200, None
    if request.method == "POST":
        form = PostingForm(request.POST)
        if form.is_valid():
            try:
                result = services.post_list(actor=request.user, dossier=dossier, **form.cleaned_data)
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("The list is posted until %(end)s.")
                             % {"end": result.ends_on.strftime("%d/%m/%Y")})
        else:
            status = 400
    else:
        form = PostingForm(initial={"expected_revision": dossier.revision})
    return _render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Post the list publicly"),
        "button": _("Record the posting"),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def comment(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "record_review")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.POSTING])):
        return response
    nominations = dossier.nominations.filter(state=NominationState.PROPOSED).select_related("household")
    status, error = 200, None
    if request.method == "POST":
        form = CommentForm(request.POST, nominations=nominations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_comment(actor=request.user, dossier=dossier, received_on=data["received_on"],
                                        author=data["author"], text=data["text"], nomination_id=data["nomination"])
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("The comment is recorded."))
        else:
            status = 400
    else:
        form = CommentForm(nominations=nominations)
    return _render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Record a resident comment"), "button": _("Save the comment"),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.unit, "prepare_dossier")
    allowed = [DossierState.REVIEWED, DossierState.POSTING, DossierState.RETURNED]
    if request.method == "GET" and (response := _wrong_state(request, dossier, allowed)):
        return response
    status, error = 200, None
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if form.is_valid():
            try:
                services.submit_dossier(actor=request.user, dossier=dossier, **form.cleaned_data)
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("The dossier is sent to %(unit)s.")
                             % {"unit": dossier.appraising_unit})
        else:
            status = 400
    else:
        form = SubmitForm(initial={"expected_revision": dossier.revision})
    proposed = dossier.nominations.filter(state=NominationState.PROPOSED).count()
    return _render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Send the dossier to %(unit)s") % {"unit": dossier.appraising_unit},
        "button": _("Send"),
        "intro": _("%(n)s proposed households will be sent for appraisal.") % {"n": proposed},
    }, status)


# ---------------------------------------------------------------- appraisal and decision

@login_required
@require_http_methods(["GET", "POST"])
def appraise(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.appraising_unit, "appraise_dossier")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.SUBMITTED])):
        return response
    # One form for the whole list, like the tally: the acceptance is one act.
    nominations = list(dossier.nominations.filter(state=NominationState.PROPOSED)
                       .select_related("household").order_by("household__code"))
    status, error = 200, None
    if request.method == "POST":
        form = AppraiseForm(request.POST)
        if form.is_valid():
            strikes = parse_strikes(request.POST, nominations)
            try:
                services.appraise_dossier(actor=request.user, dossier=dossier, strikes=strikes,
                                          expected_revision=form.cleaned_data["expected_revision"])
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("Dossier accepted: %(accepted)s households go to the decision, "
                                                 "%(struck)s struck.")
                             % {"accepted": len(nominations) - len(strikes), "struck": len(strikes)})
        else:
            status = 400
    else:
        form = AppraiseForm(initial={"expected_revision": dossier.revision})
    for nomination in nominations:
        nomination.form_strike = bool(request.POST.get(f"strike_{nomination.pk}"))
        nomination.form_reason = request.POST.get(f"reason_{nomination.pk}", "")
    return _render_action(request, "workflows/appraise.html", dossier, {
        "form": form, "error": error, "nominations": nominations,
        "return_form": ReturnForm(initial={"expected_revision": dossier.revision}),
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def return_dossier(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.appraising_unit, "appraise_dossier")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.SUBMITTED])):
        return response
    status, error = 200, None
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.return_dossier(actor=request.user, dossier=dossier, **form.cleaned_data)
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("The dossier is returned to %(unit)s.") % {"unit": dossier.unit})
        else:
            status = 400
    else:
        form = ReturnForm(initial={"expected_revision": dossier.revision})
    return _render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Return the dossier for correction"),
        "button": _("Return the dossier"), "danger": True,
    }, status)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    dossier = selectors.dossier_for(request.user, pk)
    _require(request.user, dossier.deciding_unit, "decide_title")
    if request.method == "GET" and (response := _wrong_state(request, dossier, [DossierState.APPRAISED])):
        return response
    status, error = 200, None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                decision = services.decide(actor=request.user, dossier=dossier, **form.cleaned_data)
            except RuleViolation as exc:
                error, status = _refusal(exc), 400
            else:
                return _done(request, dossier, _("Decision %(number)s is signed: %(n)s households recognized.")
                             % {"number": decision.number, "n": decision.awards.count()})
        else:
            status = 400
    else:
        form = DecisionForm(initial={"expected_revision": dossier.revision})
    accepted = dossier.nominations.filter(state=NominationState.ACCEPTED).count()
    return _render_action(request, "workflows/simple_form.html", dossier, {
        "form": form, "error": error, "heading": _("Sign the recognition decision"), "button": _("Sign"),
        "intro": _("%(n)s accepted households will be recognized as Cultural Families for %(year)s.")
        % {"n": accepted, "year": dossier.year},
    }, status)
