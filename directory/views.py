"""The office's household pages: list, add, edit or move, deactivate, import from Excel. Thin: the
services decide and record; every page checks the permission again through them or the selectors."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from core.services import AlreadySent, once
from core.views import already_sent

from . import services, spreadsheets, tasks
from .forms import ActiveForm, EndRoleForm, GiveRoleForm, HamletChoiceForm, HouseholdForm, ImportForm
from .models import Household, HouseholdImport, Membership
from .search import Folded, fold
from .selectors import hamlets_managed_by, units_whose_roles_are_managed_by

IMPORT_SESSION_KEY = "household_import"


def _managed_hamlets_or_404(user):
    hamlets = hamlets_managed_by(user)
    if not hamlets.exists():
        raise Http404(_("You manage no hamlet's households."))
    return hamlets


def _managed_household(user, pk):
    """The household if `user` manages its hamlet; otherwise the same 404 as for an id that does not exist."""
    household = Household.objects.select_related("hamlet").filter(pk=pk).first()
    if household is None or not hamlets_managed_by(user).filter(pk=household.hamlet_id).exists():
        raise Http404(_("No such household."))
    return household


def _labelled(changes):
    """{"head_name": [old, new]} as [(the field's translated name, old, new)]: no raw key on a page."""
    def shown(value):
        return (_("yes") if value else _("no")) if isinstance(value, bool) else value

    return [(Household._meta.get_field(name).verbose_name, shown(old), shown(new))
            for name, (old, new) in changes.items()]


def _form_errors(form, error):
    for message in error.messages:
        form.add_error(None, message)


@login_required
def household_list(request):
    hamlets = _managed_hamlets_or_404(request.user)
    choice = HamletChoiceForm(request.GET or None, hamlets=hamlets)
    hamlet = choice.cleaned_data["hamlet"] if choice.is_valid() else hamlets.first()
    households = Household.objects.filter(hamlet=hamlet).order_by("code")
    search = request.GET.get("q", "").strip()
    if search:
        needle = fold(search)
        households = households.alias(name_folded=Folded("head_name"), code_folded=Folded("code")).filter(
            Q(name_folded__contains=needle) | Q(code_folded__contains=needle))
    show = request.GET.get("show", "")
    if show == "inactive":
        households = households.filter(active=False)
    elif show != "all":
        households = households.filter(active=True)
    page = Paginator(households, 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("hamlet", hamlet.pk), ("q", search), ("show", show)) if v)
    return render(request, "directory/household_list.html", {
        "choice": HamletChoiceForm(initial={"hamlet": hamlet}, hamlets=hamlets), "hamlet": hamlet,
        "page": page, "search": search, "show": show, "query": query,
    })


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request):
    hamlets = _managed_hamlets_or_404(request.user)
    form = HouseholdForm(request.POST or None, hamlets=hamlets,
                         initial={"hamlet": request.GET.get("hamlet")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = once(
                actor=request.user, token=data["form_token"],
                perform=lambda: services.add_household(
                    actor=request.user, hamlet=data["hamlet"], reason=data["reason"],
                    values={f: data[f] for f in services.HOUSEHOLD_FIELDS}))
        except AlreadySent:
            return already_sent(request, "directory:households")
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(household)s was added.") % {"household": household})
            return redirect(f"{reverse('directory:households')}?hamlet={household.hamlet_id}")
    return render(request, "directory/household_form.html", {"form": form, "household": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    household = _managed_household(request.user, pk)
    hamlets = hamlets_managed_by(request.user)
    form = HouseholdForm(request.POST or None, instance=Household.objects.get(pk=household.pk), hamlets=hamlets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_household(
                actor=request.user, household=household, hamlet=data["hamlet"], reason=data["reason"],
                values={f: data[f] for f in services.HOUSEHOLD_FIELDS})
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(household)s was saved.") % {"household": household.head_name})
            return redirect(f"{reverse('directory:households')}?hamlet={data['hamlet'].pk}")
    changes = list(household.changes.select_related("actor", "unit").order_by("-at", "-id")[:50])
    for change in changes:
        change.labelled = _labelled(change.changes)
    return render(request, "directory/household_form.html", {
        "form": form, "household": household, "active_form": ActiveForm(), "changes": changes,
    })


@login_required
@require_http_methods(["POST"])
def household_set_active(request, pk):
    household = _managed_household(request.user, pk)
    form = ActiveForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, _("Say why the household is deactivated or reactivated."))
    else:
        try:
            services.set_household_active(actor=request.user, household=household, active=active,
                                          reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, (_("%(household)s was reactivated.") if active
                                       else _("%(household)s was deactivated.")) % {"household": household.head_name})
    return redirect("directory:household_edit", pk=household.pk)


@login_required
def household_import_template(request):
    hamlets = _managed_hamlets_or_404(request.user)
    return _xlsx(spreadsheets.template_workbook(hamlets.select_related("parent")),
                 "mau-danh-sach-ho.xlsx")


def _xlsx(content, filename):
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stored_name(token):
    return f"household-imports/{token}.xlsx"


# A dry run lists every row up to this many; a longer file (a commune's, a district's) is shown hamlet by hamlet,
# with its refused rows, the first REFUSED_SHOWN of them on the page and all of them in a workbook.
ROWS_SHOWN = 500
REFUSED_SHOWN = 1000


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request):
    """Upload → the dry run (hamlet by hamlet: add, change, move, deactivate, unchanged, refused, and why) →
    confirm → applied in one transaction. Between the two steps the file waits in storage under a random name
    known only to this session; the confirmation re-reads and re-checks it."""
    hamlets = _managed_hamlets_or_404(request.user)
    if request.method == "POST" and "confirm" in request.POST:
        return _apply_import(request, hamlets)
    only = list(hamlets[:2])
    form = ImportForm(request.POST or None, request.FILES or None, hamlets=hamlets,
                      initial={"hamlet": request.GET.get("hamlet") or (only[0].pk if len(only) == 1 else None)})
    plan = None
    if request.method == "POST" and form.is_valid():
        hamlet, sheet = form.cleaned_data["hamlet"], form.cleaned_data["sheet"]
        try:
            rows = spreadsheets.read_household_rows(sheet, max_rows=settings.HOUSEHOLD_IMPORT_MAX_ROWS)
            plan = services.plan_household_import(actor=request.user, hamlet=hamlet, rows=rows)
        except ValidationError as error:
            form.add_error("sheet", error)
        except PermissionDenied as error:
            form.add_error("hamlet", str(error))
        else:
            token = uuid.uuid4().hex
            sheet.seek(0)
            default_storage.save(_stored_name(token), sheet)
            request.session[IMPORT_SESSION_KEY] = {"token": token, "hamlet": hamlet.pk if hamlet else None,
                                                   "name": sheet.name, "rows": len(rows)}
    shown = refused = None
    if plan is not None:
        shown = plan.rows if len(plan) <= ROWS_SHOWN else None
        refused = plan.refused
        for row in shown or refused[:REFUSED_SHOWN]:
            row.labelled = _labelled(row.changes)
    return render(request, "directory/household_import.html", {
        "form": form, "plan": plan, "counts": plan.counts if plan is not None else {}, "shown": shown,
        "refused": refused[:REFUSED_SHOWN] if refused else [], "refused_count": len(refused or ()),
        "rows_shown": ROWS_SHOWN, "pending": request.session.get(IMPORT_SESSION_KEY) if plan is not None else None,
    })


def _pending_import(request, hamlets, token):
    """The dry-run file of this session, its hamlet (None: the file's Hamlet column) and its rows, re-read."""
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending["token"] != token:
        return None
    hamlet = get_object_or_404(hamlets, pk=pending["hamlet"]) if pending["hamlet"] else None
    return pending, hamlet


@login_required
def household_import_refused(request):
    """Every refused row of this session's dry run with its reasons, as a workbook to correct the file from."""
    hamlets = _managed_hamlets_or_404(request.user)
    found = _pending_import(request, hamlets, request.GET.get("token"))
    if found is None:
        raise Http404(_("This import was already applied or has expired: choose the file again."))
    pending, hamlet = found
    try:
        with default_storage.open(_stored_name(pending["token"])) as stored:
            rows = spreadsheets.read_household_rows(stored, max_rows=settings.HOUSEHOLD_IMPORT_MAX_ROWS)
        plan = services.plan_household_import(actor=request.user, hamlet=hamlet, rows=rows)
    except (ValidationError, PermissionDenied, FileNotFoundError) as error:
        raise Http404(" ".join(getattr(error, "messages", [str(error)]))) from error
    return _xlsx(spreadsheets.refused_rows_workbook(plan.refused), "dong-bi-tu-choi.xlsx")


def _apply_import(request, hamlets):
    found = _pending_import(request, hamlets, request.POST.get("token"))
    if found is None:
        messages.error(request, _("This import was already applied or has expired: choose the file again."))
        return redirect("directory:household_import")
    pending, hamlet = found
    name = _stored_name(pending["token"])
    if pending.get("rows", 0) > settings.HOUSEHOLD_IMPORT_SYNC_ROWS:
        # Too long for one request: the worker applies it, the page follows its progress.
        household_import = services.record_household_import(actor=request.user, hamlet=hamlet, stored_name=name,
                                                            source=pending["name"], rows=pending["rows"])
        request.session.pop(IMPORT_SESSION_KEY, None)
        transaction.on_commit(lambda: tasks.apply_household_import.delay(household_import.pk))
        return redirect("directory:household_import_progress", pk=household_import.pk)
    back = f"{reverse('directory:household_import')}?hamlet={hamlet.pk}" if hamlet else reverse(
        "directory:household_import")
    try:
        with default_storage.open(name) as stored:
            rows = spreadsheets.read_household_rows(stored, max_rows=settings.HOUSEHOLD_IMPORT_MAX_ROWS)
        result = services.import_households(actor=request.user, hamlet=hamlet, rows=rows, source=pending["name"])
    except (ValidationError, PermissionDenied, FileNotFoundError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(back)
    request.session.pop(IMPORT_SESSION_KEY, None)
    default_storage.delete(name)
    counts = _("%(added)s added, %(changed)s changed, %(moved)s moved, %(deactivated)s deactivated, "
               "%(reactivated)s reactivated, %(unchanged)s unchanged.") % result
    if hamlet is not None:
        messages.success(request, _("Imported into %(hamlet)s: %(counts)s") % {"hamlet": hamlet, "counts": counts})
        return redirect(f"{reverse('directory:households')}?hamlet={hamlet.pk}")
    messages.success(request, ngettext("Imported into %(count)s hamlet: %(counts)s",
                                       "Imported into %(count)s hamlets: %(counts)s", len(result["hamlets"]))
                     % {"count": len(result["hamlets"]), "counts": counts})
    return redirect("directory:households")


@login_required
def household_import_progress(request, pk):
    """The background import of its author (anyone else: not found), refreshed until it is done."""
    household_import = get_object_or_404(HouseholdImport.objects.select_related("hamlet"), pk=pk,
                                         actor=request.user)
    done, total = cache.get(services.import_progress_key(household_import)) or (0, household_import.rows)
    finished = household_import.status in (HouseholdImport.Status.APPLIED, HouseholdImport.Status.FAILED)
    return render(request, "directory/household_import_progress.html", {
        "job": household_import, "done": done, "total": total or household_import.rows, "finished": finished,
    })


# --- People and roles ------------------------------------------------------------------------------------

def _managed_units_or_404(user):
    units = units_whose_roles_are_managed_by(user)
    if not units.exists():
        raise Http404(_("You give roles in no unit."))
    return units


def _set_password_link(request, user):
    """The one-time link through which a new account's holder sets a password (Django's reset token:
    it stops working once used, or after PASSWORD_RESET_TIMEOUT)."""
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
    return request.build_absolute_uri(path)


@login_required
def people(request):
    """Who holds which role where, in the units below the office's own: current, to come, and ended."""
    units = _managed_units_or_404(request.user)
    unit_filter = HamletChoiceForm(request.GET or None, hamlets=units)
    unit_filter.fields["hamlet"].required = False
    unit_filter.fields["hamlet"].empty_label = _("All units")
    memberships = (Membership.objects.filter(unit__in=units).select_related("user", "unit")
                   .order_by("unit__path", "role", "-since"))
    chosen = unit_filter.cleaned_data.get("hamlet") if unit_filter.is_valid() else None
    if chosen:
        memberships = memberships.filter(unit=chosen)
    today = timezone.localdate()
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    for membership in page:
        membership.status = ("ended" if membership.until is not None and membership.until < today
                             else "future" if membership.since > today else "current")
    unit_filter.fields["hamlet"].label = _("Unit")
    return render(request, "directory/people.html", {
        "page": page, "unit_filter": unit_filter,
        "query": f"hamlet={chosen.pk}" if chosen else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def give_role(request):
    units = _managed_units_or_404(request.user)
    form = GiveRoleForm(request.POST or None, units=units, initial={"since": timezone.localdate(),
                                                                    "unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = None
        if data["existing_user"]:
            user = get_user_model().objects.filter(username__iexact=data["existing_user"].strip(),
                                                   is_active=True).first()
            if user is None:
                form.add_error("existing_user", _("No active account has the user name %(username)s.")
                               % {"username": data["existing_user"]})
        if not form.errors:
            new_account = None if user else {"username": data["username"], "full_name": data["full_name"],
                                             "email": data["email"]}
            try:
                membership = services.give_role(
                    actor=request.user, unit=data["unit"], role=data["role"], since=data["since"],
                    until=data["until"], user=user, new_account=new_account, reason=data["reason"])
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("%(user)s is %(role)s of %(unit)s from %(since)s.") % {
                    "user": membership.user.get_full_name() or membership.user.username,
                    "role": membership.get_role_display(), "unit": membership.unit,
                    "since": date_format(membership.since, "d/m/Y")})
                if new_account:
                    messages.info(request, _("Give this one-time link to %(user)s to set a password: %(link)s")
                                  % {"user": membership.user.username,
                                     "link": _set_password_link(request, membership.user)})
                return redirect(f"{reverse('directory:people')}?hamlet={membership.unit_id}")
    return render(request, "directory/give_role.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def end_role(request, pk):
    units = _managed_units_or_404(request.user)
    membership = get_object_or_404(Membership.objects.select_related("user", "unit"), pk=pk, unit__in=units)
    form = EndRoleForm(request.POST or None, initial={"until": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_role(actor=request.user, membership=membership, until=form.cleaned_data["until"],
                              reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The role of %(user)s ends after %(day)s.") % {
                "user": membership.user.get_full_name() or membership.user.username,
                "day": date_format(form.cleaned_data["until"], "d/m/Y")})
            return redirect(f"{reverse('directory:people')}?hamlet={membership.unit_id}")
    return render(request, "directory/end_role.html", {
        "form": form, "membership": membership,
        "changes": membership.changes.select_related("actor", "unit").order_by("-at"),
    })
