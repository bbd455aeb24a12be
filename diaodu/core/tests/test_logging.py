"""Log lines carry the request id, user and unit; sign-ins, changes and downloads are logged."""

import json
import logging
import os
import subprocess
import sys

import pytest
from celery.app.task import Context
from django.db import transaction
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core import logs
from diaodu.core import signals as handlers
from diaodu.core.logs import JsonFormatter, RequestContextFilter, TextFormatter, request_id_from
from diaodu.factories import PASSWORD, UserFactory
from diaodu.projects import services


def _records(caplog, logger):
    return [record for record in caplog.records if record.name == logger]


def test_the_console_handler_adds_the_context():
    console = [h for h in logging.getLogger().handlers if isinstance(h.formatter, TextFormatter)]
    assert console, "the root logger writes through diaodu.core.logs.TextFormatter"
    assert any(isinstance(f, RequestContextFilter) for f in console[0].filters)
    assert logging.getLogger("diaodu").getEffectiveLevel() == logging.INFO


@pytest.mark.django_db
def test_a_request_gets_an_id_returned_and_on_its_log_lines(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post(reverse("login"), {"username": "ghost", "password": "wrong"})
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    (failed,) = _records(caplog, "diaodu.auth")
    assert failed.request_id == request_id
    (access,) = _records(caplog, "diaodu.requests")
    assert access.request_id == request_id
    assert access.getMessage().startswith("POST /login/ 200 ")
    assert client.get(reverse("login"))["X-Request-ID"] != request_id


@pytest.mark.django_db
def test_an_incoming_request_id_is_kept_if_sane(client):
    kept = client.get(reverse("login"), headers={"X-Request-ID": "nginx-4f2a.9"})
    assert kept["X-Request-ID"] == "nginx-4f2a.9"
    for bad in ("two words", "x" * 101, "<script>", "a\tb"):
        replaced = client.get(reverse("login"), headers={"X-Request-ID": bad})
        assert replaced["X-Request-ID"] != bad
        assert len(replaced["X-Request-ID"]) == 32
    assert request_id_from(None) != request_id_from(None)


@pytest.mark.django_db
def test_user_and_unit_on_the_lines_of_a_signed_in_request(city, caplog):
    client = login(city.users.jiefang)
    caplog.set_level(logging.INFO)
    response = client.get(reverse("home"))
    (access,) = _records(caplog, "diaodu.requests")
    assert access.request_id == response["X-Request-ID"]
    assert (access.user, access.unit) == ("jiefang", "jiefang")


def test_the_unit_code_is_read_once_per_process_for_a_while(
    city, monkeypatch, django_assert_num_queries
):
    """The access line names the unit without reading it on every request; a code changed
    shows once CODE_KEPT has passed (or at once where the request read the unit anyway)."""
    login(city.users.jiefang).get(reverse("notifications:list"))
    User = type(city.users.jiefang)
    again = User.objects.get(pk=city.users.jiefang.pk)  # as the next request loads it
    with django_assert_num_queries(0):
        assert logs._unit_code(again) == "jiefang"
    city.jiefang.code = "jiefang2"
    city.jiefang.save()
    fresh = User.objects.get(pk=city.users.jiefang.pk)  # its unit not loaded
    assert logs._unit_code(fresh) == "jiefang"  # kept a while
    monkeypatch.setattr(logs, "CODE_KEPT", 0.0)
    with django_assert_num_queries(1):
        assert logs._unit_code(fresh) == "jiefang2"


def test_outside_a_request_the_context_is_a_dash(caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContextFilter())
    logging.getLogger("diaodu.test").info("no request here")
    (record,) = _records(caplog, "diaodu.test")
    assert (record.request_id, record.user, record.unit) == ("-", "-", "-")


@pytest.mark.django_db
def test_sign_in_failed_sign_in_and_sign_out_are_logged(client, caplog):
    UserFactory(username="someone")
    caplog.set_level(logging.INFO)
    client.post(reverse("login"), {"username": "someone", "password": "not-it"})
    client.post(reverse("login"), {"username": "someone", "password": PASSWORD})
    client.post(reverse("logout"))
    failed, signed_in, signed_out = _records(caplog, "diaodu.auth")
    assert failed.levelno == logging.WARNING
    assert failed.getMessage() == "failed sign-in for 'someone' from 127.0.0.1"
    assert "not-it" not in caplog.text and PASSWORD not in caplog.text
    assert signed_in.levelno == logging.INFO
    assert signed_in.getMessage() == "sign-in someone from 127.0.0.1"
    assert signed_in.user == "someone"
    assert signed_out.getMessage() == "sign-out someone from 127.0.0.1"


@pytest.mark.django_db
def test_a_forged_username_cannot_write_a_second_log_line(client, caplog):
    caplog.set_level(logging.INFO)
    client.post(reverse("login"), {"username": "x\n2026 INFO sign-in admin", "password": "p"})
    (failed,) = _records(caplog, "diaodu.auth")
    assert "\n" not in failed.getMessage()


@pytest.mark.django_db
def test_a_service_change_is_logged_with_ids_and_field_names_only(
    city, caplog, django_capture_on_commit_callbacks
):
    project = city.projects.jiefang
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_update_contacts(
            city.users.hq, project, contact_person="张三", contact_phone="13800001111"
        )
    (change,) = _records(caplog, "diaodu.changes")
    assert change.levelno == logging.INFO
    assert change.getMessage() == (
        f"update project #{project.pk} (project #{project.pk}) by hq: contact_person, contact_phone"
    )
    assert (change.action, change.object_type) == ("update", "projects.project")
    assert change.project_id == project.pk
    assert "张三" not in caplog.text and "13800001111" not in caplog.text
    assert project.name not in caplog.text


@pytest.mark.django_db
def test_a_change_rolled_back_is_not_logged(city, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.do_update_contacts(city.users.hq, city.projects.jiefang, contact_person="李四")
            raise RuntimeError("something after the change fails")
    assert not _records(caplog, "diaodu.changes")


@pytest.mark.django_db
def test_an_export_is_logged_with_who_and_what(city, caplog):
    client = login(city.users.hq)
    caplog.set_level(logging.INFO)
    response = client.get(reverse("projects:export"))
    assert response.status_code == 200
    (download,) = _records(caplog, "diaodu.exports")
    assert download.getMessage().startswith("download /projects/export.xlsx ")
    assert f"({len(response.content)} bytes)" in download.getMessage()
    assert (download.user, download.unit) == ("hq", "hq")
    assert download.request_id == response["X-Request-ID"]


def test_json_formatter_writes_one_parseable_line_with_the_fields():
    record = logging.makeLogRecord(
        {
            "name": "diaodu.changes",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "update %s #%s\nsecond line",
            "args": ("project", 7),
            "request_id": "abc",
            "user": "hq",
            "unit": "hq",
            "project_id": 7,
            "request": object(),  # Django's extra: not written
        }
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "update project #7\nsecond line"
    assert (data["level"], data["logger"]) == ("INFO", "diaodu.changes")
    assert (data["request_id"], data["user"], data["unit"]) == ("abc", "hq", "hq")
    assert data["project_id"] == 7
    assert "request" not in data
    assert data["time"][:2] == "20" and "T" in data["time"]


def _log_in_a_fresh_process(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update(DIAODU_DEBUG="true", DJANGO_SETTINGS_MODULE="diaodu.settings", **env)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('diaodu.test').info('hello %s', '世界'); "
        "logging.getLogger('diaodu.test').debug('hidden'); "
        "logging.getLogger('other').info('hidden too')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_log_format_json_switches_to_json_lines():
    result = _log_in_a_fresh_process(DIAODU_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    data = json.loads(line)
    assert data["message"] == "hello 世界"
    assert data["logger"] == "diaodu.test"
    assert (data["request_id"], data["user"], data["unit"]) == ("-", "-", "-")


def test_log_format_text_by_default():
    result = _log_in_a_fresh_process()
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.endswith(" INFO diaodu.test [- - -] hello 世界")


def test_log_settings_are_read_strictly():
    level = _log_in_a_fresh_process(DIAODU_LOG_LEVEL="LOUD")
    assert level.returncode != 0 and "DIAODU_LOG_LEVEL" in level.stderr
    form = _log_in_a_fresh_process(DIAODU_LOG_FORMAT="xml")
    assert form.returncode != 0 and "DIAODU_LOG_FORMAT" in form.stderr
    debug = _log_in_a_fresh_process(DIAODU_LOG_LEVEL="DEBUG")
    assert "hidden" in debug.stderr and "hidden too" not in debug.stderr


class _Task:
    def __init__(self, headers):
        self.request = Context(headers)


def test_a_task_carries_the_id_of_the_request_that_queued_it(caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContextFilter())
    token = logs.current.set(logs.RequestContext(None, "upload-42"))
    headers = {}
    handlers.task_queued(headers=headers)
    logs.current.reset(token)
    assert headers == {"diaodu_request_id": "upload-42"}

    # On the worker: no request; the task's lines carry the queuing request's id.
    handlers.task_started(task_id="t-1", task=_Task(headers))
    logging.getLogger("diaodu.test").info("importing")
    handlers.task_finished(task_id="t-1")
    logging.getLogger("diaodu.test").info("idle")
    importing, idle = _records(caplog, "diaodu.test")
    assert importing.request_id == "upload-42"
    assert idle.request_id == "-"

    # A task queued outside any request is known by its own id.
    handlers.task_started(task_id="t-2", task=_Task({}))
    assert logs.current_request_id() == "t-2"
    handlers.task_finished(task_id="t-2")
    assert logs.current_request_id() == ""


def test_a_task_run_in_process_keeps_its_request_context():
    token = logs.current.set(logs.RequestContext(None, "page-7"))
    try:
        handlers.task_started(task_id="t-3", task=_Task({}))
        assert logs.current_request_id() == "page-7"
        handlers.task_finished(task_id="t-3")
        assert logs.current_request_id() == "page-7"
    finally:
        logs.current.reset(token)
