"""The hamlet Front committee's people and collectives (whom it proposes on 18 November): list, add, edit.
Thin: directory.services_front decides and records; a record of a hamlet one does not manage answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.services import AlreadySent, once
from core.views import already_sent

from . import services_front
from .forms import CollectiveForm, HamletChoiceForm, PersonForm
from .models import Collective, Person
from .selectors import hamlets_managed_by

CODENAME = "manage_front_records"
KINDS = {
    "person": (Person, PersonForm, services_front.PERSON_FIELDS, services_front.add_person,
               services_front.edit_person, "person"),
    "collective": (Collective, CollectiveForm, services_front.COLLECTIVE_FIELDS, services_front.add_collective,
                   services_front.edit_collective, "collective"),
}


def _hamlets_or_404(user):
    hamlets = hamlets_managed_by(user, codename=CODENAME)
    if not hamlets.exists():
        raise Http404(_("You manage no hamlet's people and collectives."))
    return hamlets


def _record_or_404(user, model, pk):
    """The record if `user` manages its hamlet; otherwise the same 404 as for an id that does not exist."""
    record = model.objects.select_related("unit").filter(pk=pk).first()
    if record is None or not hamlets_managed_by(user, codename=CODENAME).filter(pk=record.unit_id).exists():
        raise Http404(_("No such record."))
    return record


@login_required
def front_records(request):
    hamlets = _hamlets_or_404(request.user)
    choice = HamletChoiceForm(request.GET or None, hamlets=hamlets)
    hamlet = choice.cleaned_data["hamlet"] if choice.is_valid() else hamlets.first()
    today = timezone.localdate()
    show_ended = request.GET.get("show") == "all"
    people, collectives = Person.objects.filter(unit=hamlet), Collective.objects.filter(unit=hamlet)
    if not show_ended:
        people, collectives = people.valid_on(today), collectives.valid_on(today)
    return render(request, "directory/front_records.html", {
        "choice": HamletChoiceForm(initial={"hamlet": hamlet}, hamlets=hamlets), "hamlet": hamlet,
        "people": people, "collectives": collectives, "show_ended": show_ended, "today": today,
    })


def _form_page(request, kind, record):
    model, form_class, fields, add, edit, name = KINDS[kind]
    hamlets = hamlets_managed_by(request.user, codename=CODENAME)
    initial = {"hamlet": request.GET.get("hamlet"), "valid_from": timezone.localdate()} if record is None else {}
    form = form_class(request.POST or None, instance=record and model.objects.get(pk=record.pk), hamlets=hamlets,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {field: data[field] for field in fields}
        try:
            if record is None:
                saved = once(actor=request.user, token=data["form_token"],
                             perform=lambda: add(actor=request.user, hamlet=data["hamlet"], values=values,
                                                 reason=data["reason"]))
            else:
                saved = edit(actor=request.user, values=values, reason=data["reason"], **{name: record})
        except AlreadySent:
            return already_sent(request, "directory:front_records")
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("%(record)s was saved.") % {"record": saved})
            return redirect(f"{reverse('directory:front_records')}?hamlet={saved.unit_id}")
    changes = list(record.changes.select_related("actor", "unit").order_by("-at", "-id")[:50]) if record else []
    for change in changes:  # the fields' translated names, no raw key on the page
        change.labelled = [(model._meta.get_field(field).verbose_name, old, new)
                           for field, (old, new) in change.changes.items()]
    return render(request, "directory/front_record_form.html", {
        "form": form, "record": record, "kind": kind, "changes": changes,
        "heading": (model._meta.verbose_name if record is None else str(record)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request):
    _hamlets_or_404(request.user)
    return _form_page(request, "person", None)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    return _form_page(request, "person", _record_or_404(request.user, Person, pk))


@login_required
@require_http_methods(["GET", "POST"])
def collective_add(request):
    _hamlets_or_404(request.user)
    return _form_page(request, "collective", None)


@login_required
@require_http_methods(["GET", "POST"])
def collective_edit(request, pk):
    return _form_page(request, "collective", _record_or_404(request.user, Collective, pk))
