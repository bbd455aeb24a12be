"""Two people acting on one problem or task at the same moment, with real concurrent
transactions on PostgreSQL: the second finds the state the first left, and is refused."""

import pytest

from diaodu.core.models import ChangeRecord
from diaodu.factories import UserFactory
from diaodu.problems import services
from diaodu.problems.choices import ProblemLevel, ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.tests.test_problems import assign, raise_problem
from diaodu.tests.concurrency import at_once as at_once_returning
from diaodu.tests.concurrency import on_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), on_postgresql]


def at_once(*calls):
    """Each call at the same moment; "done" or "refused" for each, in sorted order."""
    outcomes = at_once_returning(*calls)
    return sorted(o if isinstance(o, str) else "done" for o in outcomes)


@pytest.mark.parametrize("attempt", range(20))
def test_verifying_a_problem_twice_at_once_verifies_it_once(city, attempt):
    problem = raise_problem(city, unit=city.ziran)
    services.do_report_problem_solved(city.users.hq, problem)
    second = UserFactory(
        username=f"inspector{attempt}", role="inspector", unit=city.users.inspector.unit
    )
    verifiers = (city.users.inspector, second)
    outcomes = at_once(
        *[
            (lambda user=user: services.do_verify_problem(user, Problem.objects.get(pk=problem.pk)))
            for user in verifiers
        ]
    )
    assert outcomes == ["done", "refused"]
    assert Problem.objects.get(pk=problem.pk).status == ProblemStatus.VERIFIED
    verified = ChangeRecord.objects.filter(
        object_id=str(problem.pk), changes__status=[ProblemStatus.REPORTED_SOLVED, "verified"]
    )
    assert verified.count() == 1


@pytest.mark.parametrize("attempt", range(20))
def test_verifying_a_task_twice_at_once_verifies_it_once(city, attempt):
    task = assign(city, days=5)
    services.do_report_task_done(city.users.jiaotong, task)
    outcomes = at_once(
        *[
            (lambda user=user: services.do_verify_task(user, Task.objects.get(pk=task.pk)))
            for user in (city.users.hq, city.users.inspector)
        ]
    )
    assert outcomes == ["done", "refused"]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.VERIFIED


@pytest.mark.parametrize("attempt", range(20))
def test_escalating_twice_at_once_from_one_level_raises_it_one_level(city, attempt):
    problem = raise_problem(city, unit=city.jiefang)
    seen = problem.level
    outcomes = at_once(
        *[
            (
                lambda user=user: services.do_escalate_problem(
                    user, Problem.objects.get(pk=problem.pk), "协调不了", from_level=seen
                )
            )
            for user in (city.users.hq, city.users.jiefang)
        ]
    )
    assert outcomes == ["done", "refused"]
    assert Problem.objects.get(pk=problem.pk).level == ProblemLevel.DISTRICT_LEADER
