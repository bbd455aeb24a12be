"""Two people acting on one problem or task at the same moment, with real concurrent
transactions on PostgreSQL: the second finds the state the first left, and is refused."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from diaodu.core.models import ChangeRecord
from diaodu.factories import UserFactory
from diaodu.problems import services
from diaodu.problems.choices import ProblemLevel, ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.tests.test_problems import assign, raise_problem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL, the production database")


def at_once(*calls):
    """Run each call in its own thread and transaction, released together; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except ValidationError:
            outcomes[index] = "refused"
        except Exception as error:  # anything else is a failure of the test, shown as such
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


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
