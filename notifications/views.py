"""The in-app notification list and the channel preferences: thin, over the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import RuleViolation

from . import services
from .forms import ChannelForm
from .models import Notification
from .services.preferences import preference_for


def _base():
    # The shared layout may not be deployed yet; the fallback keeps the pages usable.
    return select_template(["base.html", "notifications/fallback_base.html"])


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "base_template": _base(), "page": page, "only_unread": only_unread,
    })


@login_required
@require_POST
def mark_read(request):
    """Mark one notification (then follow its link) or all of them as read."""
    pk = request.POST.get("id")
    if pk and pk.isdigit():
        services.mark_read(actor=request.user, ids=[int(pk)])
        target = Notification.objects.filter(recipient=request.user, pk=pk).values_list("url", flat=True).first()
        if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, None):
            return redirect(target)
    else:
        count = services.mark_read(actor=request.user)
        messages.success(request, _("%(n)s notifications marked as read.") % {"n": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    pref = preference_for(request.user)
    if request.method == "POST":
        form = ChannelForm(request.POST)
        if form.is_valid():
            try:
                services.set_channels(actor=request.user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your notification channels are saved."))
                return redirect("notifications:preferences")
    else:
        form = ChannelForm(initial={"email": pref.email if pref.pk else bool(request.user.email),
                                    "sms": pref.sms, "phone": pref.phone})
    return render(request, "notifications/preferences.html", {"base_template": _base(), "form": form})
