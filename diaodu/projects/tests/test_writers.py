"""The other writers of projects go through the same services: admin, scheduling, the import."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.core.models import ChangeRecord
from diaodu.exchange.importer import ProjectImport
from diaodu.exchange.tests.test_import import check, run
from diaodu.factories import MilestoneFactory, ProgramFactory
from diaodu.monitoring.lights import refresh_lights
from diaodu.projects.models import AnnualPlan, Project
from diaodu.projects.schedule import TEMPLATES, do_apply_schedule

TODAY = timezone.localdate()


# -- backward scheduling ---------------------------------------------------------------------


def test_scheduling_checks_permission_and_refreshes_the_light(city):
    project = city.projects.jiefang
    target = TODAY + timedelta(days=10)  # the earlier milestones fall in the past: overdue
    with pytest.raises(PermissionDenied):
        do_apply_schedule(city.users.owner, project, "building", target, TODAY)
    with pytest.raises(PermissionDenied):
        do_apply_schedule(city.users.gaoxin, project, "building", target, TODAY)
    with pytest.raises(PermissionDenied):  # the region plans milestones one by one
        do_apply_schedule(city.users.jiefang, project, "building", target, TODAY)
    changed = do_apply_schedule(city.users.hq, project, "building", target, TODAY)
    assert changed == len(TEMPLATES["building"])
    project.refresh_from_db()
    assert project.light == Light.RED and project.light_computed_at is not None
    records = ChangeRecord.objects.filter(project=project, content_type__model="milestone")
    assert records.count() == changed and "倒排工期" in records.first().reason


def test_scheduling_keeps_met_milestones(city):
    project = city.projects.jiefang
    met = MilestoneFactory(
        project=project,
        name="开工建设",
        planned_date=TODAY - timedelta(days=60),
        actual_date=TODAY - timedelta(days=59),
    )
    target = TODAY + timedelta(days=400)
    do_apply_schedule(city.users.hq, project, "building", target, TODAY)
    met.refresh_from_db()
    assert met.planned_date == TODAY - timedelta(days=60)
    # Applied again with the same target: nothing changes, nothing recorded.
    before = ChangeRecord.objects.count()
    assert do_apply_schedule(city.users.hq, project, "building", target, TODAY) == 0
    assert ChangeRecord.objects.count() == before


# -- the admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(city):
    hq = city.users.hq
    hq.is_staff = hq.is_superuser = True
    hq.save()
    return login(hq)


def _project_form(city, project, **changes):
    data = {
        "name": project.name,
        "category": project.category,
        "stage": project.stage,
        "region": project.region_id or "",
        "owner": project.owner_id or "",
        "lead_unit": project.lead_unit_id or "",
        "total_investment": str(project.total_investment),
        "programs": [p.pk for p in project.programs.all()] if project.pk else [],
    }
    for prefix in ("annual_plans", "milestones", "approvals", "funding_lines"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    data.update(changes)
    return data


def test_admin_moves_a_programme_only_with_a_reason(city, admin_client):
    project = city.projects.jiefang
    other = ProgramFactory(name="省重点项目", code="province")
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, _project_form(city, project, programs=[other.pk]))
    assert response.status_code == 200 and "reason" in response.context["adminform"].form.errors
    assert list(project.programs.all()) == [city.program]
    response = admin_client.post(
        url, _project_form(city, project, programs=[other.pk], reason="调入省重点")
    )
    assert response.status_code == 302
    assert list(project.programs.all()) == [other]
    record = ChangeRecord.objects.get(project=project, reason="调入省重点")
    assert record.changes["programs"] == [[str(city.program)], [str(other)]]
    project.refresh_from_db()
    assert project.light_computed_at is not None


def test_admin_creates_a_project_through_the_service(city, admin_client):
    data = _project_form(city, Project(name="后台新建", total_investment=0, category="industry"))
    response = admin_client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302
    project = Project.objects.get(name="后台新建")
    assert ChangeRecord.objects.filter(project=project, action="create").exists()
    assert project.light_computed_at is not None


def test_admin_plan_with_months(city, admin_client):
    plan = AnnualPlan.objects.get(project=city.projects.jiefang, year=TODAY.year)
    url = reverse("admin:projects_annualplan_change", args=[plan.pk])
    data = {
        "planned_investment": "1200",
        "targets": "",
        **{f"month_{m}": "50" for m in range(1, 13)},
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200  # 600 is not 1200
    assert "planned_investment" in response.context["adminform"].form.errors
    data["planned_investment"] = "600"
    assert admin_client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.planned_investment == 600 and plan.months.count() == 12


def test_admin_refuses_staff_who_are_not_headquarters(city):
    user = city.users.jiefang
    user.is_staff = user.is_superuser = False
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(codename="change_project"))
    client = login(user)
    project = city.projects.gaoxin  # not in 解放区
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = client.post(url, _project_form(city, project, name="改名"))
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "高新区项目"


# -- the import ------------------------------------------------------------------------------


def test_import_by_a_region_follows_the_same_rules(city):
    rows = [["项目名称", "所在县区", "项目阶段"], ["解放区项目", "解放区", "竣工"]]
    _importer, plan = check(city.users.jiefang, rows)
    assert [p.column for p in plan.problems] == ["项目阶段"]
    rows = [["项目名称", "所在县区", "项目阶段"], ["新谋划项目", "解放区", "储备"]]
    plan = run(city.users.jiefang, rows)
    assert Project.objects.get(name="新谋划项目").stage == "reserve"
    rows = [["项目名称", "所在县区", "项目阶段"], ["新续建项目", "解放区", "续建"]]
    _importer, plan = check(city.users.jiefang, rows)
    assert [p.column for p in plan.problems] == ["项目阶段"]
    rows = [["项目名称", "所在县区", "所属计划"], ["解放区项目", "解放区", "市重点项目"]]
    other = ProgramFactory(name="省重点项目", code="province")
    rows[1][2] = other.name
    _importer, plan = check(city.users.jiefang, rows, year=TODAY.year)
    assert plan.problems and "计划" in plan.problems[0].message
    _importer, plan = check(
        city.users.jiefang, [["项目名称", "所在县区"], ["解放区项目", "解放区"]], program=other
    )
    assert plan.problems[0].row == 0


def test_import_writes_history_and_lights_through_the_bulk_service(city):
    project = city.projects.jiefang
    MilestoneFactory(project=project, planned_date=TODAY - timedelta(days=3))
    plan = run(
        city.users.hq, [["项目名称", "所在县区", "总投资（万元）"], ["解放区项目", "解放区", 9]]
    )
    assert plan.counts["updated"] == 1
    project.refresh_from_db()
    assert project.light == Light.YELLOW and project.total_investment == 9
    assert ChangeRecord.objects.get(project=project).changes["total_investment"] == [
        "10000.00",
        "9.00",
    ]


def test_the_bulk_service_refuses_a_row_the_user_may_not_write(city):
    from diaodu.projects.services import BulkRow, do_write_projects_in_bulk

    project = city.projects.gaoxin
    project.name = "改名"
    row = BulkRow(project=project, action="update", changes={"name": ["高新区项目", "改名"]})
    with pytest.raises(PermissionDenied):
        do_write_projects_in_bulk(city.users.jiefang, [row], year=TODAY.year, reason="x")
    assert Project.objects.get(pk=project.pk).name == "高新区项目"
    with pytest.raises(PermissionDenied):
        ProjectImport(city.users.owner)
    refresh_lights([project.pk])


def test_admin_inline_rows_go_through_their_services(city, admin_client):
    from diaodu.factories import ApprovalFactory, FundingLineFactory

    project = city.projects.jiefang
    approval = ApprovalFactory(project=project, responsible_department=city.jiaotong)
    line = FundingLineFactory(project=project)
    data = _project_form(city, project)
    data.update(
        {
            "approvals-TOTAL_FORMS": 1,
            "approvals-INITIAL_FORMS": 1,
            "approvals-0-id": approval.pk,
            "approvals-0-project": project.pk,
            "approvals-0-kind": approval.kind,
            "approvals-0-responsible_department": city.jiaotong.pk,
            "approvals-0-status": "in_progress",
            "approvals-0-applied_on": (TODAY - timedelta(days=3)).isoformat(),
            "approvals-0-document_number": "焦发改〔2026〕1号",
            "funding_lines-TOTAL_FORMS": 1,
            "funding_lines-INITIAL_FORMS": 1,
            "funding_lines-0-id": line.pk,
            "funding_lines-0-project": project.pk,
            "funding_lines-0-source": line.source,
            "funding_lines-0-planned": "5000.00",
            "funding_lines-0-secured": "3000.00",
            "funding_lines-0-disbursed": "2000.00",
        }
    )
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    approval.refresh_from_db()
    line.refresh_from_db()
    assert approval.document_number == "焦发改〔2026〕1号" and line.disbursed == 2000
    models = set(
        ChangeRecord.objects.filter(project=project).values_list("content_type__model", flat=True)
    )
    assert {"approval", "fundingline"} <= models
