"""Log lines that say which request, user and unit they belong to.

`RequestIdMiddleware` (diaodu/core/middleware.py) puts the request in a context variable for as
long as the request runs; `RequestContextFilter`, attached to the console handler in
`settings.LOGGING`, reads it and sets `request_id`, `user` and `unit` on every record, so the same
id is on the access line, on a service's change, on a traceback and on the error page the user
sees. Outside a request (a Celery task, a management command) the three are "-".

`JsonFormatter` writes one JSON object per line (`DIAODU_LOG_FORMAT=json`).
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

NONE = "-"
# An incoming X-Request-ID is kept only if it is a plain token (a proxy's or a client's id);
# anything else (spaces, quotes, newlines, very long) is replaced by a generated one.
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
# What the log may repeat of something a user typed: no control characters, bounded.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


class RequestContext:
    """The request being served, and who it turned out to be (resolved once, on first need).

    A Celery task on a worker has one too, without a request: its id is the id of the request
    that queued it (or the task's own id), so a ledger imported by the worker is found under the
    id of the upload.
    """

    __slots__ = ("request", "request_id", "task_id", "resolved_for", "user", "unit")

    def __init__(
        self, request: HttpRequest | None, request_id: str, task_id: str | None = None
    ) -> None:
        self.request = request
        self.request_id = request_id
        self.task_id = task_id
        self.resolved_for: Any = None
        self.user = NONE
        self.unit = NONE


current: ContextVar[RequestContext | None] = ContextVar("diaodu_request", default=None)
# Set while the unit of the user is being looked up, so the lookup's own log lines (Django's
# query log at DEBUG) do not start another lookup.
_resolving: ContextVar[bool] = ContextVar("diaodu_resolving", default=False)


def end_request(**kwargs: Any) -> None:
    """The response has been sent and closed (Django's request_finished): no request now."""
    current.set(None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The incoming id if it is a sane token, else a new one."""
    if header and SANE_ID.fullmatch(header):
        return header
    return new_request_id()


def current_request_id() -> str:
    context = current.get()
    return context.request_id if context is not None else ""


def clean(value: object, limit: int = 150) -> str:
    """A value a user chose (a username typed at sign-in), safe to put on one log line."""
    return UNPRINTABLE.sub("?", str(value))[:limit]


def _signed_in_user(request: HttpRequest) -> Any:
    """The request's user if it is already known, without a query to find out.

    Django's AuthenticationMiddleware sets a lazy user, looked up on first use; the view will
    have used it if it needs it. Django REST framework replaces it with the user of a token.
    """
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


# Unit codes this process has looked up, by unit id: (code, when), trusted for CODE_KEPT seconds,
# so that the access line of every request does not read the user's unit again (a unit's code
# changes seldom, and a log line at most that late names the old one).
CODE_KEPT = 300.0
_codes: dict[int, tuple[str, float]] = {}


def _unit_code(user: Any) -> str:
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return NONE
    field = type(user)._meta.get_field("unit")
    if field.is_cached(user):
        code = str(user.unit.code)
        _codes[unit_id] = (code, time.monotonic())
        return code
    known = _codes.get(unit_id)
    if known is not None and time.monotonic() - known[1] < CODE_KEPT:
        return known[0]
    if _resolving.get():
        return NONE
    token = _resolving.set(True)
    try:
        code = str(user.unit.code)  # one query, only when a line is logged
    except Exception:  # a broken transaction, a deleted unit: the id is still useful
        return f"#{unit_id}"
    finally:
        _resolving.reset(token)
    _codes[unit_id] = (code, time.monotonic())
    return code


def _resolve(context: RequestContext) -> None:
    if context.request is None:
        return
    user = _signed_in_user(context.request)
    if user is None or context.resolved_for is user:
        return
    context.resolved_for = user
    context.user = clean(user.get_username())
    context.unit = _unit_code(user)


class RequestContextFilter(logging.Filter):
    """Adds `request_id`, `user` (username) and `unit` (unit code) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current.get()
        if context is None:
            record.request_id = getattr(record, "request_id", NONE)
            record.user = getattr(record, "user", NONE)
            record.unit = getattr(record, "unit", NONE)
            return True
        try:
            _resolve(context)
        except Exception:  # never lose a log line over who sent it
            pass
        record.request_id = context.request_id
        record.user = context.user
        record.unit = context.unit
        return True


# The attributes every LogRecord has; anything else on a record came from `extra=`.
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
CONTEXT = ("request_id", "user", "unit")
PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, user, unit, message, then any
    `extra=` fields, and the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        for key in CONTEXT:
            line[key] = getattr(record, key, NONE)
        line["message"] = record.getMessage()
        for key, value in vars(record).items():
            # Plain values only: Django adds the request object itself, whose text would carry
            # the query string.
            if key not in STANDARD and key not in line and isinstance(value, PLAIN):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s %(unit)s] %(message)s"


class TextFormatter(logging.Formatter):
    """One line per record: time, level, logger, [request id, user, unit], message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", TEXT_FORMAT)
        super().__init__(*args, **kwargs)
