"""Headquarters' rights are decided with the account: a deactivated headquarters account is
refused by every service that only headquarters may use, as any other outsider is."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.core.models import ChangeRecord
from diaodu.exchange.importer import ProjectImport, can_import
from diaodu.factories import ApprovalFactory, UserFactory
from diaodu.org.choices import Role
from diaodu.projects import approvals, services
from diaodu.projects.choices import ApprovalKind, Stage
from diaodu.projects.models import Approval, Milestone, Project
from diaodu.projects.permissions import (
    ALL_PARTS,
    REGION_PARTS,
    can_schedule,
    creatable_parts,
)
from diaodu.projects.schedule import TEMPLATES, do_apply_schedule
from diaodu.projects.services import BulkRow, bulk_refusal, do_write_projects_in_bulk

TODAY = timezone.localdate()


@pytest.fixture
def retired(city):
    """A headquarters account, deactivated (someone who left the office)."""
    return UserFactory(
        username="retired", role=Role.HEADQUARTERS, unit=city.users.hq.unit, is_active=False
    )


def test_a_deactivated_headquarters_account_cannot_create_a_project(city, retired):
    with pytest.raises(PermissionDenied):
        services.do_create_project(retired, {"name": "新项目", "stage": Stage.NEW})
    assert not Project.objects.filter(name="新项目").exists()


def test_a_deactivated_headquarters_account_cannot_delete_a_project(city, retired):
    project = city.projects.jiefang
    with pytest.raises(PermissionDenied):
        services.do_delete_project(retired, project)
    assert Project.objects.filter(pk=project.pk).exists()


def test_an_active_headquarters_account_deletes_a_project(city):
    project = city.projects.jiefang
    services.do_delete_project(city.users.hq, project)
    assert not Project.objects.filter(pk=project.pk).exists()


def test_a_deactivated_headquarters_account_cannot_write_projects_in_bulk(city, retired):
    project = city.projects.jiefang
    row = BulkRow(project=project, action="update", changes={"stage": [project.stage, "new"]})
    project.stage = Stage.NEW
    assert bulk_refusal(retired, row) is not None
    with pytest.raises(PermissionDenied):
        do_write_projects_in_bulk(retired, [row], year=TODAY.year, reason="")
    project.refresh_from_db()
    assert project.stage != Stage.NEW
    assert not ChangeRecord.objects.filter(project=project).exists()


def test_a_deactivated_headquarters_account_cannot_import(city, retired):
    assert not can_import(retired)
    with pytest.raises(PermissionDenied):
        ProjectImport(retired, year=TODAY.year)
    assert can_import(city.users.hq) and can_import(city.users.jiefang)


def test_a_deactivated_headquarters_account_cannot_change_approvals(city, retired):
    approval = ApprovalFactory(project=city.projects.jiefang, responsible_department=None)
    with pytest.raises(PermissionDenied):
        approvals.do_update_approval(retired, approval, time_limit_days=40)
    with pytest.raises(PermissionDenied):
        approvals.do_create_approval(
            retired, city.projects.jiefang, kind=ApprovalKind.ENVIRONMENTAL
        )
    assert Approval.objects.filter(project=city.projects.jiefang).count() == 1
    assert approvals.editable_fields(retired, approval) == ()
    assert not approvals.can_create(retired)


def test_a_deactivated_headquarters_account_cannot_apply_backward_scheduling(city, retired):
    project = city.projects.jiefang
    with pytest.raises(PermissionDenied):
        do_apply_schedule(retired, project, "building", TODAY + timedelta(days=400), TODAY)
    assert not Milestone.objects.filter(project=project).exists()


def test_only_headquarters_applies_backward_scheduling(city):
    """The page offered it to headquarters only; the service now decides it too, so a region
    that may plan its milestones one by one cannot set them all from a template."""
    project = city.projects.jiefang
    target = TODAY + timedelta(days=400)
    for user in (city.users.jiefang, city.users.owner, city.users.leader):
        assert not can_schedule(user)
        with pytest.raises(PermissionDenied):
            do_apply_schedule(user, project, "building", target, TODAY)
    assert not Milestone.objects.filter(project=project).exists()
    assert do_apply_schedule(city.users.hq, project, "building", target, TODAY) == len(
        TEMPLATES["building"]
    )


def test_the_schedule_page_offers_applying_to_headquarters_only(city, retired):
    project = city.projects.jiefang
    url = reverse("schedule", args=[project.pk])
    region = login(city.users.jiefang)
    assert not region.get(url).context["can_apply"]
    assert region.post(url, {"target": "2030-06-30"}).status_code == 403
    assert not can_schedule(retired)
    assert login(city.users.hq).get(url).context["can_apply"]


def test_a_new_project_form_shows_the_parts_its_creator_fills_in(city, retired):
    assert creatable_parts(city.users.jiefang) == REGION_PARTS
    assert creatable_parts(retired) == frozenset()
    assert creatable_parts(city.users.owner) == frozenset()
    assert creatable_parts(city.users.hq) == ALL_PARTS
