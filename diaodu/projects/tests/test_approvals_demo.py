"""The demo city's approvals: consistent with its milestones, with open clocks on /approvals/
and at least one past its limit turning its project's light."""

from django.test import Client

from diaodu.core.choices import Light
from diaodu.demo import builder
from diaodu.projects.choices import ApprovalKind, ApprovalStatus
from diaodu.projects.models import Approval, Milestone, Project


def signed_in(username) -> Client:
    client = Client()
    assert client.login(username=username, password=builder.PASSWORD)
    return client


def test_approvals_agree_with_the_milestones(demo_city):
    approvals = {(a.project_id, a.kind): a for a in Approval.objects.all()}
    checked = 0
    for milestone in Milestone.objects.filter(name__in=builder.MILESTONE_APPROVALS):
        kind = builder.MILESTONE_APPROVALS[milestone.name]
        approval = approvals.get((milestone.project_id, kind))
        if approval is None:
            continue
        checked += 1
        if milestone.actual_date:
            assert approval.status == ApprovalStatus.DONE, (milestone, approval)
            assert approval.completed_on == milestone.actual_date
        else:
            assert approval.status != ApprovalStatus.DONE, (milestone, approval)
    assert checked > 100
    # The permit of a project whose milestone 取得施工许可证 is met is done that day.
    permits = Milestone.objects.filter(name="取得施工许可证", actual_date__isnull=False)
    assert permits.exists()
    for milestone in permits:
        permit = approvals[(milestone.project_id, ApprovalKind.CONSTRUCTION_PERMIT)]
        assert permit.status == ApprovalStatus.DONE and permit.document_number
    for approval in approvals.values():
        approval.full_clean()


def test_the_queue_shows_open_clocks_and_an_overdue_one_turns_its_project(demo_city):
    response = signed_in("hq").get("/approvals/")
    page = response.context["page"]
    rows = list(page)
    assert page.paginator.count >= 10 and all(row.timing for row in rows)
    lights = {row.timing.light for row in rows}
    assert {Light.GREEN, Light.RED} <= lights
    overdue = rows[0]
    assert overdue.timing.light == Light.RED
    project = Project.objects.get(pk=overdue.project_id)
    assert project.light in {Light.RED, Light.YELLOW}
    assert any(overdue.get_kind_display() in reason for _l, reason in project.light_reasons)
    # The transport bureau's account has a queue of its own, and edits it.
    jiaotong = list(signed_in("jiaotong").get("/approvals/").context["page"])
    own = [row for row in jiaotong if row.responsible_department.code == "jiaotong"]
    assert own and all(row.editable for row in own)
    assert not any(row.editable for row in jiaotong if row not in own)
