"""The write API of projects and their parts: the same services, scope and answers as the pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from diaodu.core.choices import Light
from diaodu.core.models import ChangeRecord
from diaodu.factories import FundingLineFactory, MilestoneFactory, ProgramFactory, this_year
from diaodu.monitoring.lights import refresh_lights
from diaodu.projects.choices import FundingSource, Stage
from diaodu.projects.models import AnnualPlan, Milestone, Project
from diaodu.projects.tests.test_api import api
from diaodu.projects.tests.test_services import photo

TODAY = timezone.localdate()


@pytest.fixture
def parts(city):
    project = city.projects.jiefang
    milestone = MilestoneFactory(
        project=project, name="取得施工许可证", planned_date=TODAY - timedelta(days=5)
    )
    line = FundingLineFactory(project=project, source=FundingSource.SPECIAL_BOND)
    return project, milestone, line


# -- done when: the owner, through the API ---------------------------------------------------


def test_owner_marks_met_records_start_and_disbursed_through_the_api(city, parts):
    project, milestone, line = parts
    refresh_lights([project.pk])
    client = api(city.users.owner, token=True)

    response = client.post(
        f"/api/milestones/{milestone.pk}/met/",
        {"actual_date": TODAY.isoformat(), "evidence": photo()},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["actual_date"] == TODAY.isoformat() and body["state"] == "done_late"
    assert body["evidence"].endswith(f"/milestones/{milestone.pk}/evidence/")
    assert Project.objects.get(pk=project.pk).light == Light.GREEN

    response = client.patch(
        f"/api/projects/{project.pk}/", {"actual_start": TODAY.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["actual_start"] == TODAY.isoformat()

    response = client.patch(f"/api/funding-lines/{line.pk}/", {"disbursed": "2500.00"})
    assert response.status_code == 200 and response.json()["disbursed"] == "2500.00"

    changes = ChangeRecord.objects.filter(project=project, actor=city.users.owner)
    assert set(changes.values_list("content_type__model", flat=True)) == {
        "milestone",
        "project",
        "fundingline",
    }


def test_the_same_requests_for_another_owners_project_are_404(city):
    project = city.projects.gaoxin
    milestone = MilestoneFactory(project=project, planned_date=TODAY)
    line = FundingLineFactory(project=project)
    client = api(city.users.owner)
    assert (
        client.post(
            f"/api/milestones/{milestone.pk}/met/", {"actual_date": TODAY.isoformat()}
        ).status_code
        == 404
    )
    assert (
        client.patch(f"/api/projects/{project.pk}/", {"actual_start": "2026-01-01"}).status_code
        == 404
    )
    assert client.patch(f"/api/funding-lines/{line.pk}/", {"disbursed": "1"}).status_code == 404
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None


def test_not_the_users_part_is_403_with_a_chinese_reason(city, parts):
    project, milestone, line = parts
    owner = api(city.users.owner)
    response = owner.patch(f"/api/projects/{project.pk}/", {"name": "改名"})
    assert response.status_code == 403 and "基本信息" in response.json()["detail"]
    assert owner.patch(f"/api/funding-lines/{line.pk}/", {"planned": "1"}).status_code == 403
    assert (
        owner.patch(f"/api/milestones/{milestone.pk}/", {"planned_date": "2027-01-01"}).status_code
        == 403
    )
    region = api(city.users.jiefang)
    response = region.post(f"/api/milestones/{milestone.pk}/met/", {"actual_date": "2026-01-01"})
    assert response.status_code == 403
    response = region.patch(f"/api/projects/{project.pk}/", {"region": city.gaoxin.pk})
    assert response.status_code == 403  # a region cannot move a project out of its area
    leader = api(city.users.leader)
    assert leader.patch(f"/api/projects/{project.pk}/", {"name": "x"}).status_code == 403


def test_invalid_input_is_400_naming_the_field_in_chinese(city, parts):
    project, milestone, line = parts
    owner = api(city.users.owner)
    response = owner.patch(f"/api/funding-lines/{line.pk}/", {"disbursed": "99999"})
    assert response.status_code == 400 and "disbursed" in response.json()
    response = owner.patch(f"/api/funding-lines/{line.pk}/", {"disbursed": "很多"})
    assert response.status_code == 400 and "disbursed" in response.json()
    response = owner.post(f"/api/milestones/{milestone.pk}/met/", {})
    assert response.status_code == 400 and "actual_date" in response.json()
    response = owner.post(
        f"/api/milestones/{milestone.pk}/met/",
        {"actual_date": TODAY.isoformat(), "evidence": SimpleUploadedFile("a.txt", b"text")},
        format="multipart",
    )
    assert response.status_code == 400 and "PDF" in response.json()["evidence"][0]
    response = api(city.users.hq).patch(
        f"/api/projects/{project.pk}/",
        {"planned_start": "2026-05-01", "planned_completion": "2026-01-01"},
    )
    assert response.status_code == 400 and "planned_completion" in response.json()


def test_related_ids_out_of_scope_and_missing_get_the_same_answer(city):
    region = api(city.users.jiefang)
    out_of_scope = region.post(
        "/api/milestones/",
        {"project": city.projects.gaoxin.pk, "name": "x", "planned_date": "2026-01-01"},
    )
    missing = region.post(
        "/api/milestones/", {"project": 999999, "name": "x", "planned_date": "2026-01-01"}
    )
    assert out_of_scope.status_code == missing.status_code == 400
    assert out_of_scope.json()["project"][0].replace(str(city.projects.gaoxin.pk), "?") == (
        missing.json()["project"][0].replace("999999", "?")
    )


@pytest.mark.parametrize(
    "path",
    ["/api/milestones/", "/api/funding-lines/", "/api/plans/"],
)
def test_anonymous_gets_401(city, path):
    assert api().get(path).status_code == 401
    assert api().post(path, {}).status_code == 401


def test_anonymous_cannot_write_projects(city):
    assert api().post("/api/projects/", {"name": "x"}).status_code == 401
    assert (
        api().patch(f"/api/projects/{city.projects.jiefang.pk}/", {"name": "x"}).status_code == 401
    )


# Milestones on every project but the street's; this year's plan on every project.
LISTED = {
    "hq": (3, 4),
    "jiefang": (1, 2),
    "owner": (2, 2),
    "gaoxin": (1, 1),
    "jiaotong": (2, 2),
    "nobody": (0, 0),
}


@pytest.mark.parametrize("username", sorted(LISTED))
def test_part_lists_are_scoped(city, username):
    for project in vars(city.projects).values():
        if project != city.projects.street:
            MilestoneFactory(project=project)
    client = api(getattr(city.users, username))
    milestones, plans = LISTED[username]
    assert client.get("/api/milestones/").json()["count"] == milestones
    assert client.get("/api/plans/").json()["count"] == plans


def test_part_lists_query_counts_do_not_grow(city, django_assert_max_num_queries):
    client = api(city.users.jiefang)
    for _i in range(20):
        MilestoneFactory(project=city.projects.jiefang)
        MilestoneFactory(project=city.projects.street)
    for source in list(FundingSource)[:5]:
        FundingLineFactory(project=city.projects.jiefang, source=source)
    AnnualPlan.objects.create(project=city.projects.jiefang, year=this_year() + 1)
    for path in ["/api/milestones/", "/api/funding-lines/", "/api/plans/"]:
        with django_assert_max_num_queries(5):
            response = client.get(path)
        assert response.status_code == 200 and response.json()["count"]
    with django_assert_max_num_queries(5):
        response = client.get("/api/milestones/", {"project": city.projects.street.pk})
    assert response.json()["count"] == 20


# -- creating, plans, programmes -------------------------------------------------------------


def test_projects_created_by_headquarters_and_proposed_by_a_region(city):
    response = api(city.users.hq).post(
        "/api/projects/",
        {"name": "API项目", "region": None, "stage": "new", "responsible_units": [city.ziran.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["responsible_units"] == [city.ziran.pk]
    region = api(city.users.jiefang)
    response = region.post("/api/projects/", {"name": "谋划", "region": city.street.pk})
    assert response.status_code == 201 and response.json()["stage"] == Stage.PREPARATION
    response = region.post("/api/projects/", {"name": "越界", "region": city.gaoxin.pk})
    assert response.status_code == 400 and "region" in response.json()
    response = region.post(
        "/api/projects/", {"name": "续建", "region": city.jiefang.pk, "stage": "continuing"}
    )
    assert response.status_code == 400 and "stage" in response.json()
    assert api(city.users.owner).post("/api/projects/", {"name": "x"}).status_code == 403
    assert api(city.users.hq).post("/api/projects/", {}).status_code == 400


def test_plans_with_months_through_the_api(city):
    region = api(city.users.jiefang)
    project = city.projects.jiefang
    months = {str(m): "50.00" for m in (3, 6, 9, 12)}
    next_year = this_year() + 1
    response = region.post(
        "/api/plans/", {"project": project.pk, "year": next_year, "months": months}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["planned_investment"] == "200.00"
    assert response.json()["months"] == {"3": "50.00", "6": "50.00", "9": "50.00", "12": "50.00"}
    plan_id = response.json()["id"]
    response = region.post("/api/plans/", {"project": project.pk, "year": next_year}, format="json")
    assert response.status_code == 400 and "year" in response.json()
    response = region.patch(f"/api/plans/{plan_id}/", {"planned_investment": "300"}, format="json")
    assert response.status_code == 400 and "planned_investment" in response.json()
    response = region.patch(f"/api/plans/{plan_id}/", {"months": {"13": "1"}}, format="json")
    assert response.status_code == 400 and "months" in response.json()
    response = region.patch(
        f"/api/plans/{plan_id}/",
        {"planned_investment": "300", "months": {"12": "300"}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["months"] == {"12": "300.00"}
    assert (
        api(city.users.owner).patch(f"/api/plans/{plan_id}/", {"targets": "x"}).status_code == 403
    )
    assert (
        api(city.users.gaoxin).patch(f"/api/plans/{plan_id}/", {"targets": "x"}).status_code == 404
    )


def test_programme_membership_through_the_api(city):
    project = city.projects.jiefang
    other = ProgramFactory(name="省重点项目", code="province")
    url = f"/api/projects/{project.pk}/programs/"
    hq = api(city.users.hq)
    assert hq.post(url, {"program": other.pk, "action": "add"}).status_code == 400
    response = hq.post(url, {"program": other.pk, "action": "add", "reason": "列入"})
    assert response.status_code == 200 and set(response.json()["programs"]) == {
        city.program.pk,
        other.pk,
    }
    assert (
        api(city.users.jiefang)
        .post(url, {"program": other.pk, "action": "remove", "reason": "x"})
        .status_code
        == 403
    )
    response = hq.post(url, {"program": other.pk, "action": "remove", "reason": "调出"})
    assert response.status_code == 200 and response.json()["programs"] == [city.program.pk]
    assert ChangeRecord.objects.filter(project=project, reason="调出").exists()


def test_funding_lines_and_milestones_created_and_deleted(city):
    project = city.projects.jiefang
    owner = api(city.users.owner)
    response = owner.post(
        "/api/funding-lines/",
        {"project": project.pk, "source": "bank_loan", "secured": "10", "disbursed": "5"},
    )
    assert response.status_code == 201, response.json()
    line_id = response.json()["id"]
    assert owner.delete(f"/api/funding-lines/{line_id}/").status_code == 403
    assert api(city.users.jiefang).delete(f"/api/funding-lines/{line_id}/").status_code == 204
    region = api(city.users.jiefang)
    response = region.post(
        "/api/milestones/",
        {"project": project.pk, "name": "竣工验收", "planned_date": "2027-06-30"},
    )
    assert response.status_code == 201 and response.json()["baseline_date"] == "2027-06-30"
    assert (
        owner.post(
            "/api/milestones/", {"project": project.pk, "name": "x", "planned_date": "2027-01-01"}
        ).status_code
        == 403
    )
    assert region.delete(f"/api/milestones/{response.json()['id']}/").status_code == 204


# -- input read through serializers ------------------------------------------------------------


@pytest.mark.parametrize("year", ["abc", "", "99999999999999999999", "-5"])
def test_a_year_that_is_no_year_gives_this_years_plan(city, year):
    """?year= is read through a serializer: something that is no year gives this year's
    plan, as an absent year does (a negative or 20-digit number gave no plan at all)."""
    client = api(city.users.hq)
    this = client.get("/api/projects/", {"year": this_year()}).json()["results"]
    response = client.get("/api/projects/", {"year": year})
    assert response.status_code == 200
    planned = {row["id"]: row["annual_planned"] for row in this}
    assert {row["id"]: row["annual_planned"] for row in response.json()["results"]} == planned
    one = client.get(f"/api/projects/{city.projects.jiefang.pk}/", {"year": year})
    assert one.status_code == 200
    assert one.json()["annual_planned"] == planned[city.projects.jiefang.pk]


def test_another_year_gives_that_years_plan(city):
    response = api(city.users.hq).get("/api/projects/", {"year": this_year() + 5})
    assert response.status_code == 200
    assert {row["annual_planned"] for row in response.json()["results"]} == {None}


def test_a_programme_out_of_sight_is_answered_as_a_missing_one(city):
    """The membership body is read with the request, through the shared transition: a
    programme id that does not exist and one that is no id get the same answer."""
    url = f"/api/projects/{city.projects.jiefang.pk}/programs/"
    hq = api(city.users.hq)
    answers = [
        hq.post(url, {"program": program, "action": "add", "reason": "列入"})
        for program in (10**6, "abc")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json() and "program" in answers[0].json()
