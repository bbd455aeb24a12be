"""Problems and tasks on one base: the transition table says what the services do and what the
pages offer, and the database refuses a verifier who reported the work done."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from diaodu.conftest import login
from diaodu.problems import services, transitions
from diaodu.problems.choices import ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.tests.test_problems import TODAY, assign, raise_problem
from diaodu.problems.views import ACTIONS
from diaodu.projects.tests.test_api import api

pytestmark = pytest.mark.today(TODAY)

# -- the database keeps the verifier apart from whoever did the work -----------------------


def test_the_database_refuses_a_problem_verified_by_its_solver(city):
    problem = raise_problem(city)
    services.do_report_problem_solved(city.users.jiefang, problem, "指标已落实")
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(
            status=ProblemStatus.VERIFIED,
            verified_by=city.users.jiefang,
            verified_at=timezone.now(),
        )
    Problem.objects.filter(pk=problem.pk).update(verified_by=city.users.inspector)  # anyone else


def test_the_database_refuses_a_task_verified_by_whoever_did_it(city):
    task = assign(city)
    services.do_report_task_done(city.users.jiaotong, task, "已完成")
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(verified_by=city.users.jiaotong)
    Task.objects.filter(pk=task.pk).update(verified_by=city.users.hq)


def test_the_constraint_speaks_chinese_to_a_form(city):
    problem = raise_problem(city)
    services.do_report_problem_solved(city.users.jiefang, problem)
    problem.verified_by = city.users.jiefang
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        problem.full_clean()
    assert "不能核验" in " ".join(refused.value.messages)


# -- the table is the truth of the services and the pages ----------------------------------

PERSONAS = ["hq", "leader", "inspector", "jiefang", "owner", "gaoxin", "jiaotong"]


def _outcome(call):
    """What a service says, undone afterwards: "done", "denied" or "refused"."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return "done"
    except PermissionDenied:
        return "denied"
    except ValidationError:
        return "refused"


class _Undo(Exception):
    pass


def _problem_in(city, status):
    city.projects.jiefang.leaders.add(city.leader)
    problem = raise_problem(city)
    if status in {ProblemStatus.ACCEPTED, ProblemStatus.REPORTED_SOLVED}:
        services.do_accept_problem(city.users.jiefang, problem)
    if status == ProblemStatus.REPORTED_SOLVED:
        services.do_report_problem_solved(city.users.jiefang, problem)
    if status == ProblemStatus.VERIFIED:
        services.do_report_problem_solved(city.users.jiefang, problem)
        services.do_verify_problem(city.users.inspector, problem)
    return problem


def _task_in(city, status):
    task = assign(city)
    if status in {TaskStatus.IN_PROGRESS, TaskStatus.REPORTED_DONE}:
        services.do_add_task_feedback(city.users.jiaotong, task, "推进中")
    if status == TaskStatus.REPORTED_DONE:
        services.do_report_task_done(city.users.jiaotong, task)
    return task


@pytest.mark.parametrize(
    "status",
    [ProblemStatus.OPEN, ProblemStatus.ACCEPTED, ProblemStatus.REPORTED_SOLVED],
)
def test_a_problem_offers_exactly_what_its_services_allow(city, status):
    problem = _problem_in(city, status)
    assert problem.status == status
    for username in PERSONAS:
        user = getattr(city.users, username)
        offered = set(transitions.available(user, problem))
        for name, action in ACTIONS[Problem].items():
            step = transitions.PROBLEM_TRANSITIONS[name]
            args = () if step.text == transitions.NO_TEXT else ("说明情况",)
            fresh = Problem.objects.get(pk=problem.pk)
            outcome = _outcome(lambda: action.service(user, fresh, *args))  # noqa: B023
            assert (outcome == "done") == (name in offered), (username, name, outcome)


@pytest.mark.parametrize("status", [TaskStatus.ASSIGNED, TaskStatus.REPORTED_DONE])
def test_a_task_offers_exactly_what_its_services_allow(city, status):
    task = _task_in(city, status)
    for username in PERSONAS:
        user = getattr(city.users, username)
        offered = set(transitions.available(user, task))
        for name, action in ACTIONS[Task].items():
            step = transitions.TASK_TRANSITIONS[name]
            args = () if step.text == transitions.NO_TEXT else ("说明情况",)
            fresh = Task.objects.get(pk=task.pk)
            outcome = _outcome(lambda: action.service(user, fresh, *args))  # noqa: B023
            assert (outcome == "done") == (name in offered), (username, name, outcome)


def test_every_action_of_the_tables_is_on_the_page_and_the_api():
    from diaodu.problems.api import ProblemViewSet, TaskViewSet

    for model, viewset in ((Problem, ProblemViewSet), (Task, TaskViewSet)):
        assert set(ACTIONS[model]) == set(transitions.table(model))
        paths = {extra.url_path for extra in viewset.get_extra_actions()}
        assert set(transitions.table(model)) <= paths


def test_the_page_shows_the_buttons_of_the_table(city):
    problem = _problem_in(city, ProblemStatus.REPORTED_SOLVED)
    page = login(city.users.inspector).get(reverse("problems:problem", args=[problem.pk]))
    urls = [action["url"] for action in page.context["actions"]]
    assert urls == [
        reverse("problems:problem-action", args=[problem.pk, name])
        for name in ("follow-up", "verify", "send-back")
    ]
    html = page.content.decode()
    assert all(f'action="{url}"' in html for url in urls)
    page = login(city.users.owner).get(reverse("problems:problem", args=[problem.pk]))
    assert page.context["actions"] == []
    assert urls[1] not in page.content.decode()


def test_a_closed_item_offers_nothing(city):
    problem = _problem_in(city, ProblemStatus.VERIFIED)
    assert transitions.available(city.users.hq, problem) == []
    assert api(city.users.hq).post(f"/api/problems/{problem.pk}/accept/").status_code == 400
