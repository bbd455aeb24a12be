"""/health/: 200 when the instance can work, 503 naming what cannot; never a leak, never a 500."""

import os
import time
from datetime import timedelta
from unittest import mock

import pytest
import redis
from celery.schedules import crontab
from django.db import OperationalError
from django.utils import timezone

from diaodu.core import health
from diaodu.core.models import JobRun

pytestmark = pytest.mark.django_db

REAL_REDIS = "redis://127.0.0.1:6379/14"
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _no_broker(settings):
    settings.CELERY_BROKER_URL = ""


def _all_jobs_ran(succeeded=True, ago=timedelta(minutes=5)):
    started = timezone.now() - ago
    for key in health.settings.CELERY_BEAT_SCHEDULE:
        JobRun.objects.create(
            name=key.replace("-", "_"),
            started_at=started,
            finished_at=started + timedelta(seconds=3),
            succeeded=succeeded,
            runs=1,
        )


def test_healthy_answers_200_with_every_check(client, city):
    _all_jobs_ran()
    response = client.get("/health/")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "ok"
    assert answer["problems"] == [] and answer["warnings"] == []
    checks = answer["checks"]
    assert checks["database"]["status"] == "ok" and checks["database"]["ms"] >= 0
    assert checks["queue"] == {"status": "ok", "mode": "in-process"}
    assert checks["disk"]["status"] == "ok" and checks["disk"]["minimum_mb"] == 500
    assert set(checks["jobs"]["jobs"]) == {
        name.replace("-", "_") for name in health.settings.CELERY_BEAT_SCHEDULE
    }
    assert all(job["succeeded"] is True for job in checks["jobs"]["jobs"].values())
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


def test_needs_no_sign_in_and_reveals_no_data(client, city, settings):
    body = client.get("/health/").content.decode()
    for project in vars(city.projects).values():
        assert project.name not in body
    assert "jiefang" not in body and "hq" not in body
    assert str(settings.DATABASES["default"]["NAME"]) not in body
    assert str(settings.MEDIA_ROOT) not in body


def test_only_reads(client):
    assert client.post("/health/").status_code == 405
    assert client.head("/health/").status_code in (200, 503)


def test_database_failure_is_503_without_its_message(client):
    secret = OperationalError('could not connect to server "db.secret.example" as "diaodu"')
    with mock.patch.object(health.connection, "cursor", side_effect=secret):
        response = client.get("/health/")
    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "error"
    assert "database" in answer["problems"]
    assert answer["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert "secret" not in response.content.decode()


def test_unreachable_broker_is_503_quickly(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE
    started = time.monotonic()
    response = client.get("/health/")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    answer = response.json()
    assert answer["problems"] == ["queue"]
    assert answer["checks"]["queue"]["status"] == "error"
    assert "127.0.0.1" not in response.content.decode()


def test_too_little_disk_is_503(client, settings):
    settings.DIAODU_HEALTH_MIN_FREE_MB = 10**12
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["problems"] == ["disk"]
    disk = response.json()["checks"]["disk"]
    assert disk["status"] == "error" and disk["free_mb"] < disk["minimum_mb"]


def test_a_failed_job_is_503(client):
    _all_jobs_ran()
    JobRun.objects.filter(name="remind").update(succeeded=False, detail="boom at db.secret")
    response = client.get("/health/")
    assert response.status_code == 503
    answer = response.json()
    assert answer["problems"] == ["jobs"]
    assert answer["checks"]["jobs"]["jobs"]["remind"]["state"] == "failed"
    assert "secret" not in response.content.decode()


def test_stale_or_missing_jobs_are_warnings_that_keep_200(client):
    _all_jobs_ran(ago=timedelta(days=3))  # the daily jobs missed two runs
    JobRun.objects.filter(name="refresh").delete()
    response = client.get("/health/")
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "ok" and answer["warnings"] == ["jobs"]
    jobs = answer["checks"]["jobs"]["jobs"]
    assert jobs["remind"]["state"] == "stale"
    assert jobs["refresh"]["state"] == "never run"


def test_a_daily_job_that_ran_yesterday_is_not_stale(client):
    _all_jobs_ran(ago=timedelta(hours=30))
    JobRun.objects.filter(name="open_periods").update(started_at=timezone.now())  # hourly
    assert client.get("/health/").json()["warnings"] == []


def test_expected_intervals():
    assert health.expected_interval(3600) == timedelta(hours=1)
    assert health.expected_interval(timedelta(minutes=5)) == timedelta(minutes=5)
    assert health.expected_interval(crontab(hour=2, minute=0)) == timedelta(days=1)
    assert health.expected_interval(crontab(hour=8, minute=0, day_of_week=1)) == timedelta(days=7)


def test_a_check_that_raises_does_not_break_the_page(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "disk", mock.Mock(side_effect=RuntimeError("x")))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"] == {"status": "error", "error": "RuntimeError"}


def _real_redis():
    client = redis.Redis.from_url(REAL_REDIS, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REAL_REDIS}, and CI needs it")
        pytest.skip(f"Redis is not reachable at {REAL_REDIS}")
    return client


def test_real_redis_backlog(client, settings):
    queue = _real_redis()
    settings.CELERY_BROKER_URL = REAL_REDIS
    queue.delete("celery")
    try:
        response = client.get("/health/")
        assert response.status_code == 200, response.json()
        checks = response.json()["checks"]
        assert checks["queue"]["status"] == "ok"
        assert checks["queue"]["mode"] == "redis"
        assert checks["queue"]["backlog"] == 0
        queue.rpush("celery", "a waiting task", "another")
        assert client.get("/health/").json()["checks"]["queue"]["backlog"] == 2
    finally:
        queue.delete("celery")
        queue.close()
