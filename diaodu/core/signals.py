"""Sign-ins, failed sign-ins and sign-outs, logged on `diaodu.auth`; the request id carried into
the Celery tasks a request queues. Connected in apps.py.

The page, the administration and the API's session all sign in through Django's auth, which
sends these signals. A failed sign-in logs the username attempted (never the password) and the
address it came from; behind a proxy, the address the proxy forwarded for as well.
"""

import logging
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.dispatch import Signal
from django.http import HttpRequest

from diaodu.core import logs
from diaodu.core.logs import clean

logger = logging.getLogger("diaodu.auth")

# Sent by the request middleware when a file of data leaves (a workbook, a Word document, an
# attachment), with `request`, `name` (the file's name) and `path` (the URL asked for); the
# organisation's audit log records it.
file_downloaded = Signal()


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    meta = getattr(request, "META", {})
    address = clean(meta.get("REMOTE_ADDR") or "-", 64)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        address += f" (forwarded for {clean(forwarded, 200)})"
    return address


def signed_in(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    logger.info("sign-in %s from %s", clean(user.get_username()), _address(request))


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = credentials.get("username", "")
    logger.warning("failed sign-in for %r from %s", clean(username), _address(request))


def signed_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kwargs: Any
) -> None:
    name = clean(user.get_username()) if user is not None else "-"
    logger.info("sign-out %s from %s", name, _address(request))


# A task queued during a request carries the request's id in this message header.
TASK_HEADER = "diaodu_request_id"


def task_queued(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Celery's before_task_publish: the queuing request's id into the message."""
    request_id = logs.current_request_id()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def task_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """Celery's task_prerun: the task's lines carry the id of the request that queued it.

    A task run in-process (no broker) runs inside that request and keeps its context as it is.
    """
    if logs.current.get() is not None:
        return
    queued_by = task.request.get(TASK_HEADER) if task is not None else None
    logs.current.set(logs.RequestContext(None, queued_by or task_id or logs.NONE, task_id=task_id))


def task_finished(task_id: str | None = None, **kwargs: Any) -> None:
    """Celery's task_postrun: the worker's thread is free for the next task."""
    context = logs.current.get()
    if context is not None and context.request is None and context.task_id == task_id:
        logs.current.set(None)
