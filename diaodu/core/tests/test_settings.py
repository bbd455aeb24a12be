"""Settings read from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse


def _run(code: str, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DIAODU_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _import_settings(**env):
    return _run("import diaodu.settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)", **env)


@pytest.mark.parametrize(
    "serving",
    [
        "import diaodu.wsgi",
        "from diaodu.__main__ import main; import sys; sys.argv = ['diaodu', 'serve']; main()",
    ],
)
def test_production_refuses_to_start_without_a_secret_key(serving):
    result = _run(serving, DIAODU_DEBUG="false")
    assert result.returncode != 0
    assert "DIAODU_SECRET_KEY" in result.stderr


def test_commands_that_do_not_serve_run_without_a_secret_key():
    """makemigrations --check (CI, a packager) needs no secret; serving does."""
    result = _run(
        "from diaodu.__main__ import main; import sys; "
        "sys.argv = ['diaodu', 'makemigrations', '--check', '--dry-run']; main()"
    )
    assert result.returncode == 0, result.stderr


def test_production_starts_with_a_secret_key_and_reads_hosts():
    result = _import_settings(
        DIAODU_DEBUG="false", DIAODU_SECRET_KEY="x" * 50, DIAODU_ALLOWED_HOSTS="a.gov.cn, b"
    )
    assert result.returncode == 0, result.stderr
    assert "False ['a.gov.cn', 'b']" in result.stdout


def test_the_documented_production_settings_pass_the_deployment_checks(tmp_path):
    """docs/deploy.md: with these settings `diaodu check --deploy` is clean."""
    result = _run(
        "from diaodu.__main__ import main; import sys; "
        "sys.argv = ['diaodu', 'check', '--deploy', '--fail-level', 'WARNING']; main()",
        DIAODU_SECRET_KEY="k" * 24 + "-Xq7#" + "z" * 30,
        DIAODU_ALLOWED_HOSTS="xm.example.gov.cn",
        DIAODU_BEHIND_HTTPS_PROXY="true",
        DIAODU_SSL_REDIRECT="true",
        DIAODU_HSTS_SECONDS="31536000",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        DJANGO_SETTINGS_MODULE="diaodu.settings",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.django_db
def test_home_redirects_anonymous_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_login_and_logout(client):
    from diaodu.factories import PASSWORD, UserFactory

    UserFactory(username="someone")
    wrong = client.post(reverse("login"), {"username": "someone", "password": "nope"})
    assert wrong.status_code == 200  # the form again, with its error
    assert wrong.context["form"].errors
    assert client.get(reverse("home")).status_code == 302
    response = client.post(reverse("login"), {"username": "someone", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_requests_do_not_split_a_query_over_parallel_workers():
    """The WSGI entry point asks PostgreSQL for no parallel workers (the setting says why); a
    command or the queue keeps the server's default, and the number is checked."""
    database = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/diaodu", "DIAODU_DEBUG": "true"}
    options = "import diaodu.settings as s; print(s.DATABASES['default'].get('OPTIONS'))"
    served = _run("import django.core.wsgi as w; w.get_wsgi_application = lambda: None\n"
                  "import diaodu.wsgi\n" + options, **database)  # fmt: skip
    assert "-c max_parallel_workers_per_gather=0" in served.stdout, served.stderr
    command = _run(options, **database)
    assert "max_parallel" not in command.stdout, command.stderr
    two = _run(options, DIAODU_DB_PARALLEL_WORKERS="2", **database)
    assert "-c max_parallel_workers_per_gather=2" in two.stdout, two.stderr
    wrong = _run(options, DIAODU_DB_PARALLEL_WORKERS="all", **database)
    assert wrong.returncode != 0 and "DIAODU_DB_PARALLEL_WORKERS" in wrong.stderr
    sqlite = _run(
        options, DATABASE_URL="sqlite:////tmp/x.sqlite3", DIAODU_DB_PARALLEL_WORKERS="0",
        DIAODU_DEBUG="true",
    )  # fmt: skip
    assert "max_parallel" not in sqlite.stdout, sqlite.stderr
