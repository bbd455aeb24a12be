"""Problems and tasks: scope, every transition with an allowed and a forbidden user, lights."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.notifications.models import Notification
from diaodu.problems import services
from diaodu.problems.choices import ProblemLevel, ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, Task
from diaodu.problems.stats import counts_by_unit
from diaodu.problems.warnings import light_filter, light_of, with_touch
from diaodu.projects.tests.test_api import api

TODAY = date(2026, 6, 10)


pytestmark = pytest.mark.today("2026-06-10")


def raise_problem(city, project=None, unit=None, days=10, actor=None):
    return services.do_raise_problem(
        actor or city.users.hq,
        project or city.projects.jiefang,
        description="用地指标未落实",
        category="land",
        responsible_unit=unit or city.jiefang,
        deadline=TODAY + timedelta(days=days),
    )


def assign(city, project=None, unit=None, days=10, actor=None):
    return services.do_assign_task(
        actor or city.users.hq,
        content="加快办理施工许可证",
        project=project or city.projects.jiefang,
        lead_unit=unit or city.jiaotong,
        deadline=TODAY + timedelta(days=days),
    )


# -- scope ---------------------------------------------------------------------------------

PROBLEM_SCOPE = {
    "hq": True,
    "leader": True,
    "inspector": True,
    "jiefang": True,
    "owner": True,
    "gaoxin": False,
    "jiaotong": True,
    "nobody": False,
}


@pytest.mark.parametrize("username", sorted(PROBLEM_SCOPE))
def test_problem_scope_on_page_and_api(city, username):
    problem = raise_problem(city)  # a 解放区 project, owned by 市投资集团, led by 交通运输局
    user = getattr(city.users, username)
    status = 200 if PROBLEM_SCOPE[username] else 404
    assert login(user).get(reverse("problems:problem", args=[problem.pk])).status_code == status
    assert api(user).get(f"/api/problems/{problem.pk}/").status_code == status
    listed = login(user).get(reverse("problems:problems")).context["page"].object_list
    assert (problem in listed) == PROBLEM_SCOPE[username]


def test_a_unit_sees_problems_assigned_to_it_outside_its_projects(city):
    problem = raise_problem(city, project=city.projects.gaoxin, unit=city.jiaotong)
    other = raise_problem(city, project=city.projects.city, unit=city.ziran)
    visible = set(Problem.objects.visible_to(city.users.jiaotong))
    assert problem in visible and other not in visible


def test_task_scope(city):
    task = assign(city, project=city.projects.gaoxin, unit=city.ziran)
    task.responsible_units.set([city.jiefang])
    assert task in Task.objects.visible_to(city.users.jiefang)  # responsible unit
    assert task in Task.objects.visible_to(city.users.gaoxin)  # its project
    assert task not in Task.objects.visible_to(city.users.owner)
    assert login(city.users.owner).get(reverse("problems:task", args=[task.pk])).status_code == 404
    assert api(city.users.owner).get(f"/api/tasks/{task.pk}/").status_code == 404


def test_anonymous(client, city):
    problem, task = raise_problem(city), assign(city)
    for url in (
        reverse("problems:problems"),
        reverse("problems:tasks"),
        reverse("problems:inbox"),
        reverse("problems:problem", args=[problem.pk]),
        reverse("problems:task", args=[task.pk]),
        reverse("problems:unit-counts"),
        reverse("notifications:list"),
    ):
        assert client.get(url).status_code == 302, url
    assert api().get("/api/problems/").status_code == 401
    assert api().get("/api/tasks/").status_code == 401


# -- the problem's life --------------------------------------------------------------------


def test_raise_needs_scope_and_valid_fields(city):
    with pytest.raises(PermissionDenied):
        raise_problem(city, actor=city.users.gaoxin)
    with pytest.raises(ValidationError):
        services.do_raise_problem(
            city.users.hq,
            city.projects.jiefang,
            description=" ",
            responsible_unit=city.jiefang,
            deadline=TODAY,
        )


def test_problem_transitions_allowed_and_forbidden(city):
    problem = raise_problem(city)
    with pytest.raises(PermissionDenied):
        services.do_accept_problem(city.users.gaoxin, problem)
    services.do_accept_problem(city.users.jiefang, problem)
    with pytest.raises(PermissionDenied):
        services.do_add_problem_follow_up(city.users.gaoxin, problem, "x")
    services.do_add_problem_follow_up(city.users.jiefang, problem, "已对接自然资源局")
    assert problem.status == ProblemStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        services.do_report_problem_solved(city.users.owner, problem)
    services.do_report_problem_solved(city.users.jiefang, problem, "指标已落实")
    with pytest.raises(PermissionDenied):  # the solver cannot strike it off
        services.do_verify_problem(city.users.jiefang, problem)
    with pytest.raises(PermissionDenied):
        services.do_send_back_problem(city.users.owner, problem, "没解决")
    with pytest.raises(ValidationError):
        services.do_send_back_problem(city.users.inspector, problem, "")
    services.do_send_back_problem(city.users.inspector, problem, "现场核查未落实")
    assert problem.status == ProblemStatus.IN_PROGRESS and problem.solved_by is None
    services.do_report_problem_solved(city.users.jiefang, problem)
    services.do_verify_problem(city.users.hq, problem, "核验通过")
    assert problem.status == ProblemStatus.VERIFIED and problem.verified_by == city.users.hq
    assert light_of(problem)[0] == Light.GREEN


def test_hq_cannot_verify_what_it_reported_solved(city):
    problem = raise_problem(city, unit=city.ziran)
    services.do_report_problem_solved(city.users.hq, problem)
    with pytest.raises(PermissionDenied):
        services.do_verify_problem(city.users.hq, problem)
    services.do_verify_problem(city.users.inspector, problem)


def test_escalation_reaches_the_leader(city):
    city.projects.jiefang.leaders.add(city.leader)
    problem = raise_problem(city)
    with pytest.raises(PermissionDenied):
        services.do_escalate_problem(city.users.gaoxin, problem, "协调不了")
    with pytest.raises(ValidationError):
        services.do_escalate_problem(city.users.jiefang, problem, "")
    services.do_escalate_problem(
        city.users.jiefang, problem, "需市级协调", ProblemLevel.CITY_LEADER
    )
    assert problem.level == ProblemLevel.CITY_LEADER
    assert problem.coordinating_leader == city.leader
    assert Notification.objects.filter(recipient=city.users.leader).exists()
    inbox = login(city.users.leader).get(reverse("problems:inbox"))
    assert problem in inbox.context["escalated"]
    with pytest.raises(ValidationError):
        services.do_escalate_problem(city.users.jiefang, problem, "再提级")
    services.do_report_problem_solved(city.users.jiefang, problem)
    services.do_verify_problem(city.users.leader, problem)  # the escalation level verifies


def test_the_whole_story_through_the_pages(city):
    """Owner raises from a report; jiefang's inbox; escalated to the leader; hq verifies."""
    from diaodu.reporting.models import ReportingPeriod
    from diaodu.reporting.services import do_save_report

    city.projects.jiefang.leaders.add(city.leader)
    period = ReportingPeriod.objects.create(
        start=date(2026, 6, 1),
        end=date(2026, 6, 30),
        due_date=date(2026, 6, 25),
        opened_at=timezone.now(),
    )
    report = do_save_report(
        city.users.owner, city.projects.jiefang, period, {"invested": "1"}
    ).report
    owner = login(city.users.owner)
    response = owner.post(
        reverse("reporting:report", args=[report.pk]),
        {
            "invested": "2",
            "version": report.version + 0,
            "problem-category": "land",
            "problem-description": "安置房用地尚未摘牌",
            "problem-responsible_unit": city.jiefang.pk,
            "problem-deadline": "2026-06-30",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get(report=report)
    assert problem.source == "report" and problem.raised_by == city.users.owner

    jiefang = login(city.users.jiefang)
    assert problem in jiefang.get(reverse("problems:inbox")).context["problems"]
    assert jiefang.get(reverse("home")).context["unread_notifications"] == 1
    jiefang.post(
        reverse("problems:problem-action", args=[problem.pk, "escalate"]),
        {"text": "需分包领导协调"},
    )
    problem.refresh_from_db()
    assert problem.level == ProblemLevel.DISTRICT_LEADER
    jiefang.post(
        reverse("problems:problem-action", args=[problem.pk, "escalate"]), {"text": "需市领导协调"}
    )
    leader = login(city.users.leader)
    assert problem in leader.get(reverse("problems:inbox")).context["escalated"]

    jiefang.post(
        reverse("problems:problem-action", args=[problem.pk, "solved"]), {"text": "已摘牌"}
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REPORTED_SOLVED
    response = jiefang.post(reverse("problems:problem-action", args=[problem.pk, "verify"]))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REPORTED_SOLVED  # refused for the solver
    login(city.users.hq).post(reverse("problems:problem-action", args=[problem.pk, "verify"]))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.VERIFIED


# -- the task's life -----------------------------------------------------------------------


def test_only_hq_leaders_and_inspectors_assign(city):
    for username in ("jiefang", "owner", "jiaotong"):
        with pytest.raises(PermissionDenied):
            assign(city, actor=getattr(city.users, username))
    assert assign(city, actor=city.users.leader).created_by == city.users.leader
    assert Notification.objects.filter(recipient=city.users.jiaotong).exists()


def test_task_transitions_allowed_and_forbidden(city):
    task = assign(city, actor=city.users.leader)
    with pytest.raises(PermissionDenied):
        services.do_accept_task(city.users.jiefang, task)
    services.do_accept_task(city.users.jiaotong, task)
    with pytest.raises(PermissionDenied):
        services.do_add_task_feedback(city.users.owner, task, "x")
    services.do_add_task_feedback(city.users.jiaotong, task, "已提交申请材料")
    assert task.status == TaskStatus.IN_PROGRESS and task.last_feedback_at
    with pytest.raises(PermissionDenied):
        services.do_report_task_done(city.users.gaoxin, task)
    services.do_report_task_done(city.users.jiaotong, task, "已取得施工许可证")
    with pytest.raises(PermissionDenied):
        services.do_verify_task(city.users.jiaotong, task)
    with pytest.raises(PermissionDenied):
        services.do_verify_task(city.users.owner, task)
    services.do_send_back_task(city.users.leader, task, "证件未见")
    assert task.status == TaskStatus.IN_PROGRESS
    services.do_report_task_done(city.users.jiaotong, task)
    services.do_verify_task(city.users.leader, task)
    assert task.status == TaskStatus.VERIFIED


def test_instruction_on_the_project_page_becomes_a_task(city):
    client = login(city.users.leader)
    page = client.get(reverse("projects:detail", args=[city.projects.jiefang.pk]))
    assert page.context["can_assign"]
    response = client.post(
        reverse("problems:task-new-project", args=[city.projects.jiefang.pk]),
        {
            "content": "月底前完成地下室封顶",
            "lead_unit": city.jiaotong.pk,
            "deadline": "2026-06-30",
            "supervision": "leader",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.source == "instruction" and task.project == city.projects.jiefang
    page = client.get(reverse("projects:detail", args=[city.projects.jiefang.pk]))
    assert task in page.context["tasks"]
    assert (
        login(city.users.owner)
        .get(reverse("problems:task-new-project", args=[city.projects.jiefang.pk]))
        .status_code
        == 403
    )


# -- lights --------------------------------------------------------------------------------


def test_overdue_is_red_with_its_reason_without_anyone_marking_it(city):
    task = assign(city, days=5)
    assert light_of(task)[0] == Light.GREEN
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 6, 18, 10))):
        light, reason = light_of(Task.objects.get(pk=task.pk))
        assert light == Light.RED and "3" in reason
        page = login(city.users.hq).get(reverse("problems:tasks"), {"light": "red"})
        assert [t.pk for t in page.context["page"].object_list] == [task.pk]


def test_yellow_near_deadline_or_without_feedback(city, settings):
    near = assign(city, days=2)
    assert light_of(near)[0] == Light.YELLOW
    settings.DIAODU_WARNING_DAYS = 1
    assert light_of(near)[0] == Light.GREEN
    idle = assign(city, days=60)
    Task.objects.filter(pk=idle.pk).update(created_at=timezone.now() - timedelta(days=20))
    idle.refresh_from_db()
    light, reason = light_of(idle)
    assert light == Light.YELLOW and "20" in reason


def test_database_filter_agrees_with_the_light(city):
    items = [assign(city, days=d) for d in (-3, 0, 2, 10, 40)]
    Task.objects.filter(pk=items[-1].pk).update(created_at=timezone.now() - timedelta(days=30))
    tasks = with_touch(Task.objects.all())
    for light in Light:
        expected = {t.pk for t in Task.objects.all() if light_of(t)[0] == light}
        assert (
            set(tasks.filter(light_filter(Task, light)).values_list("pk", flat=True)) == expected
        ), light


def test_counts_per_unit(city):
    on_time = raise_problem(city, days=5)
    services.do_report_problem_solved(city.users.jiefang, on_time)
    services.do_verify_problem(city.users.hq, on_time)
    raise_problem(city, days=-2)  # overdue
    late = raise_problem(city, days=-1)
    services.do_report_problem_solved(city.users.jiefang, late)
    services.do_verify_problem(city.users.hq, late)
    counts = counts_by_unit(Problem.objects.all(), Task.objects.all())[city.jiefang.pk]
    assert counts["problems"] == {
        "responsible_unit": city.jiefang.pk,
        "open": 1,
        "overdue": 1,
        "on_time": 1,
        "late": 1,
    }
    page = login(city.users.hq).get(reverse("problems:unit-counts"))
    assert page.status_code == 200


# -- pages ---------------------------------------------------------------------------------


def test_lists_and_boards_run_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    for _ in range(3):
        raise_problem(city)
        assign(city)
    client = login(city.users.hq)
    for url in (reverse("problems:problems"), reverse("problems:tasks")):
        with django_assert_max_num_queries(14):
            client.get(url)
        with django_assert_max_num_queries(14):
            client.get(url, {"view": "board"})
    for _ in range(10):
        raise_problem(city)
        assign(city)
    for url in (reverse("problems:problems"), reverse("problems:tasks")):
        with django_assert_max_num_queries(14):
            client.get(url)


def test_notifications_are_private_and_can_be_read(city):
    raise_problem(city)
    notification = Notification.objects.get(recipient=city.users.jiefang)
    assert (
        login(city.users.gaoxin)
        .get(reverse("notifications:open", args=[notification.pk]))
        .status_code
        == 404
    )
    client = login(city.users.jiefang)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_api_transitions_and_errors(city):
    city.projects.jiefang.leaders.add(city.leader)
    created = api(city.users.owner).post(
        "/api/problems/",
        {
            "project": city.projects.jiefang.pk,
            "category": "funding",
            "description": "专项债未到位",
            "responsible_unit": city.jiefang.pk,
            "deadline": "2026-06-20",
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api(city.users.gaoxin).post(f"/api/problems/{pk}/accept/").status_code == 404
    assert api(city.users.owner).post(f"/api/problems/{pk}/accept/").status_code == 403
    jiefang = api(city.users.jiefang)
    assert jiefang.post(f"/api/problems/{pk}/accept/").json()["status"] == "accepted"
    assert jiefang.post(f"/api/problems/{pk}/escalate/", {}).status_code == 400
    body = jiefang.post(f"/api/problems/{pk}/escalate/", {"text": "需协调"}).json()
    assert body["level"] == "district_leader"
    jiefang.post(f"/api/problems/{pk}/solved/", {"text": "已到位"})
    assert jiefang.post(f"/api/problems/{pk}/verify/").status_code == 403
    assert api(city.users.hq).post(f"/api/problems/{pk}/verify/").json()["status"] == "verified"
    task = api(city.users.hq).post(
        "/api/tasks/",
        {"content": "落实资金", "lead_unit": city.jiaotong.pk, "deadline": "2026-06-01"},
    )
    assert task.status_code == 201
    assert task.json()["light"] == "red"
    assert (
        api(city.users.owner)
        .post(
            "/api/tasks/", {"content": "x", "lead_unit": city.jiaotong.pk, "deadline": "2026-06-01"}
        )
        .status_code
        == 403
    )


@pytest.mark.parametrize("kind", ["problems", "tasks"])
def test_a_project_id_beyond_the_keys_is_refused_not_a_server_error(city, kind):
    """?project= larger than any key made the database fail (500); the API now says 400
    naming it and the page ignores it."""
    huge = str(2**70)
    answer = api(city.users.hq).get(f"/api/{kind}/", {"project": huge})
    assert answer.status_code == 400 and set(answer.json()) == {"project"}
    assert (
        login(city.users.hq).get(reverse(f"problems:{kind}"), {"project": huge}).status_code == 200
    )
    assert api(city.users.hq).get(f"/api/{kind}/", {"project": "-1"}).json()["count"] == 0
