"""How many projects an owner files for in a period is counted once per change of the project
set (reporting.progress.fileable_count), not on every opening of the filing page: the count
follows every write that can change it, at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import ProgramFactory, ProjectFactory, UnitFactory
from diaodu.org.choices import UnitKind
from diaodu.projects.models import Project
from diaodu.projects.services import BulkRow, do_write_projects_in_bulk
from diaodu.reporting import progress, services
from diaodu.reporting.choices import PeriodKind
from diaodu.reporting.models import ReportingPeriod

pytestmark = pytest.mark.today("2026-05-20")


@pytest.fixture
def shared(settings):
    settings.DIAODU_KEEP_FIGURES = True  # as with a cache every process shares
    cache.clear()


def _count(client, period, **query):
    """The total the filing page shows, and whether it counted the projects to show it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reporting:fill", args=[period.pk]), query)
    assert response.status_code == 200
    counted = any(_counts_projects(q["sql"]) for q in queries.captured_queries)
    return response.context["page"].paginator.count, counted


def _counts_projects(sql):
    return sql.upper().startswith("SELECT COUNT(") and '"projects_project"' in sql


def _fresh(user, period, query=""):
    projects = services.fileable(user, Project.objects.visible_to(user).filter(period.due()))
    if query:
        projects = projects.filter(name__contains=query)
    return projects.count()


def test_the_filing_page_counts_once_until_the_project_set_changes(city, period, shared):
    owner = login(city.users.owner)
    assert _count(owner, period) == (2, True)
    assert _count(owner, period) == (2, False)  # kept
    assert _count(owner, period, q="解放") == (1, True)  # each search its own
    assert _count(owner, period, q="解放") == (1, False)
    # A new project of the owner's, in the programme.
    project = ProjectFactory(owner=city.touzi, region=city.jiefang, lead_unit=city.jiaotong)
    assert _count(owner, period) == (2, True)  # created: counted again, not yet in a programme
    project.programs.add(city.program)
    assert _count(owner, period) == (3, True)
    # Given to another owner.
    project.owner = UnitFactory(kind=UnitKind.ENTERPRISE)
    project.save()
    assert _count(owner, period) == (2, True)
    # Back, then out of the programme, then deleted.
    project.owner = city.touzi
    project.save()
    assert _count(owner, period)[0] == 3
    project.programs.remove(city.program)
    assert _count(owner, period)[0] == 2
    project.programs.add(city.program)
    assert _count(owner, period)[0] == 3
    project.delete()
    assert _count(owner, period)[0] == 2


def test_a_programme_of_another_year_files_in_none_of_this_years_periods(city, period, shared):
    owner = login(city.users.owner)
    other = ProgramFactory(name="明年计划", code="next", year=2027)
    project = ProjectFactory(owner=city.touzi, region=city.jiefang, lead_unit=city.jiaotong)
    project.programs.add(other)
    assert _count(owner, period)[0] == 2
    other.year = 2026
    other.save()
    assert _count(owner, period)[0] == 3
    other.delete()
    assert _count(owner, period)[0] == 2


def test_projects_written_in_bulk_are_counted(city, period, shared):
    """The Excel import creates projects and their programmes in bulk, with no signal."""
    owner = login(city.users.owner)
    assert _count(owner, period)[0] == 2
    rows = [
        BulkRow(
            project=Project(
                name=f"导入项目{n}", owner=city.touzi, region=city.jiefang, lead_unit=city.jiaotong
            ),
            action="create",
            changes={"name": [None, f"导入项目{n}"]},
            programs={city.program.pk},
        )
        for n in range(3)
    ]
    do_write_projects_in_bulk(city.users.hq, rows, year=2026, reason="导入")
    assert _count(owner, period) == (5, True)


def test_each_owner_and_headquarters_count_their_own(city, period, shared):
    """Keyed by who files: headquarters every project due, an owner its own; nobody else files."""
    users = city.users
    for user in (users.hq, users.owner, users.leader, users.jiefang, users.inspector):
        for _twice in range(2):
            assert progress.fileable_count(
                period,
                user,
                services.fileable(user, Project.objects.visible_to(user).filter(period.due())),
            ) == _fresh(user, period), user.username
    assert _fresh(users.hq, period) == 4 and _fresh(users.leader, period) == 0


def test_without_a_shared_cache_every_opening_counts(city, period, settings):
    settings.DIAODU_KEEP_FIGURES = False
    owner = login(city.users.owner)
    assert _count(owner, period) == (2, True)
    assert _count(owner, period) == (2, True)


def test_a_period_counts_its_own(city, period, shared):
    owner = login(city.users.owner)
    assert _count(owner, period)[0] == 2
    update = ReportingPeriod.objects.create(
        program=ProgramFactory(name="专项", code="special", year=2026),
        kind=PeriodKind.UPDATE,
        start=period.start,
        end=period.end,
        due_date=period.due_date,
        opened_at=period.opened_at,
    )
    assert _count(owner, update) == (0, True)
