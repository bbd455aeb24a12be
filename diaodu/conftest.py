"""Shared fixtures: a small city with a user of every role, and projects in two regions."""

import hashlib
import os
import shutil
import sqlite3
import sys
from dataclasses import asdict
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import translation

from diaodu.factories import (
    PASSWORD,
    AnnualPlanFactory,
    LeaderFactory,
    ProgramFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)
from diaodu.org.choices import Role, UnitKind

# A real browser and the site served to it (static files included), for the browser tests.
from diaodu.tests.browser import browser, live_server  # noqa: F401


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert "postgresql" in engine, "CI asked for PostgreSQL but the suite is not using it"
    config.addinivalue_line(
        "markers", "today(day): run the test and its fixtures at 10:00 on that day, clock stopped"
    )


# The test database on SQLite. Migrating an empty database takes seconds, in every worker of
# every run; the migrated database is kept in var/test-databases/, named by a digest of every
# migration (the project's and its libraries') and of the versions of Django and SQLite, and
# each worker copies it into its own in-memory database. A changed migration changes the name,
# so a stale copy is never used. PostgreSQL is set up as usual, by migrating.


def _migrations_digest() -> str:
    import django
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(f"{django.__version__} {sqlite3.sqlite_version}".encode())
    for key, migration in sorted(
        MigrationLoader(None, ignore_no_migrations=True).disk_migrations.items()
    ):
        digest.update(repr(key).encode())
        with open(sys.modules[migration.__module__].__file__, "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:24]


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":

    @pytest.fixture(scope="session")
    def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
        from django.test.utils import setup_databases, teardown_databases

        template = settings.VAR_DIR / "test-databases" / f"{_migrations_digest()}.sqlite3"
        with django_db_blocker.unblock():
            if template.exists():
                creation = connection.creation
                old_name = connection.settings_dict["NAME"]
                test_name = creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
                connection.close()
                settings.DATABASES[connection.alias]["NAME"] = test_name
                connection.settings_dict["NAME"] = test_name
                connection.ensure_connection()
                with sqlite3.connect(template) as source:
                    source.backup(connection.connection)
                source.close()
                db_cfg = [(connection, old_name, True)]
            else:
                db_cfg = setup_databases(
                    verbosity=0,
                    interactive=False,
                    aliases={connection.alias},
                    serialized_aliases=set(),
                )
                template.parent.mkdir(parents=True, exist_ok=True)
                partial = template.with_name(f"{template.name}.{os.getpid()}")
                target = sqlite3.connect(partial)
                connection.ensure_connection()
                connection.connection.backup(target)
                target.close()
                os.replace(partial, template)
        yield
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=0)


# The clock. The suite runs on the real clock, or, with DIAODU_TEST_TODAY=YYYY-MM-DD, as if the
# session started at 10:00 on that day (the clock then keeps running), to try it in years to come.
# Dates in factories and fixtures follow "today". A test that needs a particular day says so:
# `@pytest.mark.today("2026-05-20")` (or `pytestmark = ...` for a module) runs it, its fixtures
# included, at 10:00 on that day with the clock stopped; or it travels there itself.
_session_clock = None


def _ten_oclock(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def pytest_sessionstart(session):
    global _session_clock
    value = os.environ.get("DIAODU_TEST_TODAY", "").strip()
    if not value:
        return
    try:
        today = date.fromisoformat(value)
    except ValueError:
        message = f"DIAODU_TEST_TODAY is not a date (YYYY-MM-DD): {value!r}"
        raise pytest.UsageError(message) from None
    _session_clock = time_machine.travel(_ten_oclock(today), tick=True)
    _session_clock.start()


def pytest_sessionfinish(session):
    global _session_clock
    if _session_clock is not None:
        _session_clock.stop()
        _session_clock = None


def pytest_report_header(config):
    value = os.environ.get("DIAODU_TEST_TODAY", "").strip()
    return f"today: {value} (DIAODU_TEST_TODAY)" if value else None


@pytest.fixture(autouse=True)
def _the_day_of_the_test(request):
    """A test marked `today(day)` runs, fixtures included, at 10:00 on that day, clock stopped."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    (day,) = marker.args
    day = date.fromisoformat(day) if isinstance(day, str) else day
    with time_machine.travel(_ten_oclock(day), tick=False):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests sign in often; a slow hash only protects stored passwords, which tests have none of."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first(settings):
    """Each test starts in the default language, whatever an earlier test left active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(db):
    """解放区 (with a street under it) and 高新区, departments, an owner, projects and users.

    The programme and the projects' annual plans are of the year of "today"."""
    jiefang = UnitFactory(name="解放区", code="jiefang", kind=UnitKind.REGION)
    street = UnitFactory(name="焦南街道", code="jiaonan", kind=UnitKind.REGION, parent=jiefang)
    gaoxin = UnitFactory(name="高新区", code="gaoxin", kind=UnitKind.REGION)
    jiaotong = UnitFactory(name="交通运输局", code="jiaotong", kind=UnitKind.DEPARTMENT)
    ziran = UnitFactory(name="自然资源和规划局", code="ziran", kind=UnitKind.DEPARTMENT)
    touzi = UnitFactory(name="市投资集团", code="touzi", kind=UnitKind.ENTERPRISE)
    other_owner = UnitFactory(name="高新建投", code="gxjt", kind=UnitKind.ENTERPRISE)
    hq_unit = UnitFactory(name="指挥部办公室", code="hq", kind=UnitKind.HEADQUARTERS)
    ducha = UnitFactory(name="督查局", code="ducha", kind=UnitKind.INSPECTORATE)
    program = ProgramFactory(name="市重点项目", code="city")

    leader_user = UserFactory(username="leader", role=Role.LEADER)
    leader = LeaderFactory(name="王建国", user=leader_user)

    p_jiefang = ProjectFactory(name="解放区项目", region=jiefang, owner=touzi, lead_unit=jiaotong)
    p_street = ProjectFactory(name="街道项目", region=street, owner=other_owner, lead_unit=ziran)
    p_gaoxin = ProjectFactory(name="高新区项目", region=gaoxin, owner=other_owner, lead_unit=ziran)
    p_gaoxin.responsible_units.set([jiaotong])
    p_city = ProjectFactory(name="全市项目", region=None, owner=touzi, lead_unit=ziran)
    for project in (p_jiefang, p_street, p_gaoxin, p_city):
        project.programs.set([program])
        AnnualPlanFactory(project=project)
    p_gaoxin.leaders.set([leader])

    users = SimpleNamespace(
        hq=UserFactory(username="hq", role=Role.HEADQUARTERS, unit=hq_unit),
        leader=leader_user,
        inspector=UserFactory(username="inspector", role=Role.INSPECTOR, unit=ducha),
        jiefang=UserFactory(username="jiefang", role=Role.REGION, unit=jiefang),
        gaoxin=UserFactory(username="gaoxin", role=Role.REGION, unit=gaoxin),
        jiaotong=UserFactory(username="jiaotong", role=Role.DEPARTMENT, unit=jiaotong),
        owner=UserFactory(username="owner", role=Role.OWNER, unit=touzi),
        nobody=UserFactory(username="nobody", role="", unit=None),
    )
    return SimpleNamespace(
        jiefang=jiefang,
        street=street,
        gaoxin=gaoxin,
        jiaotong=jiaotong,
        ziran=ziran,
        touzi=touzi,
        program=program,
        leader=leader,
        users=users,
        projects=SimpleNamespace(jiefang=p_jiefang, street=p_street, gaoxin=p_gaoxin, city=p_city),
    )


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


# The demo city, built once per session. The tests that ask for `demo_city` share one build,
# made inside a transaction that stays open while they run (each of them in a savepoint of its
# own, rolled back after it, as with `db`) and rolled back after the last of them. They run
# first and one after another, so the other tests never see its rows.

DEMO_DAY = date(2026, 11, 20)  # the demo city's today: a Friday, the month's meeting to come


class _SharedDemo:
    """The demo city in a transaction kept open across the tests that use it."""

    def __init__(self, blocker, media):
        self.blocker = blocker
        self.media = media  # the files the build stored (the bulletin), copied for each test
        self.city = None
        self._atomic = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self):
        from diaodu.demo import builder

        shutil.rmtree(self.media, ignore_errors=True)
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            try:
                with (
                    time_machine.travel(_ten_oclock(DEMO_DAY), tick=False),
                    translation.override(settings.LANGUAGE_CODE),
                    override_settings(
                        MEDIA_ROOT=self.media,
                        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                    ),
                ):
                    self.city = builder.build(DEMO_DAY)
            except BaseException:
                self.close()
                raise

    def close(self):
        if self._atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None


_shared_demo: _SharedDemo | None = None


def _uses_demo(item) -> bool:
    return "demo_city" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The demo city's tests first, together, in the order they were given (after any shuffle)."""
    demo = [item for item in items if _uses_demo(item)]
    if demo:
        items[:] = demo + [item for item in items if not _uses_demo(item)]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    # A runner that splits the demo's tests (pytest-xdist by file) builds the city again.
    if _uses_demo(item) and _shared_demo is not None and not _shared_demo.is_open:
        _shared_demo.open()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if _shared_demo is not None and _uses_demo(item) and not _uses_demo(nextitem):
            _shared_demo.close()


@pytest.fixture(scope="session")
def _demo_city_session(django_db_setup, django_db_blocker, tmp_path_factory):
    global _shared_demo
    _shared_demo = _SharedDemo(django_db_blocker, tmp_path_factory.mktemp("demo") / "media")
    _shared_demo.open()
    yield _shared_demo
    _shared_demo.close()
    _shared_demo = None


@pytest.fixture
def demo_city(_demo_city_session, db, settings, _media_in_a_temporary_folder):
    """The demo city (diaodu.demo) as built at 10:00 on DEMO_DAY, with the clock running from
    then; what a test changes is rolled back after it. `demo_city.today` is the day."""
    shared = _demo_city_session
    assert shared.is_open, "the demo city's tests must run one after another"
    if shared.media.exists():
        shutil.copytree(shared.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    with time_machine.travel(_ten_oclock(DEMO_DAY)):
        yield SimpleNamespace(today=DEMO_DAY, **asdict(shared.city))


def pytest_terminal_summary(terminalreporter, config):
    """The order is random (pytest-randomly): say how to run the same order again."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.getoption("randomly_reorganize", False):
        terminalreporter.write_line(f"random order; to repeat it: --randomly-seed={seed}")
