"""Shared fixtures: a small city with a user of every role, and projects in two regions."""

import copy
import hashlib
import os
import shutil
import sqlite3
import sys
from contextlib import nullcontext
from dataclasses import asdict
from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import translation

from diaodu.core import logs
from diaodu.core.templatetags.diaodu import _fragments as kept_fragments
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
from diaodu.tests.browser import browser, live_server, signed_in  # noqa: F401


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert "postgresql" in engine, "CI asked for PostgreSQL but the suite is not using it"
    config.addinivalue_line(
        "markers", "today(day): run the test and its fixtures at 10:00 on that day, clock stopped"
    )
    # Given by pytest_collection_modifyitems; known here too when pytest-xdist is not loaded.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one worker")


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
# included, at 10:00 on that day with the clock stopped; or it travels there itself, in the test
# (a fixture that travels would run after the shared small city was built on another day).
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
def _an_empty_cache():
    """Each test starts with an empty cache: what an earlier test kept there (the indicators of
    a live ranking, throttles, lockouts, the unit codes of log lines) was about rows rolled back
    since."""
    cache.clear()
    logs._codes.clear()
    kept_fragments.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _build_city() -> SimpleNamespace:
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


# Shared builds. The demo city takes seconds to build and the small city (`city`) a few
# hundredths of a second, in a thousand tests. Each is built once for the tests that use it, in
# a transaction kept open while they run (each test in a savepoint of its own, rolled back
# after it, as with `db`) and rolled back after the last of them. The tests that share a build
# run one after another (pytest_collection_modifyitems): the demo city's first, then the small
# city's, grouped by the day they run on; the other tests never see the rows. A test that
# commits (transactional_db, live_server) builds its own small city, as a test did before.

DEMO_DAY = date(2026, 11, 20)  # the demo city's today: a Friday, the month's meeting to come

DEMO = ("demo",)
_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _marked_day(item) -> date | None:
    marker = item.get_closest_marker("today")
    if marker is None:
        return None
    (day,) = marker.args
    return date.fromisoformat(day) if isinstance(day, str) else day


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    ):
        return True
    return bool(_TRANSACTIONAL & set(getattr(item, "fixturenames", ())))


def _shared_key(item) -> tuple | None:
    """The build a test shares: the demo city, the small city of a day (None: the real
    clock's), or none."""
    names = getattr(item, "fixturenames", ())
    if "demo_city" in names:
        return DEMO
    if "city" in names and not _commits(item):
        return ("city", _marked_day(item))
    return None


class _SharedBuilds:
    """The one shared build open now, its transaction, and what it built."""

    def __init__(self, blocker, demo_media):
        self.blocker = blocker
        self.demo_media = demo_media  # the files the demo stored (the bulletin), for each test
        self.key: tuple | None = None
        self.value = None
        self._atomic = None

    def sync(self, key: tuple | None) -> None:
        """Open the build of `key`, closing another one first."""
        if self.key != key:
            self.close()
        if key is not None and self._atomic is None:
            self._open(key)

    def _open(self, key: tuple) -> None:
        if key == DEMO:
            shutil.rmtree(self.demo_media, ignore_errors=True)
            day, media = DEMO_DAY, self.demo_media
        else:
            day, media = key[1], settings.MEDIA_ROOT
        clock = time_machine.travel(_ten_oclock(day), tick=False) if day else nullcontext()
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.key = key
            try:
                with (
                    clock,
                    translation.override(settings.LANGUAGE_CODE),
                    override_settings(
                        MEDIA_ROOT=media,
                        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                    ),
                ):
                    if key == DEMO:
                        from diaodu.demo import builder

                        self.value = builder.build(DEMO_DAY)
                    else:
                        self.value = _build_city()
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        if self._atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self._atomic.__exit__(None, None, None)
        self._atomic = None
        self.key = self.value = None

    def copy_for(self, item):
        """What the test's key built (the small city copied, so a test that changes an object in
        memory leaves the next test's copy as built; asdict copies the demo's); None when the
        test builds its own."""
        key = _shared_key(item)
        if key is None or key != self.key:
            return None
        return self.value if key == DEMO else copy.deepcopy(self.value)


_shared: _SharedBuilds | None = None
_running: tuple | None = None  # the key of the test being set up


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The tests that share a build together, in the order they were given (after any
    shuffle): the demo city's first, then the small city's, day by day, then the others."""
    groups: dict[tuple | None, list] = {DEMO: []}
    for item in items:
        groups.setdefault(_shared_key(item), []).append(item)
    others = groups.pop(None, [])
    for key, group in groups.items():
        # pytest-xdist (--dist loadgroup, `make test`) gives a group to one worker: one build.
        for item in group:
            item.add_marker(pytest.mark.xdist_group("-".join(map(str, key))))
    items[:] = [item for group in groups.values() for item in group] + others


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    global _running
    _running = _shared_key(item)
    if _shared is not None:  # before the first test that shares one, opened by the fixture
        _shared.sync(_running)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if _shared is not None and (nextitem is None or _shared_key(nextitem) != _shared.key):
            _shared.close()


@pytest.fixture(scope="session")
def _shared_builds(django_db_setup, django_db_blocker, tmp_path_factory):
    global _shared
    _shared = _SharedBuilds(django_db_blocker, tmp_path_factory.mktemp("demo") / "media")
    _shared.sync(_running)
    yield _shared
    _shared.close()
    _shared = None


@pytest.fixture
def city(request, _shared_builds, db):
    """解放区 (with a street under it) and 高新区, departments, an owner, projects and users.

    The programme and the projects' annual plans are of the year of "today"."""
    return _shared_builds.copy_for(request.node) or _build_city()


@pytest.fixture
def demo_city(request, _shared_builds, db, settings, _media_in_a_temporary_folder):
    """The demo city (diaodu.demo) as built at 10:00 on DEMO_DAY, with the clock running from
    then; what a test changes is rolled back after it. `demo_city.today` is the day."""
    built = _shared_builds.copy_for(request.node)
    assert built is not None, "the demo city's tests must run one after another"
    if _shared_builds.demo_media.exists():
        shutil.copytree(_shared_builds.demo_media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    with time_machine.travel(_ten_oclock(DEMO_DAY)):
        yield SimpleNamespace(today=DEMO_DAY, **asdict(built))


def pytest_terminal_summary(terminalreporter, config):
    """The order is random (pytest-randomly): say how to run the same order again."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.getoption("randomly_reorganize", False):
        terminalreporter.write_line(f"random order; to repeat it: --randomly-seed={seed}")
