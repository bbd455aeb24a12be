"""`/health/`: is this instance able to work? For monitoring and the load balancer.

Answers JSON, with no sign-in, and reveals no data: no counts of projects, no names, no host
names or credentials, no error text (the error goes to the log, with this request's id). Each
check is wrapped, so the page itself never fails:

- database: a trivial query, and how long it took;
- queue: with a broker (`DIAODU_BROKER_URL`), Redis answers a ping within 1.5 s, and the backlog
  is the number of tasks waiting in the default queue; without one, tasks run in-process;
- disk: free space where the uploaded files are, against `DIAODU_HEALTH_MIN_FREE_MB`;
- jobs: the last run of each periodic job (settings.CELERY_BEAT_SCHEDULE, recorded in JobRun).

200 when all is well. 503 when the database, the queue or the disk fails, or when a periodic
job's last run failed: each needs someone to act, and the answer names it in `problems`. A job
that has not run for more than twice its interval (plus an hour), or never ran, is a warning
(`warnings`) and keeps 200: after an upgrade or a stop for maintenance the jobs catch up on
their own, and a load balancer must not take a working web server out of service for it.
"""

import logging
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from diaodu.core.models import JobRun

logger = logging.getLogger("diaodu.health")

OK, ERROR, WARNING = "ok", "error", "warning"
QUEUE_TIMEOUT = 1.5  # seconds to connect to and hear from Redis
STALE_MARGIN = timedelta(hours=1)
# kombu's Redis transport keeps tasks sent with a priority in lists beside the queue's own.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITIES = (3, 6, 9)


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK, "ms": _ms(started)}


def check_queue() -> dict[str, Any]:
    url = settings.CELERY_BROKER_URL
    if not url or url.startswith("memory://"):
        return {"status": OK, "mode": "in-process"}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return {"status": WARNING, "mode": "broker", "reason": "not checked: not Redis"}
    started = time.perf_counter()
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=QUEUE_TIMEOUT,
        socket_timeout=QUEUE_TIMEOUT,
        retry_on_timeout=False,
    )
    try:
        client.ping()
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        names = [queue] + [f"{queue}{PRIORITY_SEPARATOR}{p}" for p in PRIORITIES]
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
        backlog = sum(pipe.execute())
    finally:
        client.close()
    return {"status": OK, "mode": "redis", "ms": _ms(started), "backlog": backlog}


def check_disk() -> dict[str, Any]:
    place = Path(settings.MEDIA_ROOT)
    while not place.exists() and place != place.parent:  # not created yet: its disk
        place = place.parent
    free_mb = shutil.disk_usage(place).free // (1024 * 1024)
    minimum = settings.DIAODU_HEALTH_MIN_FREE_MB
    status = OK if free_mb >= minimum else ERROR
    return {"status": status, "free_mb": free_mb, "minimum_mb": minimum}


def check_jobs() -> dict[str, Any]:
    now = timezone.now()
    runs = {run.name: run for run in JobRun.objects.all()}
    jobs = {}
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        name = key.replace("-", "_")
        interval = expected_interval(entry["schedule"])
        run = runs.get(name)
        job: dict[str, Any] = {"every_hours": round(interval.total_seconds() / 3600, 2)}
        if run is None or run.started_at is None:
            job.update(status=WARNING, state="never run")
        else:
            job.update(
                started_at=run.started_at.isoformat(),
                finished_at=run.finished_at.isoformat() if run.finished_at else None,
                succeeded=run.succeeded,
            )
            if run.succeeded is False:
                job.update(status=ERROR, state="failed")
            elif now - run.started_at > 2 * interval + STALE_MARGIN:
                job.update(status=WARNING, state="stale")
            else:
                job.update(status=OK, state="ok")
        jobs[name] = job
    statuses = {job["status"] for job in jobs.values()}
    status = ERROR if ERROR in statuses else WARNING if WARNING in statuses else OK
    return {"status": status, "jobs": jobs}


def expected_interval(schedule: Any) -> timedelta:
    """How often a beat schedule runs: seconds, a timedelta, Celery's schedule or crontab (the
    longest gap between its next few runs). A day when it cannot be told."""
    if isinstance(schedule, int | float):
        return timedelta(seconds=schedule)
    if isinstance(schedule, timedelta):
        return schedule
    run_every = getattr(schedule, "run_every", None)
    if isinstance(run_every, timedelta):
        return run_every
    try:
        moment = timezone.now().replace(second=0, microsecond=0)
        runs: list[datetime] = []
        for _ in range(8):
            start, delta, _now = schedule.remaining_delta(moment)
            moment = start + delta
            runs.append(moment)
            moment += timedelta(minutes=1)
        return max(later - earlier for earlier, later in zip(runs, runs[1:], strict=False))
    except Exception:
        return timedelta(days=1)


CHECKS = {
    "database": check_database,
    "queue": check_queue,
    "disk": check_disk,
    "jobs": check_jobs,
}


@never_cache  # Cache-Control: no-store (and no-cache, private)
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as error:
            # The reason is logged (with this request's id), never shown: it may name hosts.
            logger.warning("health check %s failed: %r", name, error)
            checks[name] = {"status": ERROR, "error": type(error).__name__}
    problems = [name for name, result in checks.items() if result["status"] == ERROR]
    warnings = [name for name, result in checks.items() if result["status"] == WARNING]
    answer = {
        "status": ERROR if problems else OK,
        "problems": problems,
        "warnings": warnings,
        "checks": checks,
    }
    return JsonResponse(answer, status=503 if problems else 200)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
