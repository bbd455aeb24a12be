"""The site as an application on a phone's home screen: the web app manifest, the service
worker and the page it shows when there is no connection.

All three are public (a browser fetches the manifest without the session cookie, and the
service worker on the sign-in page too) and carry no user data. The service worker keeps only
the static shell (stylesheets, scripts, icons, the offline page) for use without a connection;
pages and uploaded files always come from the server. A draft typed on the filing page is kept
by the page itself, in the phone's storage (static/diaodu/js/fill.js).

The icons (static/diaodu/icons/) are drawn from the favicon's design by scripts/make_icons.py
(Pillow and the Noto Sans CJK font): 192 and 512 px, a maskable 512 px with the character inside
the safe zone, and a 180 px apple-touch-icon.
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

THEME_COLOUR = "#c0392b"  # the favicon's red

# The static shell: what every page loads, kept by the service worker for use offline.
SHELL = [
    "vendor/tabler/css/tabler.min.css",
    "vendor/tabler/js/tabler.min.js",
    "vendor/htmx/htmx.min.js",
    "diaodu/app.css",
    "diaodu/field.css",
    "diaodu/js/page.js",
    "diaodu/js/install.js",
    "diaodu/js/fill.js",
    "diaodu/favicon.svg",
    "diaodu/icons/icon-192.png",
    "diaodu/icons/icon-512.png",
]


@require_safe
@cache_control(no_cache=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable, opening on the home page, without the browser's bars."""
    data = {
        "name": _("Key project scheduling"),
        "short_name": _("Diaodu"),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": reverse("home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static("diaodu/icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("diaodu/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("diaodu/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root so that it serves the whole site (`/sw.js`).

    Its cache is named after the shell's addresses: with hashed static names, a new release
    gives a new cache and the old one is dropped."""
    shell = [static(path) for path in SHELL] + [reverse("offline")]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    response = render(
        request,
        "pwa/sw.js",
        {
            "shell": json.dumps(shell),
            "cache_name": json.dumps(f"diaodu-shell-{version}"),
            "offline": json.dumps(reverse("offline")),
            "static_prefix": json.dumps(static("")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("home")
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page that cannot be loaded: nothing of the user's."""
    return render(request, "pwa/offline.html")
