"""The installable web app: its manifest and its service worker, served from the site root
so the worker's scope is the whole site (a file under /static/ could only control /static/)."""

import hashlib

from django.contrib.staticfiles import finders
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


SHELL = ("css/app.css", "js/app.js", "js/tally.js", "vendor/idb/idb.umd.js", "img/icon.svg")


def shell_version():
    """Follows the shell files' contents (and their served names, hashed in production): a
    changed file gives the worker a new cache, so a phone never keeps an old script."""
    digest = hashlib.sha256()
    for path in SHELL:
        digest.update(static(path).encode())
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    response = render(request, "workflows/pwa/sw.js", {"version": shell_version()},
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
