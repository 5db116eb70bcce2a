"""The inbox, the dossier page and a household's titles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from directory.search import Folded, fold
from directory.selectors import Access, find_acting
from ..deadlines import current_due_on
from titles import merit
from titles.models import Step, TitleType
from titles.subjects import SUBJECT_KINDS, SUBJECT_NAME, subject_kind_of

from .. import selectors, services
from .. import selectors_inbox as inbox
from ..filters import DossierFilterSet
from ..forms import OpenRoundForm
from ..models import Decision, DossierState, Meeting, NominationState
from ..procedures import FESTIVAL, procedure_of
from ..services import RuleViolation
from ..supervision import concerns_shown, record_view
from ..uploads import sniff_minutes_type
from .common import (
    already_sent,
    bounded_page,
    done,
    query_without_page,
    refusal_text,
    url_maker,
)

# ---------------------------------------------------------------- home

def _task_link(task, held):
    """Where the task's next step is done, from its stage's links, the dossier's state
    and rule-set steps only (no query per task). `held`: the stage's codenames the
    reader holds on the task's unit (whoever prepares is sent to the tally or the
    sending, whoever only records the review to the self-assessments or the posting)."""
    return task.stage.task_link(task.state, task.steps, task.households_count, held)


def _overdue_text(day):
    return _("Overdue: due %(date)s") % {"date": day.strftime("%d/%m/%Y")}


@login_required
def home(request):
    """The inbox: open tasks, the dossier list with its filters, and the form to open
    a round; the same number of queries whatever the number of tasks, dossiers or
    units (see selectors_inbox)."""
    user = request.user
    grants = inbox.grants_of(user)
    today = timezone.localdate()

    def task_rows(offset, size, limit):
        count, rows = inbox.task_rows(tasks, offset, size, limit)
        for task in rows:
            task.url = reverse("workflows:dossier", args=[task.dossier_pk])
            task.next_url = reverse(_task_link(task, task.held(grants)), args=[task.dossier_pk])
            due = task.due_on()
            task.is_overdue = _before(due, today)
            task.overdue_text = _overdue_text(due) if task.is_overdue else ""
        return count, rows

    def dossier_rows(offset, size, limit):
        count, rows = inbox.dossier_rows(dossiers, offset, size, limit)
        for dossier in rows:
            dossier.url = reverse("workflows:dossier", args=[dossier.pk])
            due = dossier.due_on()
            dossier.is_overdue = _before(due, today)
            dossier.overdue_text = _overdue_text(due) if dossier.is_overdue else ""
        return count, rows

    tasks = inbox.open_tasks(user, grants)
    # Read once for the title filter and the rounds to open (only yearly titles are opened here).
    titles = list(TitleType.objects.with_yearly_flag().order_by("pk"))
    filters = DossierFilterSet(request.GET or None, queryset=inbox.visible_dossiers(grants),
                               units=inbox.filter_units(grants), titles=titles)
    dossiers = inbox.dossier_list(filters)
    to_open = inbox.rounds_to_open(grants, year=today.year, titles=[t for t in titles if t.is_yearly])
    return render(request, "workflows/home.html", {
        "tasks": bounded_page(request, task_rows, size=10, param="tasks_page"),
        "dossiers": bounded_page(request, dossier_rows),
        "filters": filters,
        "query": query_without_page(request),
        # Its own ids: the filter form beside it has a year field too (id_year).
        "open_form": OpenRoundForm(options=to_open, auto_id="open_%s") if to_open is not None else None,
        "concerns": inbox.concerns_to_answer(grants),
    })


def _before(day, today):
    return bool(day and day < today)


@login_required
@require_http_methods(["POST"])
def open_round(request):
    form = OpenRoundForm(request.POST, options=selectors.rounds_to_open(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose one of your units and a year."))
        return redirect("workflows:home")
    title, unit = form.cleaned_data["round"]
    try:
        dossier = services.once(
            actor=request.user, token=form.cleaned_data["form_token"],
            perform=lambda: services.open_round(actor=request.user, unit=unit, title_type=title,
                                                year=form.cleaned_data["year"]))
    except services.AlreadySent:
        return already_sent(request, "workflows:home")
    except RuleViolation as error:
        messages.error(request, refusal_text(error))
        return redirect("workflows:home")
    return done(request, dossier, _("The %(year)s round is open. Register the %(subjects)s next.")
                 % {"year": dossier.year, "subjects": subject_kind_of(title).nouns})


# ---------------------------------------------------------------- dossier page

STEPS_PER_PAGE = 30
EVENTS_PER_PAGE = 50

@login_required
def dossier_detail(request, pk):
    # The user's memberships and grants read once, for whether it may see the dossier and for its buttons.
    access = Access(request.user)
    dossier, viewer = selectors.dossier_with_viewer(request.user, pk, access)
    # Supervision needs to know who read households' data, not only who changed it.
    record_view(actor=request.user, what="dossier_page", dossier=dossier, acting=viewer)
    # Read once for the page and for the buttons (attaching minutes asks the meeting in force, sending
    # after a posting asks the posting), in their models' own order.
    prefetch_related_objects([dossier], Prefetch("meetings", queryset=_meetings_with_pages_qs()), "postings")
    nominations = (dossier.nominations.select_related("household", "hamlet", "person", "collective")
                   .order_by("household__code", "hamlet__code"))
    state_filter = request.GET.get("state", "")
    if state_filter in NominationState.values:
        nominations = nominations.filter(state=state_filter)
    search = request.GET.get("q", "").strip()
    if search:
        nominations = nominations.alias(name_folded=Folded(SUBJECT_NAME)).filter(
            Q(name_folded__contains=fold(search)) | Q(household__code__icontains=search)
            | Q(hamlet__code__icontains=search))
    actions, ceased_unit = selectors.actions_and_ceased_unit(request.user, dossier, access)
    postings = list(dossier.postings.all())
    concerns, answering_unit = concerns_shown(dossier)
    # The steps, not the events: a 300-household dossier has well over a thousand
    # events, read one step at a time on the history page (dossier_history).
    events = selectors.dossier_wide_events(dossier)
    history = Paginator(selectors.history_steps(dossier, events), STEPS_PER_PAGE).get_page(
        request.GET.get("history_page"))
    counts = selectors.nomination_counts(dossier)
    # With its unit, which the page names (the reverse accessor would read it in a query of its own).
    decision = (Decision.objects.select_related("unit").filter(dossier=dossier).first()
                if dossier.state == DossierState.DECIDED else None)
    merit_titles = merit.merit_titles_counting(dossier.title_type)
    nominations = Paginator(nominations, 50)
    if not state_filter and not search:
        # The per-state counts add up to the total: no COUNT(*) of its own.
        nominations.count = sum(n for _, _, n in counts)
    nominations = _rows_with_links(nominations.get_page(request.GET.get("page")))
    return render(request, "workflows/dossier_detail.html", {
        "kind": subject_kind_of(dossier.title_type),
        "dossier": dossier,
        # An 18 November list prints its honour list (workflows.views.festival).
        "festival": procedure_of(dossier) is FESTIVAL,
        "rules": dossier.rule_set,
        "actions": actions,
        "ceased_unit": ceased_unit,
        "nominations": nominations,
        "nomination_states": NominationState.choices,
        "state_filter": state_filter,
        "search": search,
        "query": query_without_page(request),
        "counts": counts,
        "meetings": _meetings_with_pages(dossier),
        # The minutes of the meeting in force, missing: the page says so beside it, with the link for whoever may attach them.
        "may_attach_minutes": any(action.code == "attach_minutes" for action in actions),
        "postings": postings,
        "comments": selectors.dossier_comments(dossier),
        "decision": decision,
        "steps": [Step(code).label if code in Step.values else code for code in dossier.rule_set.steps],
        "before_effective_steps": [Step(code).label if code in Step.values else code
                                   for code in (dossier.rule_set.acts_before_effective or {}).get("steps", ())],
        "history": history,
        "is_overdue": selectors.is_overdue(dossier),
        "due_on": current_due_on(dossier),
        "review_deadline_on": dossier.rule_set.review_deadline_in(dossier.year),
        "returns": selectors.return_history(dossier, events),
        "concerns": concerns,
        "answering_unit": answering_unit,
        "concerns_url": reverse("workflows:concerns", args=[dossier.pk]),
        "merit_titles": merit_titles,
        "merit_next_year": _merit_next_year(dossier, merit_titles, decision),
    })


def _rows_with_links(page):
    """The page's nominations, each with its subject's link and its state's label: the template's
    {% url %} and get_state_display cost more per row than the rest of the row (get_FOO_display hashes
    every choice's lazy label, each a translation lookup), and a 50-row page pays them 50 times."""
    page.object_list = list(page.object_list)
    labels = {value: str(label) for value, label in NominationState.choices}
    household, hamlet = url_maker("workflows:household"), url_maker("workflows:hamlet")
    for n in page.object_list:
        n.state_label = labels.get(n.state, n.state)
        n.url = household(n.household_id) if n.household_id else hamlet(n.hamlet_id) if n.hamlet_id else ""
    return page


def _merit_next_year(dossier, merit_titles, decision):
    """[(certificate title, sentence)]: how many of the decision's holders become eligible for each
    certificate of merit next year, or that no rule set is in force for it."""
    if decision is None or not merit_titles:
        return []
    kind = subject_kind_of(dossier.title_type)
    holders = kind.model.objects.filter(pk__in=decision.awards.filter(revoked_at__isnull=True)
                                        .values(f"{kind.field}_id"))
    lines, coming = [], dossier.year + 1
    for title in merit_titles:
        result, n = merit.eligible_next_year(title, dossier.unit, dossier.year, holders, base_title=dossier.title_type)
        if not result.in_force:
            lines.append((title, _("No certificate-of-merit rule set is in force for %(year)s: none of these "
                                   "%(subjects)s is counted toward it.") % {"year": coming, "subjects": kind.nouns}))
            continue
        lines.append((title, ngettext(
            "%(n)s of the %(total)s %(subjects)s recognized becomes eligible for it in %(year)s if recognized "
            "again in %(year)s (%(window)s years in a row).",
            "%(n)s of the %(total)s %(subjects)s recognized become eligible for it in %(year)s if recognized "
            "again in %(year)s (%(window)s years in a row).", n)
            % {"n": n, "total": len(result.standings), "subjects": kind.nouns, "year": coming,
               "window": result.rules.window_years}))
    return lines


def _seq(value):
    try:
        return max(0, min(int(value), 2**31 - 1))
    except (TypeError, ValueError):
        return None


@login_required
def dossier_history(request, pk):
    """The dossier's events one by one, paginated: all of them, or one step's (a seq
    range, as the dossier page links each step). With ?fragment=1 only the list, for
    the dossier page to unfold a step in place."""
    dossier, viewer = selectors.dossier_with_viewer(request.user, pk)
    record_view(actor=request.user, what="dossier_history", dossier=dossier, acting=viewer)
    first, last = _seq(request.GET.get("from")), _seq(request.GET.get("to"))
    page = Paginator(selectors.history_events(dossier, first, last), EVENTS_PER_PAGE).get_page(
        request.GET.get("page"))
    page.object_list = selectors.describe_events(dossier, page.object_list)
    fragment = request.GET.get("fragment") == "1"
    params = request.GET.copy()
    params.pop("fragment", None)
    return render(request, "workflows/includes/history_events.html" if fragment else "workflows/history.html", {
        "dossier": dossier, "events": page, "one_step": first is not None or last is not None,
        "query": query_without_page(request),
        "fragment_link": f"{request.path}?{params.urlencode()}" if fragment else "",
    })


@login_required
def household_detail(request, pk):
    household = selectors.household_for(request.user, pk)
    record_view(actor=request.user, what="household_page", household=household)
    return render(request, "workflows/household_detail.html", {
        "household": household,
        "awards": selectors.household_titles(household),
        "nominations": selectors.household_nominations(household),
        "merits": merit.subject_merits(household, SUBJECT_KINDS["household"], household.hamlet),
        "show_phone": find_acting(request.user, household.hamlet, "see_household_phone") is not None,
        "can_manage": find_acting(request.user, household.hamlet, "manage_households", inherited=True) is not None,
    })


@login_required
@require_GET
def hamlet_detail(request, pk):
    """A hamlet's cultural hamlet titles over the years, its streak toward the certificate of merit and
    its Cultural Family rate each year (from its dossiers' counters: no household is read)."""
    hamlet = selectors.hamlet_for(request.user, pk)
    return render(request, "workflows/hamlet_detail.html", {
        "hamlet": hamlet,
        "awards": selectors.hamlet_titles(hamlet),
        "merits": merit.subject_merits(hamlet, SUBJECT_KINDS["hamlet"], hamlet.parent),
        "family_years": selectors.hamlet_family_years(hamlet),
    })


def _meetings_with_pages_qs():
    # Ordered explicitly: Django drops Meta.ordering from an aggregating query, and the
    # first meeting listed is the one whose votes are in force (Meeting.Meta.ordering).
    return (Meeting.objects.select_related("recorded_by").annotate(extra_pages=Count("minutes_pages"))
            .order_by("-recorded_at", "-pk"))


def _meetings_with_pages(dossier):
    """The dossier's meetings, each with the numbers of its further minutes pages:
    pages are numbered 2, 3, … without gaps, so a count in the same query gives them."""
    meetings = list(dossier.meetings.all())
    for meeting in meetings:
        meeting.page_numbers = range(2, meeting.extra_pages + 2)
    return meetings


@login_required
@require_GET
def minutes_file(request, pk, meeting_pk, number):
    """One page of a meeting's signed minutes, for whoever may see the dossier (404
    for anyone else, as for the dossier itself). Streamed from the storage, never a
    public /media/ address, and never kept by a browser or proxy cache."""
    dossier = selectors.dossier_for(request.user, pk)
    meeting = get_object_or_404(dossier.meetings, pk=meeting_pk)
    stored = meeting.minutes if number == 1 else getattr(
        meeting.minutes_pages.filter(number=number).first(), "file", None)
    if not stored:
        raise Http404(_("No such page of the minutes."))
    record_view(actor=request.user, what="minutes_file", dossier=dossier)
    handle = stored.open("rb")
    kind = sniff_minutes_type(handle.read(16))
    handle.seek(0)
    response = FileResponse(handle, filename=stored.name.rsplit("/", 1)[-1],
                            content_type=kind.content_type if kind else "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
