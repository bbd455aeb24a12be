"""Figures kept: what a page aggregates over the whole portfolio is read, not computed.

A live ranking's indicators and the dashboard's figures read every project, plan, report and
problem of a year: seconds at tens of thousands of projects. They are kept in the cache (Redis in
production, DIAODU_CACHE_URL) under a key naming the family, what they are of (a period and group,
a scope and year), the day they are read on, the release and settings they were computed under,
and the data version: one number moved on by every change to what any kept figure reads. The
apps say which models their figures read (`watch`: a save or delete moves the version on) and
call `changed()` after bulk writes (and the receivers of `facts_changed` do). The version moves
on at once and again when the change commits, so that what a reader computed from the rows
before the commit is never read after it.

Each family says which of its figures people look at (`register`): the queue computes them right
after a burst of changes (`warm`), so the page finds them ready, those of them someone read within
the last day (what nobody reads is not computed at every change); a reader who comes first
computes and keeps them. Every night `check` computes them afresh and compares: a difference
(drift) means a write that did not move the version on; it is logged as an error, counted and
replaced.

Only where the cache is shared by every process (DIAODU_KEEP_FIGURES, on with DIAODU_CACHE_URL);
elsewhere every read computes, as if nothing were kept.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from importlib import metadata
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION = "kept:version"
PENDING = "kept:warm-pending"
KEPT_FOR = 2 * 24 * 3600  # seconds; a key names its day, so nothing older is ever read
# The queue computes a little after the first change of a burst, once for all of it,
WARM_AFTER = 30  # seconds
# what someone read within the last day: what nobody reads is not computed at every change.
LOOKED_FOR = 24 * 3600  # seconds
# During a surge the queue computes them at most once in this long (a round of a national
# portfolio's figures takes tens of seconds), within what the pages below accept.
WARM_EVERY = 120  # seconds
WARMED_AT = "kept:warmed-at"
# How long a page that accepts it (`read(stale_for=A_WHILE)`: the dashboard, a live ranking)
# reads the last figures computed while the queue computes those of the latest change.
A_WHILE = 300  # seconds

Compute = Callable[[], Any]
# A family's figures people look at on a day: (what they are of, how to compute them).
Looked = Callable[[date], Iterable[tuple[tuple[Hashable, ...], Compute]]]

_families: dict[str, Looked] = {}


def enabled() -> bool:
    return bool(settings.DIAODU_KEEP_FIGURES)


class Version:
    """A number in the shared cache that some writes move on: what is kept under it is read
    only while nothing it depends on has changed. It moves on at once and again when the change
    commits, so that what a reader computed from the rows before the commit is never read
    after it."""

    def __init__(self, key: str, then: Callable[[], None] | None = None) -> None:
        self.key = key
        self.then = then  # run when a change commits, after the number moved on

    def number(self) -> int:
        number = cache.get(self.key)
        if number is None:
            number = self._start()
        return int(number)

    def move_on(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not kept yet (or evicted)
            self._start()

    def _start(self) -> int:
        """A number never given before, should the cache have lost it (emptied, evicted,
        restarted): what a process keeps by it (core.widgets) is then never read again."""
        cache.add(self.key, time.time_ns(), timeout=None)
        return int(cache.get(self.key, 0))

    def changed(self) -> None:
        """Something it depends on changed (nothing to do where nothing is kept)."""
        if enabled():
            self.move_on()
            transaction.on_commit(self.move_on)
            if self.then is not None:
                transaction.on_commit(self.then)

    def watch(self, *model_classes: type[models.Model]) -> None:
        """A save or delete of any of these models (or a change to a many-to-many through
        table) moves the number on. A model watched twice is connected once."""

        def watched(sender: Any, **kwargs: Any) -> None:
            self.changed()

        for model in model_classes:
            uid = f"{self.key}.{model._meta.label}"
            signals = [(post_save, "save"), (post_delete, "delete")]
            if model._meta.auto_created:
                signals.append((m2m_changed, "m2m"))
            for signal, name in signals:
                signal.connect(watched, sender=model, weak=False, dispatch_uid=f"{uid}.{name}")


# Every change to what any kept figure reads; the queue then computes what people look at.
DATA = Version(VERSION, then=lambda: _schedule_warm())
# Every change to the rows the selects' options are written from (core.widgets.light_choices):
# each app watches its models (units, leaders, programmes).
CHOICES = Version("kept:version:choices")


def version() -> int:
    return DATA.number()


def changed() -> None:
    """What kept figures read has changed: move the version on now and again at the commit,
    and have the queue compute what people look at once it is committed."""
    DATA.changed()


def _schedule_warm() -> None:
    from diaodu.core.tasks import warm_kept

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # no queue (development): the first reader computes and keeps them
    if cache.add(PENDING, 1, timeout=600):
        last = cache.get(WARMED_AT)
        since = WARM_EVERY if last is None else time.time() - last
        warm_kept.apply_async(countdown=max(WARM_AFTER, round(WARM_EVERY - since)))


def _release() -> str:
    try:
        return metadata.version("diaodu")
    except metadata.PackageNotFoundError:  # run from a checkout without installing
        return "-"


RELEASE = _release()


def _fingerprint() -> str:
    """The release and Diaodu's settings (a limit of days, the progress gap): figures computed
    by another release or under other settings are not read."""
    names = sorted(name for name in dir(settings) if name.startswith("DIAODU_"))
    text = repr([RELEASE, *((name, getattr(settings, name)) for name in names)])
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _looked_key(family: str, of: tuple[Hashable, ...]) -> str:
    return "kept:looked:" + ":".join(str(part) for part in (family, *of))


def _key(family: str, of: tuple[Hashable, ...], today: date, number: int) -> str:
    what = ":".join(str(part) for part in of)
    return f"kept:{family}:{what}:{today.isoformat()}:{number}:{_fingerprint()}"


def _latest_key(family: str, of: tuple[Hashable, ...], today: date) -> str:
    """Where the last figures computed of a version are kept with their time, whatever the
    version (for a reader that accepts them a while: `read(stale_for=...)`)."""
    what = ":".join(str(part) for part in of)
    return f"kept:latest:{family}:{what}:{today.isoformat()}:{_fingerprint()}"


def read(
    family: str,
    of: tuple[Hashable, ...],
    compute: Compute,
    today: date | None = None,
    *,
    stale_for: float = 0,
) -> Any:
    """compute(), kept until the data or the day changes; someone looked at it (`warm`).

    With `stale_for` (seconds), figures whose data has changed since are still read while they
    are younger than that and the queue computes the new ones (it was asked to at the change):
    during the filing surge every save moves the version on, and a dashboard of 500,000
    projects (seconds to compute) would otherwise be computed by each reader in turn. Without
    a queue (development, tests) the reader computes, as without `stale_for`."""
    if not enabled():
        return compute()
    today = today or timezone.localdate()
    cache.set(_looked_key(family, of), 1, timeout=LOOKED_FOR)
    stale_for = 0 if settings.CELERY_TASK_ALWAYS_EAGER else stale_for
    return _kept(family, of, compute, today, stale_for)


def _kept(
    family: str, of: tuple[Hashable, ...], compute: Compute, today: date, stale_for: float = 0
) -> Any:
    key = _key(family, of, today, version())
    value = cache.get(key)
    if value is not None:
        return value
    latest_key = _latest_key(family, of, today)
    latest = cache.get(latest_key)
    if stale_for and latest is not None and time.time() - latest[0] <= stale_for:
        _schedule_warm()  # in case the change's own request was lost: once, for a burst
        return latest[1]
    began = time.time()
    value = compute()
    cache.set(key, value, timeout=KEPT_FOR)
    # The latest figures, as of when their computation began (the data may have moved on while
    # it ran, as it does all through the surge), unless later ones are kept already.
    latest = cache.get(latest_key)
    if latest is None or latest[0] < began:
        cache.set(latest_key, (began, value), timeout=KEPT_FOR)
    return value


def register(family: str, looked: Looked) -> None:
    """Name the figures of a family people look at (computed by `warm`, compared by `check`)."""
    _families[family] = looked


def watch(*model_classes: type[models.Model]) -> None:
    """A save or delete of any of these models (or a change to a many-to-many through table)
    moves the version on. A model watched by several apps is connected once."""
    DATA.watch(*model_classes)


def _looked(today: date) -> Iterable[tuple[str, tuple[Hashable, ...], Compute]]:
    for family, looked in _families.items():
        for of, compute in looked(today):
            yield family, of, compute


def warm(today: date | None = None) -> list[str]:
    """Compute and keep what people look at and someone computed within the last day
    (idempotent: what is kept is only read)."""
    cache.delete(PENDING)
    cache.set(WARMED_AT, time.time(), timeout=KEPT_FOR)
    today = today or timezone.localdate()
    looked = list(_looked(today))
    recent = cache.get_many([_looked_key(family, of) for family, of, _compute in looked])
    warmed = []
    for family, of, compute in looked:
        if _looked_key(family, of) in recent:
            _kept(family, of, compute, today)
            warmed.append(":".join(str(part) for part in (family, *of)))
    return warmed


def check(today: date | None = None) -> dict[str, Any]:
    """Compute afresh what people look at and is kept, and compare: every difference is drift
    (a write that did not move the version on), logged, counted and replaced."""
    if not enabled():
        return {"compared": 0, "drift": []}
    today = today or timezone.localdate()
    number = version()
    compared, drift = 0, []
    for family, of, compute in _looked(today):
        key = _key(family, of, today, number)
        kept = cache.get(key)
        if kept is None:  # nothing kept, nothing to be wrong: the next reader computes
            continue
        fresh = compute()
        if version() != number:  # changed while computing: nothing to compare
            continue
        compared += 1
        if kept != fresh:
            drift.append(key)
            logger.error("kept figures %s differ from the data: replaced", key)
            cache.set(key, fresh, timeout=KEPT_FOR)
    return {"compared": compared, "drift": drift}


__all__ = ["changed", "check", "enabled", "read", "register", "version", "warm", "watch"]
