"""A live ranking is read, not computed: its indicators are kept until what they read changes
(diaodu/assessment/live.py, diaodu/core/kept.py), and what is read always equals what would be
computed."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from diaodu.assessment import indicators, live, services
from diaodu.assessment.choices import Group
from diaodu.assessment.tests import march
from diaodu.core import kept
from diaodu.factories import InspectionFactory, ProjectFactory
from diaodu.inspections.choices import Rating
from diaodu.problems import services as problem_services
from diaodu.projects.models import Project
from diaodu.projects.signals import facts_changed
from diaodu.reporting import services as reporting_services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.DIAODU_KEEP_FIGURES = True  # as with a cache every process shares


MARCH, TODAY = march.MARCH, march.TODAY


def queries(read) -> int:
    with CaptureQueriesContext(connection) as done:
        read()
    return len(done.captured_queries)


def test_the_second_read_is_a_read(town):
    computing = queries(lambda: services.compute(MARCH, Group.REGION, TODAY))
    reading = queries(lambda: services.compute(MARCH, Group.REGION, TODAY))
    assert reading < computing / 2, (reading, computing)
    assert live.values(MARCH, Group.REGION, TODAY) == indicators.compute(MARCH, Group.REGION, TODAY)


def _agrees():
    for group in Group.values:
        kept = live.values(MARCH, group, TODAY)
        assert kept == indicators.compute(MARCH, group, TODAY), group


def test_no_drift_after_a_sequence_of_changes(town):
    """After each change through the services, the models or a bulk write, what is read equals
    what is computed afresh."""
    _agrees()
    # A report returned and approved again with more invested.
    report = ProgressReport.objects.get(project=town.projects.gaoxin, period__end=MARCH.end)
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    ProgressReport.objects.filter(pk=report.pk).update(invested=Decimal("1200"))
    report.refresh_from_db()
    reporting_services.do_approve_report(town.users.gaoxin, report)
    _agrees()
    # A problem raised with a deadline in March, for a region's project.
    problem_services.do_raise_problem(
        town.users.hq,
        town.projects.jiefang,
        description="用地指标未落实",
        category="land",
        responsible_unit=town.jiefang,
        deadline=date(2026, 3, 20),
    )
    _agrees()
    # An inspection with findings; a new project; a project cancelled in bulk, then said so.
    InspectionFactory(project=town.projects.street, date=date(2026, 3, 18), rating=Rating.POOR)
    _agrees()
    ProjectFactory(name="新增项目", region=town.gaoxin, lead_unit=town.ziran)
    _agrees()
    Project.objects.filter(pk=town.projects.city.pk).update(stage="cancelled")
    facts_changed([town.projects.city.pk])
    _agrees()


def test_the_version_moves_on_at_once_and_again_at_the_commit(
    town, django_capture_on_commit_callbacks
):
    """What a reader computed between the change and its commit (from the rows before it) is
    not read after the commit."""
    before = kept.version()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            kept.changed()
            assert kept.version() == before + 1
    assert kept.version() == before + 2


def test_after_a_change_the_queue_computes_what_the_pages_read(
    town, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from unittest import mock

    from diaodu.core.tasks import warm_kept

    for group in Group.values:
        live.values(MARCH, group, TODAY)  # someone looked at them today
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker: the change asks the queue, once
    with mock.patch.object(warm_kept, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            ProjectFactory(name="新增项目", region=town.gaoxin, lead_unit=town.ziran)
            ProjectFactory(name="又一个项目", region=town.gaoxin, lead_unit=town.ziran)
    queued.assert_called_once_with(countdown=kept.WARM_AFTER)
    # The worker runs it: last month's, for both groups, are then read without a query.
    warm_kept.apply()
    for group in Group.values:
        with django_assert_max_num_queries(0):
            live.values(MARCH, group, TODAY)


def test_without_a_queue_nothing_is_computed_at_the_change(
    town, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_max_num_queries(5):
            ProjectFactory(name="新增项目", region=town.gaoxin, lead_unit=town.ziran)


def test_without_a_shared_cache_every_read_computes(town, settings):
    settings.DIAODU_KEEP_FIGURES = False
    computing = queries(lambda: services.compute(MARCH, Group.REGION, TODAY))
    assert queries(lambda: services.compute(MARCH, Group.REGION, TODAY)) == computing


def test_with_a_queue_a_live_page_reads_the_last_figures_a_while_and_publishing_never(
    town, settings, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """During the surge every save moves the version on: a live ranking reads the figures last
    computed (for up to kept.A_WHILE) while the queue computes the new ones; what is published
    is computed from the data as it is; past A_WHILE the reader computes."""
    from unittest import mock

    from diaodu.core.tasks import warm_kept

    settings.CELERY_TASK_ALWAYS_EAGER = False
    before = live.values(MARCH, Group.REGION, TODAY)

    def change(days):
        with django_capture_on_commit_callbacks(execute=True):
            problem_services.do_raise_problem(
                town.users.hq,
                town.projects.jiefang,
                description=f"用地指标未落实{days}",
                category="land",
                responsible_unit=town.jiefang,
                deadline=date(2026, 3, days),
            )

    with mock.patch.object(warm_kept, "apply_async") as queued:
        change(20)
        fresh = indicators.compute(MARCH, Group.REGION, TODAY)
        assert fresh != before
        with django_assert_max_num_queries(0):
            assert live.values(MARCH, Group.REGION, TODAY) == before
        assert live.values(MARCH, Group.REGION, TODAY, fresh=True) == fresh
        published = services.compute(MARCH, Group.REGION, TODAY, fresh=True)
        assert {e.unit_id: e.values for e in published.entries} == fresh
        queued.assert_called_once_with(countdown=kept.WARM_AFTER)
        warm_kept.apply()  # the worker
        assert live.values(MARCH, Group.REGION, TODAY) == fresh
        monkeypatch.setattr(kept, "A_WHILE", 0)
        change(21)
        assert live.values(MARCH, Group.REGION, TODAY) == indicators.compute(
            MARCH, Group.REGION, TODAY
        )


def test_during_a_surge_the_queue_warms_at_most_once_in_warm_every(
    town, settings, django_capture_on_commit_callbacks
):
    """The first burst is computed WARM_AFTER later; once a round has run, the next comes no
    sooner than WARM_EVERY after it began."""
    import time
    from unittest import mock

    from diaodu.core.tasks import warm_kept

    settings.CELERY_TASK_ALWAYS_EAGER = False
    live.values(MARCH, Group.REGION, TODAY)

    def burst(name):
        with mock.patch.object(warm_kept, "apply_async") as queued:
            with django_capture_on_commit_callbacks(execute=True):
                ProjectFactory(name=name, region=town.gaoxin, lead_unit=town.ziran)
        return queued.call_args.kwargs["countdown"]

    assert burst("一") == kept.WARM_AFTER
    result = warm_kept.apply()  # the round begins now
    assert result.successful(), result.traceback
    assert kept.WARM_EVERY - 2 <= burst("二") <= kept.WARM_EVERY
    warm_kept.apply()
    kept.cache.set(kept.WARMED_AT, time.time() - 600)  # as if that round began ten minutes ago
    assert burst("三") == kept.WARM_AFTER


def test_the_queue_warms_without_parallel_workers_on_postgresql(town, monkeypatch):
    from django.db import connection

    from diaodu.core.tasks import warm_kept

    def warm():
        if connection.vendor != "postgresql":
            return ["sqlite"]
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return [cursor.fetchone()[0]]

    monkeypatch.setattr(kept, "warm", warm)
    # SET LOCAL: for the round's transaction only (here inside the test's own, so not seen
    # ending).
    assert warm_kept.apply().get() in (["0"], ["sqlite"])
