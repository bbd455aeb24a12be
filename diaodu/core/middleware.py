"""Language: Chinese unless the user has chosen another language from the menu. Request ids:
every request has one, on its log lines, in its answer's X-Request-ID and on its error page."""

import logging
import time
from urllib.parse import unquote

from django.conf import settings
from django.utils import translation

from diaodu.core import logs, signals

access_logger = logging.getLogger("diaodu.requests")
export_logger = logging.getLogger("diaodu.exports")
# Files that are downloads of data: every workbook and Word document, and any attachment.
EXPORT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ChosenLanguageMiddleware:
    """Activate the language chosen in the menu (its cookie), else LANGUAGE_CODE (zh-hans).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: staff use
    browsers set up in many ways, and the interface is Chinese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestIdMiddleware:
    """Give every request an id, log its outcome, and log every file downloaded.

    The id is the incoming `X-Request-ID` (from nginx or a client) when it is a plain token,
    else a new one; it is returned in the answer's `X-Request-ID`, set as `request.request_id`
    and, through `diaodu.core.logs`, put with the user and unit on every log line written while
    the request runs. First in MIDDLEWARE, so every other middleware's lines carry it too.

    Each request ends with one line on `diaodu.requests` (method, path without its query,
    status, time), except static files and `/health/`; each download of a workbook, a Word
    document or an attachment with one line on `diaodu.exports` (its file name and size; who
    asked for it is on the line, as on every line).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.quiet = ("/" + settings.STATIC_URL.lstrip("/"), "/health/", "/favicon.ico")

    def __call__(self, request):
        request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        # Kept until the response is closed (logs.end_request), so that Django's own line
        # about a 4xx answer, written after the middleware, carries the id too.
        logs.current.set(logs.RequestContext(request, request_id))
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if not request.path.startswith(self.quiet):
            access_logger.info(
                "%s %s %s %.0f ms",
                request.method,
                logs.clean(request.path, 300),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
        if response.status_code == 200 and _is_download(response):
            export_logger.info(
                "download %s %s (%s bytes)",
                logs.clean(request.path, 300),
                logs.clean(_filename(response), 200),
                _size(response),
            )
            signals.file_downloaded.send(
                sender=RequestIdMiddleware,
                request=request,
                name=_filename(response),
                path=request.path,
            )
        return response


def _is_download(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    disposition = response.get("Content-Disposition", "")
    return content_type in EXPORT_TYPES or disposition.startswith("attachment")


def _filename(response) -> str:
    """The download's name from Content-Disposition (its UTF-8 form when there is one)."""
    disposition = response.get("Content-Disposition", "")
    plain = ""
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key == "filename*" and value.lower().startswith("utf-8''"):
            return unquote(value[7:])
        if key == "filename":
            plain = value.strip('"')
    return plain or "-"


def _size(response):
    if response.streaming or response.has_header("X-Accel-Redirect"):
        return response.get("Content-Length", "?")
    return len(response.content)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer.

    Scripts come from this site only (no inline script, no eval): pages declare behaviour with
    data attributes read by `static/diaodu/js/page.js`. Styles may be inline (style attributes and
    the charts' own). Images may also come from the map's tile server when one is set. The
    browser's powerful features are all off except geolocation, for this site only.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.content_security_policy = settings.DIAODU_CONTENT_SECURITY_POLICY
        self.permissions_policy = settings.DIAODU_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.content_security_policy:
            response.headers.setdefault("Content-Security-Policy", self.content_security_policy)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
