"""Every event that asks someone to act tells them, and only them: who is told and who is not
(an owner of another project, a region outside the area, the actor), with an event code, a
link and the facts; reminders are worked out from the state of things, so a job run twice tells
once and a job stopped for days tells what was missed, once, and the notice right for today."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from diaodu.assessment import services as assessment
from diaodu.assessment.periods import Window
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.factories import ProjectFactory, UnitFactory, UserFactory
from diaodu.inspections.services import do_record_inspection
from diaodu.meetings import services as meetings
from diaodu.monitoring.tasks import remind
from diaodu.notifications.models import Notification
from diaodu.org.choices import Role, UnitKind
from diaodu.problems import services as problems
from diaodu.problems.choices import ProblemLevel
from diaodu.projects.approvals import notify_time_limits
from diaodu.projects.choices import ApprovalKind, ApprovalStatus
from diaodu.projects.models import Approval, Program
from diaodu.reporting import services as reporting
from diaodu.reporting.models import ProgressReport, ReportingPeriod

# The stories below run from May to July 2026, from the day May's period opens.
pytestmark = pytest.mark.today("2026-05-03")


def told(event=None, **filters) -> set[str]:
    """The usernames told (of this event)."""
    notices = Notification.objects.filter(**filters)
    if event:
        notices = notices.filter(event=event)
    return set(notices.values_list("recipient__username", flat=True))


def titles(user, event=None) -> list[str]:
    notices = Notification.objects.filter(recipient=user).order_by("pk")
    if event:
        notices = notices.filter(event=event)
    return list(notices.values_list("title", flat=True))


def on(day: date):
    """Run as if it were 10:00 in Shanghai on that day."""
    return time_machine.travel(
        timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10)), tick=False
    )


@pytest.fixture
def gxjt(city):
    """高新建投's filer: it owns the street's and 高新区's projects, not 市投资集团's."""
    return UserFactory(username="gxjt", role=Role.OWNER, unit=city.projects.gaoxin.owner)


@pytest.fixture
def ziran_user(city):
    return UserFactory(username="ziran", role=Role.DEPARTMENT, unit=city.ziran)


@pytest.fixture
def may(city):
    """The monthly period of May 2026 (due on the 25th), opened on the 3rd."""
    with on(date(2026, 5, 3)):
        reporting.open_due_periods()
    return ReportingPeriod.objects.get(start=date(2026, 5, 1))


def submit(city, project, period, user=None):
    user = user or city.users.owner
    result = reporting.do_save_report(user, project, period, {"invested": "10"})
    return reporting.do_submit_report(user, result.report)


# -- periods and filings -------------------------------------------------------------------


def test_a_period_opened_tells_each_owner_once_of_its_own_projects(city, gxjt):
    with on(date(2026, 5, 3)):
        reporting.open_due_periods()
        reporting.open_due_periods()  # hourly: nothing twice
    period = ReportingPeriod.objects.get()
    assert told("period.opened") == {"owner", "gxjt"}  # not regions, departments, headquarters
    (notice,) = Notification.objects.filter(recipient=city.users.owner)
    assert notice.key == f"period:{period.pk}:opened"
    assert notice.url == reverse("reporting:fill", args=[period.pk])
    assert "2 个项目" in notice.title and "2026-05-25" in notice.title
    # 市投资集团 owns 解放区项目 and 全市项目; 高新建投's projects are not named to it.
    assert "解放区项目" in notice.body and "全市项目" in notice.body
    assert "高新区项目" not in notice.body


def test_filings_are_reminded_before_on_and_after_the_due_date(city, may, gxjt):
    Notification.objects.all().delete()
    with on(date(2026, 5, 21)):
        assert remind()["filings"] == 0  # four days before: nothing yet
    with on(date(2026, 5, 22)):
        assert remind()["filings"] == 4  # two projects for each owner
        assert remind()["filings"] == 0  # run twice: nothing twice
    assert titles(city.users.owner) == [
        "填报还有 3 天截止：全市项目，月度填报 2026年05月",
        "填报还有 3 天截止：解放区项目，月度填报 2026年05月",
    ]
    with on(date(2026, 5, 23)):
        submit(city, city.projects.jiefang, may)  # done meanwhile: not reminded again
        assert remind()["filings"] == 0
    with on(date(2026, 5, 25)):
        assert remind()["filings"] == 3
    assert titles(city.users.owner, "filing.today") == [
        "填报今日截止：全市项目，月度填报 2026年05月"
    ]
    with on(date(2026, 5, 26)):
        assert remind()["filings"] == 3
        assert remind()["filings"] == 0
    (late,) = Notification.objects.filter(recipient=city.users.owner, event="filing.late")
    assert late.title == "填报已逾期 1 天：全市项目，月度填报 2026年05月"
    assert late.key == f"filing:{may.pk}:{city.projects.city.pk}:late:0"
    assert late.url == reverse("reporting:fill", args=[may.pk])
    assert "市投资集团" in late.body and "2026-05-25" in late.body
    for day in (27, 28):
        with on(date(2026, 5, day)):
            assert remind()["filings"] == 0
    with on(date(2026, 5, 29)):  # three days on, still late: told again
        assert remind()["filings"] == 3
    assert titles(city.users.owner, "filing.late")[-1].startswith("填报已逾期 4 天")
    # Only each project's owner: regions, departments and headquarters are not reminded.
    assert told() == {"owner", "gxjt"}


def test_a_reminder_job_stopped_for_two_days_sends_what_was_missed_once(city, may, gxjt):
    Notification.objects.all().delete()
    with on(date(2026, 5, 21)):
        remind()
    # Stopped on the 22nd and 23rd: the "3 days left" moment passed; on the 24th, 1 day left.
    with on(date(2026, 5, 24)):
        assert remind()["filings"] == 4
        assert remind()["filings"] == 0
    assert titles(city.users.owner) == [
        "填报还有 1 天截止：全市项目，月度填报 2026年05月",
        "填报还有 1 天截止：解放区项目，月度填报 2026年05月",
    ]
    # Stopped on the 25th and 26th: on the 27th the one for today, late, never "due today".
    with on(date(2026, 5, 26)):
        submit(city, city.projects.gaoxin, may, gxjt)  # filed meanwhile
    with on(date(2026, 5, 27)):
        assert remind()["filings"] == 3
        assert remind()["filings"] == 0
    assert not Notification.objects.filter(event="filing.today").exists()
    assert told("filing.late") == {"owner", "gxjt"}
    assert titles(gxjt, "filing.late") == ["填报已逾期 2 天：街道项目，月度填报 2026年05月"]


def test_a_period_found_late_is_reminded_as_late_not_as_due_soon(city, gxjt):
    """A job down for the whole run-up never sends a stale "due in 3 days"."""
    with on(date(2026, 5, 3)):
        reporting.open_due_periods()
    Notification.objects.all().delete()
    with on(date(2026, 5, 30)):
        assert reporting.notify_filings() == 4
    assert {n.event for n in Notification.objects.all()} == {"filing.late"}
    assert all("逾期 5 天" in title for title in titles(city.users.owner))


def test_a_returned_report_is_still_to_file_a_draft_too(city, may, gxjt):
    with on(date(2026, 5, 20)):
        report = submit(city, city.projects.jiefang, may)
        reporting.do_return_report(city.users.jiefang, report, "投资与进度不符")
        reporting.do_save_report(gxjt, city.projects.gaoxin, may, {"invested": "5"})  # a draft
    Notification.objects.all().delete()
    with on(date(2026, 5, 22)):
        assert reporting.notify_filings() == 4


def test_closed_periods_and_projects_without_owner_accounts_are_not_reminded(city, may):
    Notification.objects.all().delete()
    with on(date(2026, 5, 22)):
        assert reporting.notify_filings() == 2  # 高新建投 has no account: only 市投资集团's two
        reporting.close_period(city.users.hq, may)
    with on(date(2026, 5, 26)):
        assert reporting.notify_filings() == 0


def test_settings_change_when_filings_are_reminded(city, may, settings):
    settings.DIAODU_FILING_REMIND_DAYS = 1
    settings.DIAODU_LATE_REPEAT_DAYS = 0  # late: once only
    Notification.objects.all().delete()
    with on(date(2026, 5, 22)):
        assert reporting.notify_filings() == 0
    with on(date(2026, 5, 24)):
        assert reporting.notify_filings() == 2
    for day in (26, 29, 31):
        with on(date(2026, 5, day)):
            reporting.notify_filings()
    assert len(titles(city.users.owner, "filing.late")) == 2  # one per project, once


# -- reports -------------------------------------------------------------------------------


def test_a_report_returned_or_approved_tells_its_owner(city, may, gxjt):
    with on(date(2026, 5, 20)):
        report = submit(city, city.projects.jiefang, may)
        Notification.objects.all().delete()
        reporting.do_return_report(city.users.jiefang, report, "投资与进度不符")
        assert told("report.returned") == {"owner"}  # not the reviewer, not 高新建投
        notice = Notification.objects.get(event="report.returned")
        assert "解放区项目" in notice.title and notice.body == "投资与进度不符"
        report = reporting.do_submit_report(city.users.owner, report)
        reporting.do_approve_report(city.users.jiefang, report)
        assert told("report.approved") == {"owner"}


# -- problems ------------------------------------------------------------------------------


def raise_problem(city, deadline, project=None, unit=None):
    return problems.do_raise_problem(
        city.users.hq,
        project or city.projects.jiefang,
        description="征地拆迁未完成",
        category="land",
        responsible_unit=unit or city.jiefang,
        deadline=deadline,
    )


def test_problem_events_tell_the_responsible_unit_the_leader_and_the_raiser(city):
    problem = raise_problem(city, date(2026, 6, 30), project=city.projects.gaoxin, unit=city.gaoxin)
    assert told("problem.assigned") == {"gaoxin"}  # not 解放区, not the raiser himself
    notice = Notification.objects.get(event="problem.assigned")
    assert notice.url == reverse("problems:problem", args=[problem.pk])
    assert "高新区项目" in notice.title and "2026-06-30" in notice.body and "高新区" in notice.body

    problems.do_escalate_problem(
        city.users.gaoxin, problem, "需市级协调", to_level=ProblemLevel.CITY_LEADER
    )
    assert told("problem.escalated") == {"leader"}
    assert "需市级协调" in Notification.objects.get(event="problem.escalated").body

    problems.do_report_problem_solved(city.users.gaoxin, problem, "已协调完毕")
    assert told("problem.reported_solved") == {"leader", "hq"}
    problems.do_send_back_problem(city.users.leader, problem, "现场仍未交地")
    assert told("problem.sent_back") == {"gaoxin"}
    assert "现场仍未交地" in Notification.objects.get(event="problem.sent_back").body

    problems.do_report_problem_solved(city.users.gaoxin, problem)
    problems.do_verify_problem(city.users.inspector, problem, "现场核实")
    assert told("problem.verified") == {"gaoxin", "hq"}  # the unit and the raiser, not the actor
    assert not told(recipient=city.users.jiefang) and not told(recipient=city.users.owner)


def test_problems_are_reminded_near_and_while_overdue_once_each(city):
    problem = raise_problem(city, date(2026, 6, 13))
    Notification.objects.all().delete()
    with on(date(2026, 6, 9)):
        assert problems.notify_deadlines() == 0
    with on(date(2026, 6, 10)):
        assert problems.notify_deadlines() == 1
        assert problems.notify_deadlines() == 0
    for day in (11, 12, 13):  # near was said; nothing until it is late
        with on(date(2026, 6, day)):
            assert problems.notify_deadlines() == 0
    with on(date(2026, 6, 14)):
        assert problems.notify_deadlines() == 1
    with on(date(2026, 6, 16)):
        assert problems.notify_deadlines() == 0
    with on(date(2026, 6, 17)):
        assert problems.notify_deadlines() == 1
    near, late, again = Notification.objects.order_by("pk")
    assert (near.event, near.key) == ("problem.near", f"problem:{problem.pk}:near")
    assert near.title.startswith("问题距完成时限还有 3 天：解放区项目")
    assert (late.key, again.key) == (
        f"problem:{problem.pk}:overdue:0",
        f"problem:{problem.pk}:overdue:1",
    )
    assert late.title.startswith("问题已逾期 1 天") and again.title.startswith("问题已逾期 4 天")
    assert told() == {"jiefang"}  # the responsible unit only


def test_a_problem_near_its_deadline_is_reminded_whatever_day_the_job_runs(city):
    """Not only exactly DIAODU_WARNING_DAYS before: the first run within them."""
    raise_problem(city, date(2026, 6, 13))
    Notification.objects.all().delete()
    with on(date(2026, 6, 12)):
        assert problems.notify_deadlines() == 1
    assert titles(city.users.jiefang) == ["问题距完成时限还有 1 天：解放区项目：征地拆迁未完成"]


def test_a_problem_missed_while_stopped_is_told_overdue_not_near(city):
    raise_problem(city, date(2026, 6, 13))
    Notification.objects.all().delete()
    with on(date(2026, 6, 15)):
        assert problems.notify_deadlines() == 1
        assert problems.notify_deadlines() == 0
    assert [n.event for n in Notification.objects.all()] == ["problem.overdue"]


def test_a_problem_reported_solved_or_verified_is_not_reminded(city):
    problem = raise_problem(city, date(2026, 6, 13))
    problems.do_report_problem_solved(city.users.jiefang, problem)
    Notification.objects.all().delete()
    with on(date(2026, 6, 20)):
        assert problems.notify_deadlines() == 0


# -- tasks ---------------------------------------------------------------------------------


def assign(city, deadline, **values):
    values.setdefault("project", city.projects.jiefang)
    return problems.do_assign_task(
        city.users.hq,
        content="完成管线迁改",
        lead_unit=city.jiaotong,
        responsible_units=[city.ziran],
        deadline=deadline,
        **values,
    )


def test_task_events_tell_the_lead_and_responsible_units(city, ziran_user):
    task = assign(city, date(2026, 6, 30))
    assert told("task.assigned") == {"jiaotong", "ziran"}
    notice = Notification.objects.get(event="task.assigned", recipient=ziran_user)
    assert notice.key == f"task:{task.pk}:assigned"
    assert notice.url == reverse("problems:task", args=[task.pk])
    assert "解放区项目" in notice.body and "交通运输局" in notice.body
    assert "2026-06-30" in notice.body

    problems.do_report_task_done(city.users.jiaotong, task, "已完成")
    assert told("task.reported_done") == {"hq"}
    problems.do_send_back_task(city.users.hq, task, "未见验收资料")
    assert told("task.sent_back") == {"jiaotong", "ziran"}
    problems.do_report_task_done(city.users.jiaotong, task)
    problems.do_verify_task(city.users.inspector, task, "资料齐全")
    assert told("task.verified") == {"jiaotong", "ziran"}
    assert not told(recipient=city.users.gaoxin) and not told(recipient=city.users.owner)


def test_tasks_are_reminded_near_and_overdue(city, ziran_user):
    task = assign(city, date(2026, 6, 13))
    Notification.objects.all().delete()
    with on(date(2026, 6, 11)):
        assert problems.notify_deadlines() == 2
        assert problems.notify_deadlines() == 0
    with on(date(2026, 6, 14)):
        assert problems.notify_deadlines() == 2
    assert told("task.near") == told("task.overdue") == {"jiaotong", "ziran"}
    assert titles(ziran_user) == [
        "任务距完成时限还有 2 天：完成管线迁改",
        "任务已逾期 1 天：完成管线迁改",
    ]
    problems.do_report_task_done(city.users.jiaotong, task)
    Notification.objects.all().delete()
    with on(date(2026, 6, 30)):
        assert problems.notify_deadlines() == 0


def test_the_daily_job_run_twice_on_a_day_tells_each_reminder_once(city, may, gxjt, ziran_user):
    raise_problem(city, date(2026, 5, 24))
    assign(city, date(2026, 5, 20))
    Notification.objects.all().delete()
    with on(date(2026, 5, 22)):
        first = remind()
        assert remind() == {"filings": 0, "reminders": 0, "approvals": 0}
    assert first == {"filings": 4, "reminders": 3, "approvals": 0}
    keys = list(Notification.objects.values_list("recipient_id", "key"))
    assert len(keys) == len(set(keys)) == 7


def test_the_reminder_job_costs_few_queries_on_many_projects(city, django_assert_max_num_queries):
    """A constant number of queries to find what is due and who was told; then one `notify`
    per notice sent. A second run, with nothing new, costs the same few whatever the size."""
    program = Program.objects.get(code="city")
    for n in range(30):
        owner = UnitFactory(name=f"建设单位{n}", code=f"owner-{n}", kind=UnitKind.ENTERPRISE)
        UserFactory(username=f"filer{n}", role=Role.OWNER, unit=owner)
        project = ProjectFactory(region=city.jiefang, owner=owner, lead_unit=city.jiaotong)
        project.programs.set([program])
        raise_problem(city, date(2026, 5, 20 + n % 5), project=project)
        assign(city, date(2026, 5, 20 + n % 5), project=project)
    with on(date(2026, 5, 3)):
        reporting.open_due_periods()
    Notification.objects.all().delete()
    with on(date(2026, 5, 22)):
        notices = 32 + 30 + 30  # filings (30 new owners, 2 of 市投资集团), problems, tasks
        with django_assert_max_num_queries(25 + 6 * notices):
            sent = remind()
        assert sum(sent.values()) == 32 + 30 + 30
        with django_assert_max_num_queries(20):
            assert sum(remind().values()) == 0


# -- approvals, inspections ----------------------------------------------------------------


def test_an_approval_past_its_limit_tells_its_department_once(city, ziran_user):
    approval = Approval.objects.create(
        project=city.projects.jiefang,
        kind=ApprovalKind.CONSTRUCTION_PERMIT,
        responsible_department=city.jiaotong,
        status=ApprovalStatus.IN_PROGRESS,
        applied_on=date(2026, 5, 4),
        time_limit_days=5,
    )
    assert notify_time_limits(date(2026, 6, 1)) == 1
    Approval.objects.filter(pk=approval.pk).update(notified_light="")  # as if run at once
    assert notify_time_limits(date(2026, 6, 1)) == 0
    notice = Notification.objects.get()
    assert (notice.recipient, notice.event) == (city.users.jiaotong, "approval.past_limit")
    assert notice.key.startswith(f"approval:{approval.pk}:red:")


def test_an_inspection_finding_progress_overstated_tells_the_owner_and_the_region(city, may):
    # A department account in 市投资集团 does not file its projects: it is not told.
    UserFactory(username="touzi-dept", role=Role.DEPARTMENT, unit=city.touzi)
    with on(date(2026, 5, 20)):
        report = submit(city, city.projects.jiefang, may)
        ProgressReport.objects.filter(pk=report.pk).update(physical_percent=Decimal("60"))
        Notification.objects.all().delete()
        inspection = do_record_inspection(
            city.users.inspector,
            city.projects.jiefang,
            date=date(2026, 5, 20),
            inspectors="张三",
            findings="现场进度滞后",
            rating="poor",
            verified_percent=Decimal("30"),
        )
    assert told("inspection.overstated") == {"owner", "jiefang"}  # not 高新区, not the inspector
    notice = Notification.objects.get(recipient=city.users.owner)
    assert notice.key == f"inspection:{inspection.pk}:overstated"
    assert "60" in notice.body and "30" in notice.body


# -- rankings and bulletins ----------------------------------------------------------------


def test_a_ranking_published_tells_every_unit_once(city, gxjt):
    window = Window.parse("2026-03")
    with on(date(2026, 4, 15)):
        assessment.do_publish_ranking(city.users.hq, window, "region")
        assessment.do_publish_ranking(city.users.hq, window, "region")  # published again
    everyone = {"inspector", "jiefang", "gaoxin", "jiaotong", "owner", "gxjt"}
    assert told("ranking.published") == everyone  # not the publisher, not a user with no unit
    assert Notification.objects.filter(recipient=city.users.owner).count() == 1
    notice = Notification.objects.get(recipient=city.users.owner)
    assert notice.key == "ranking:2026-03:region"
    assert notice.url == reverse("assessment:rankings") + "?period=2026-03&group=region"


def test_a_bulletin_issued_tells_every_unit_with_the_link_to_download_it(city):
    with on(date(2026, 4, 15)):
        bulletin = do_issue_bulletin(city.users.hq, Window.parse("2026-03"))
    everyone = {"inspector", "jiefang", "gaoxin", "jiaotong", "owner"}
    assert told("bulletin.issued") == everyone
    notice = Notification.objects.get(event="bulletin.issued", recipient=city.users.owner)
    assert notice.url == reverse("assessment:bulletin-download", args=[bulletin.pk])
    assert notice.key == f"bulletin:{bulletin.pk}:issued"
    # Issuing published both groups' rankings first: each told once too.
    assert Notification.objects.filter(recipient=city.users.owner).count() == 3


# -- meetings ------------------------------------------------------------------------------


def schedule(city, **data):
    data.setdefault("title", "重点项目调度会")
    data.setdefault("date", date(2026, 6, 12))
    data.setdefault("place", "市政府三楼会议室")
    return meetings.do_create_meeting(city.users.hq, **data)


def test_a_meeting_scheduled_tells_the_units_attending_and_on_its_agenda(city, gxjt):
    with on(date(2026, 6, 10)):
        meeting = schedule(
            city,
            attending_units=[city.jiaotong],
            projects=[city.projects.jiefang],
            chair=city.leader,
        )
    # The attending department, the chair, the named project's owner and region.
    assert told("meeting.scheduled") == {"jiaotong", "leader", "owner", "jiefang"}
    notice = Notification.objects.get(recipient=city.users.owner)
    assert notice.url == reverse("meetings:detail", args=[meeting.pk])
    assert reverse("meetings:agenda-docx", args=[meeting.pk]) in notice.body
    assert "2026-06-12" in notice.title and "市政府三楼会议室" in notice.body

    with on(date(2026, 6, 10)):  # a unit added: only it is told
        meetings.do_update_meeting(
            city.users.hq, meeting, attending_units=[city.jiaotong, city.gaoxin]
        )
    assert Notification.objects.filter(recipient=city.users.jiaotong).count() == 1
    assert told("meeting.scheduled", recipient=city.users.gaoxin) == {"gaoxin"}
    with on(date(2026, 6, 10)):  # moved: everyone again, with the new date
        meetings.do_update_meeting(city.users.hq, meeting, date=date(2026, 6, 15))
    assert titles(city.users.owner)[-1].startswith("2026-06-15 召开会议")


def test_a_meeting_tells_nobody_outside_its_scope(city, gxjt):
    other = Program.objects.create(name="省重点项目", code="province", year=2026)
    with on(date(2026, 6, 10)):
        schedule(city, regions=[city.jiefang])
        # 高新区 is in this one's regions, but none of its projects is in the programme.
        schedule(city, regions=[city.gaoxin], programs=[other])
        schedule(city, date=date(2026, 6, 1), attending_units=[city.gaoxin])  # held already
    assert told("meeting.scheduled") == {"jiefang"}


def test_tasks_confirmed_at_a_meeting_tell_each_task_s_units_once(city):
    with on(date(2026, 6, 10)):
        meeting = schedule(city)
        Notification.objects.all().delete()
        rows = [
            {"content": f"任务{n}", "lead_unit": city.jiaotong, "deadline": date(2026, 7, n)}
            for n in (1, 2)
        ]
        tasks = meetings.do_confirm_tasks(city.users.hq, meeting, rows)
    keys = sorted(Notification.objects.values_list("recipient__username", "key"))
    assert keys == [("jiaotong", f"task:{task.pk}:assigned") for task in tasks]
