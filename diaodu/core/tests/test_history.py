"""Every change to a project and what it carries is recorded and readable on the project page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core.models import Action, ChangeRecord
from diaodu.core.services import do_delete, do_save
from diaodu.factories import MilestoneFactory
from diaodu.projects.choices import Stage
from diaodu.projects.models import FundingLine


def test_update_records_field_changes_with_actor(city):
    project = city.projects.jiefang
    project.stage = Stage.COMPLETED
    project.total_investment = Decimal("12000")
    do_save(city.users.hq, project, reason="竣工验收")
    change = ChangeRecord.objects.get(project=project, action=Action.UPDATE)
    assert change.actor == city.users.hq
    assert change.changes == {
        "stage": ["continuing", "completed"],
        "total_investment": ["10000.00", "12000.00"],
    }
    assert change.reason == "竣工验收"


def test_saving_without_changes_records_nothing(city):
    do_save(city.users.hq, city.projects.jiefang)
    assert not ChangeRecord.objects.filter(project=city.projects.jiefang).exists()


def test_many_to_many_changes_are_recorded(city):
    project = city.projects.jiefang
    do_save(city.users.hq, project, m2m={"responsible_units": [city.ziran]})
    change = ChangeRecord.objects.get(project=project)
    assert change.changes == {"responsible_units": [[], ["自然资源和规划局"]]}


def test_child_objects_are_recorded_on_their_project(city):
    project = city.projects.gaoxin
    line = do_save(city.users.hq, FundingLine(project=project, source="special_bond", planned=5))
    do_delete(city.users.hq, line)
    actions = list(ChangeRecord.objects.filter(project=project).values_list("action", flat=True))
    assert actions == [Action.DELETE, Action.CREATE]


def test_do_save_validates(city):
    from django.core.exceptions import ValidationError

    project = city.projects.jiefang
    project.national_code = "bad"
    with pytest.raises(ValidationError):
        do_save(city.users.hq, project)
    assert not ChangeRecord.objects.exists()


def test_admin_edit_is_recorded_and_shown_on_the_project_page(city):
    hq = city.users.hq
    hq.is_staff = hq.is_superuser = True
    hq.save()
    client = login(hq)
    project = city.projects.jiefang
    milestone = MilestoneFactory(project=project, name="主体封顶")
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": project.name,
        "category": "transport",
        "stage": "continuing",
        "region": city.jiefang.pk,
        "owner": city.touzi.pk,
        "lead_unit": city.jiaotong.pk,
        "total_investment": "10000.00",
        "programs": [city.program.pk],
        "national_code": "2111-522323-04-01-342067",
    }
    for prefix, rows in [
        ("annual_plans", 1),
        ("milestones", 1),
        ("approvals", 0),
        ("funding_lines", 0),
    ]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": rows,
                f"{prefix}-INITIAL_FORMS": rows,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    plan = project.annual_plans.get()
    data.update(
        {
            "annual_plans-0-id": plan.pk,
            "annual_plans-0-project": project.pk,
            "annual_plans-0-year": plan.year,
            "annual_plans-0-planned_investment": "1500.00",
        }
    )
    data.update(
        {
            "milestones-0-id": milestone.pk,
            "milestones-0-project": project.pk,
            "milestones-0-name": "主体封顶",
            "milestones-0-planned_date": milestone.planned_date + timedelta(days=7),
        }
    )
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "校验位" in response.content.decode() or "check digit" in response.content.decode()
    records = ChangeRecord.objects.filter(project=project, actor=hq)
    assert {r.content_type.model for r in records} >= {"project", "annualplan", "milestone"}
    page = login(city.users.jiefang).get(reverse("projects:detail", args=[project.pk]))
    html = page.content.decode()
    assert "1200.00 → 1500.00" in html
