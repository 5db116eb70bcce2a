"""Thin views: load through the permission helper, parse the form, call the service.

Permission is decided twice on purpose: the page only offers the actions the
user may take (selectors.available_actions), and the service refuses anything
else on POST (PermissionDenied becomes 403, RuleViolation an error on the page).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.views import already_sent
from titles.subjects import subject_kind_of

from .. import services
from ..procedures import procedure_of
from ..services import RuleViolation
from ..services.common import acting_for
from ..services.errors import DateNeedsConfirmation

PAGE_SIZE = 25


def url_maker(name):
    """pk -> the URL of the named route that takes one integer argument, reversed once: a list of rows
    each linking to its own page reverses the same pattern once instead of once per row."""
    sentinel = 2**62 + 13  # no real key; its digits appear once in the reversed URL
    prefix, _, suffix = reverse(name, args=[sentinel]).rpartition(str(sentinel))
    return lambda pk: f"{prefix}{int(pk)}{suffix}"


def page_of(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


COUNT_BOUND = 1000
MAX_PAGE = 1_000_000  # keeps LIMIT within a bigint whatever number the URL carries


@dataclass
class Counted:
    """How many rows a list has, counted no further than `bound` rows: past it the
    page says "more than <bound>" instead of the exact number, and the pager offers
    Previous and Next without a page total."""

    count: int
    bound: int
    per_page: int

    @property
    def exact(self):
        return self.count <= self.bound

    @property
    def num_pages(self):
        """The number of pages when the count is exact, else None."""
        return max(1, -(-self.count // self.per_page)) if self.exact else None


@dataclass
class BoundedPage:
    """One page of a list whose total is counted only up to a bound (`Counted`).

    Offers what the pager include reads from Django's Page: number, paginator (with
    count and num_pages), has_previous/has_next and the neighbouring page numbers."""

    object_list: list
    number: int
    paginator: Counted

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def __bool__(self):
        return bool(self.object_list)

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number * self.paginator.per_page < self.paginator.count

    def has_other_pages(self):
        return self.has_previous() or self.has_next()

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def bounded_page(request, rows, size=PAGE_SIZE, param="page", bound=None):
    """The requested page of a list without an exact COUNT over a long list.

    Counts the rows only up to `bound` (COUNT_BOUND), or to the end of the requested
    page if that is further, plus one: the count costs the same for 2,000 rows as
    for 100,000, and still tells whether there is a next page. A page number past
    the end shows the last page, anything else but a number the first, as
    Paginator.get_page does. `rows(offset, size, limit)` reads the page's rows and
    the list's count up to `limit` + 1, in one query; a page past the end takes a
    second one for the last page."""
    try:
        number = min(max(1, int(request.GET.get(param, 1))), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    limit = max(COUNT_BOUND if bound is None else bound, number * size)
    count, page_rows = rows((number - 1) * size, size, limit)
    counted = Counted(count, limit, size)
    if counted.exact and number > counted.num_pages:
        number = counted.num_pages
        count, page_rows = rows((number - 1) * size, size, limit)
    return BoundedPage(page_rows, number, counted)


def query_without_page(request):
    params = request.GET.copy()
    for key in [k for k in params if k == "page" or k.endswith("page_of")]:
        params.pop(key)
    return params.urlencode()


def refusal_text(error):
    return " ".join(error.messages)


def render_action(request, template, dossier, context, status=200):
    # `kind`: what the dossier lists (households, hamlets), for the page's wording.
    context = {"dossier": dossier, "rules": dossier.rule_set, "kind": subject_kind_of(dossier.title_type), **context}
    return render(request, template, context, status=status)


def done(request, dossier, text):
    messages.success(request, text)
    return redirect("workflows:dossier", pk=dossier.pk)


def guard(request, dossier, code):
    """What every action page checks first: the actor's permission (403), then, on a
    GET, that action `code` acts on the dossier now (its state and its rule set's
    steps, as the procedure declares them); a redirect back to the dossier page
    saying so when it does not, else None. A POST is judged by the service."""
    acting_for(request.user, dossier, code)
    if request.method == "GET" and not procedure_of(dossier).allows(code, dossier):
        return wrong_state(request, dossier)
    return None


def wrong_state(request, dossier):
    """The answer to a GET on an action the dossier's state does not allow: back to the dossier page."""
    messages.warning(
        request,
        _("This action is not possible while the dossier is “%(state)s”.") % {"state": dossier.get_state_display()},
    )
    return redirect("workflows:dossier", pk=dossier.pk)


def attempt(request, dossier, form, perform, success):
    """The POST half of every action: validate, call the service, redirect on success.

    Returns (response, error, status): a redirect when the service accepted, else
    None with the refusal's message (or the form's own errors) and status 400.
    """
    if not form.is_valid():
        return None, None, 400
    data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}
    try:
        result = services.once(actor=request.user, token=form.cleaned_data.get("form_token"),
                               perform=lambda: perform(data))
    except services.AlreadySent:
        return already_sent(request, "workflows:dossier", pk=dossier.pk), None, 200
    except DateNeedsConfirmation as exc:
        # The template shows the "dates are correct" box beside this warning.
        form.asks_date_confirmation = True
        return None, refusal_text(exc), 400
    except RuleViolation as exc:
        return None, refusal_text(exc), 400
    return done(request, dossier, success(result)), None, 200


# The confirmation step of an irreversible action (accept, strike, return): the first
# POST shows what will happen, its form posts the same fields again with CONFIRMED;
# EDIT goes back to the filled form. Plain forms: it works without JavaScript.
CONFIRMED, EDIT = "confirmed", "edit"
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED, EDIT}


@dataclass
class SummaryGroup:
    """One list of the confirmation page: a title and (name, detail) rows."""

    title: str
    rows: list
    open: bool = True


def attempt_confirmed(request, dossier, form, perform, success, *, check, confirm):
    """`attempt` behind a confirmation page.

    The first POST validates the form and asks the service whether it would accept
    (`check`, which writes nothing) and answers with `confirm(result)`: the summary,
    whose form carries the same fields and revision. The confirmed POST goes through
    `attempt`, where the service checks everything again; a change in between is
    refused by the revision. Returns (response, error, status) like `attempt`."""
    if request.POST.get(EDIT):
        return None, None, 200
    if request.POST.get(CONFIRMED) == "1":
        return attempt(request, dossier, form, perform, success)
    if not form.is_valid():
        return None, None, 400
    # The one-time token travels on to the confirmed POST, which claims it (attempt).
    data = {k: v for k, v in form.cleaned_data.items() if k != "form_token"}
    try:
        result = check(data)
    except RuleViolation as exc:
        return None, refusal_text(exc), 400
    return confirm(result), None, 200


def render_confirm(request, dossier, *, heading, lead, groups, button, danger=False):
    carried = [(key, value) for key in request.POST if key not in _NOT_CARRIED
               for value in request.POST.getlist(key)]
    return render_action(request, "workflows/confirm.html", dossier, {
        "heading": heading, "lead": lead, "groups": groups, "button": button, "danger": danger,
        "carried": carried,
    })
