"""Thin views: load through the permission helper, parse the form, call the service.

Permission is decided twice on purpose: the page only offers the actions the
user may take (selectors.available_actions), and the service refuses anything
else on POST (PermissionDenied becomes 403, RuleViolation an error on the page).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from directory.models import Role

from ..models import DossierState, NominationState
from ..services import RuleViolation

PAGE_SIZE = 25
ROLE_LABELS = dict(Role.choices)
# Audit events name dossier and nomination states; both vocabularies are shown by label.
STATE_LABELS = {**dict(NominationState.choices), **dict(DossierState.choices)}
FAMILY_TITLE = "gia-dinh-van-hoa"


def page_of(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request):
    params = request.GET.copy()
    for key in [k for k in params if k == "page" or k.endswith("page_of")]:
        params.pop(key)
    return params.urlencode()


def refusal_text(error):
    return " ".join(error.messages)


def render_action(request, template, dossier, context, status=200):
    context = {"dossier": dossier, "rules": dossier.rule_set, **context}
    return render(request, template, context, status=status)


def done(request, dossier, text):
    messages.success(request, text)
    return redirect("workflows:dossier", pk=dossier.pk)


def wrong_state(request, dossier, allowed):
    """A GET on an action the dossier's state does not allow goes back to the dossier page."""
    if dossier.state in allowed:
        return None
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
    try:
        result = perform(form.cleaned_data)
    except RuleViolation as exc:
        return None, refusal_text(exc), 400
    return done(request, dossier, success(result)), None, 200
