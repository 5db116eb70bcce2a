"""The installable web app: its manifest and its service worker, served from the site root
so the worker's scope is the whole site (a file under /static/ could only control /static/)."""

import hashlib

from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from django.conf import settings as project_settings


@require_GET
def service_worker(request):
    # The worker's cache name follows the shell's file names (hashed in production), so a
    # new deployment replaces the phone's copy.
    names = "|".join(static(path) for path in ("css/app.css", "js/app.js", "js/tally.js", "vendor/idb/idb.umd.js"))
    version = hashlib.sha256((names + str(project_settings.DEBUG)).encode()).hexdigest()[:12]
    response = render(request, "workflows/pwa/sw.js", {"version": version},
                      content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    return JsonResponse({
        "name": _("Emulation titles"), "short_name": _("Emulation titles"), "start_url": "/", "scope": "/",
        "display": "standalone", "background_color": "#f3f5f7", "theme_color": "#a4161a",
        "icons": [{"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }, content_type="application/manifest+json")
