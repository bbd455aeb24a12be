"""The task queue for real: Redis as the broker and a Celery worker started by the test.

The request only queues; the worker imports the ledger and delivers the notifications. Run
against the Redis at DIAODU_TEST_REDIS_URL (default redis://127.0.0.1:6379/13; each pytest-xdist
worker after the first on the next database); skipped when it is unreachable, except under
CI=true, where that is a failure. They run when the suite runs on PostgreSQL (as CI does):
SQLite's in-memory test database, shared between the test and the worker's thread, locks whole
tables and fails them at random.
"""

import os
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.urls import reverse

from diaodu.celery import app
from diaodu.conftest import login
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.tests.test_pages import GOOD, ledger_file
from diaodu.notifications.models import Notification
from diaodu.projects.models import Project


def _redis_url() -> str:
    """DIAODU_TEST_REDIS_URL, one database further for each pytest-xdist worker after the first
    (gw1 on 14 when it names 13), so that no worker empties another's queue or takes its task."""
    url = urlsplit(os.environ.get("DIAODU_TEST_REDIS_URL", "redis://127.0.0.1:6379/13"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    database = int(url.path.strip("/") or 0) + worker
    return urlunsplit(url._replace(path=f"/{database}"))


REDIS_URL = _redis_url()
DELIVERED = []


def channel(notifications):
    DELIVERED.extend(n.pk for n in notifications)


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is needed for the queue tests and is unreachable at {REDIS_URL}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")
    return client


def _forget_connections():
    """Drop the cached broker connections, made for another broker by earlier tests."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker(transactional_db, settings):
    """A worker in this process (it shares the test database), with Redis as the broker."""
    if connection.vendor != "postgresql":
        pytest.skip("the queue tests run on PostgreSQL (see the module's docstring)")
    client = _redis()
    client.flushdb()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    settings.CELERY_BROKER_URL = REDIS_URL
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield client
    finally:
        app.conf.update(previous)
        _forget_connections()
        client.flushdb()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_an_import_through_the_api_is_applied_by_the_worker(city, worker, settings):
    settings.DIAODU_NOTIFICATION_CHANNELS = [f"{__name__}.channel"]
    client = login(city.users.hq)
    response = client.post(
        reverse("import-list"), {"file": ledger_file(GOOD), "year": 2026, "dry_run": "false"}
    )
    assert response.status_code in (200, 202), response.content
    job = ImportJob.objects.get()
    assert wait_for(lambda: ImportJob.objects.get().status == ImportStatus.APPLIED), (
        ImportJob.objects.get().status
    )
    assert Project.objects.filter(name="新项目").exists()
    answer = client.get(reverse("import-detail", args=[job.pk]))
    assert answer.status_code == 200 and answer.json()["status"] == ImportStatus.APPLIED


def test_a_notification_channel_runs_on_the_worker(city, worker, settings):
    from diaodu.notifications.services import notify

    settings.DIAODU_NOTIFICATION_CHANNELS = [f"{__name__}.channel"]
    DELIVERED.clear()
    created = notify([city.users.owner], "测试通知")
    assert wait_for(lambda: DELIVERED == [created[0].pk]), (DELIVERED, created)
    assert wait_for(lambda: Notification.objects.get().delivered_by == [f"{__name__}.channel"])
