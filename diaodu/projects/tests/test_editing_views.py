"""The editing pages: each role sees and saves its own part; out of scope 404, not its part 403."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.core.choices import Light
from diaodu.core.models import ChangeRecord
from diaodu.factories import FundingLineFactory, MilestoneFactory, ProgramFactory, this_year
from diaodu.monitoring.lights import refresh_lights
from diaodu.projects.choices import FundingSource, Stage
from diaodu.projects.models import AnnualPlan, FundingLine, Milestone, Project
from diaodu.projects.tests.test_services import photo

TODAY = timezone.localdate()


@pytest.fixture
def parts(city):
    """解放区项目 (owner 市投资集团, region 解放区) with a milestone and a special-bond line."""
    project = city.projects.jiefang
    milestone = MilestoneFactory(
        project=project, name="取得施工许可证", planned_date=TODAY - timedelta(days=5)
    )
    line = FundingLineFactory(project=project, source=FundingSource.SPECIAL_BOND)
    return project, milestone, line


def pages(project, milestone, line):
    """Every editing page of a project, with the role that may use it."""
    pk = project.pk
    return {
        reverse("projects:edit", args=[pk]): {"hq", "jiefang", "owner"},
        reverse("projects:programs", args=[pk]): {"hq"},
        reverse("projects:plan", args=[pk, this_year()]): {"hq", "jiefang"},
        reverse("projects:milestone-new", args=[pk]): {"hq", "jiefang"},
        reverse("projects:milestone", args=[pk, milestone.pk]): {"hq", "jiefang"},
        reverse("projects:milestone-met", args=[pk, milestone.pk]): {"hq", "owner"},
        reverse("projects:funding-new", args=[pk]): {"hq", "jiefang", "owner"},
        reverse("projects:funding", args=[pk, line.pk]): {"hq", "jiefang", "owner"},
    }


# Who sees 解放区项目 at all (the others get 404).
SEES = {"hq", "leader", "inspector", "jiefang", "jiaotong", "owner"}
USERS = ["hq", "leader", "inspector", "jiefang", "gaoxin", "jiaotong", "owner", "nobody"]


@pytest.mark.parametrize("username", USERS)
def test_every_page_in_scope_out_of_scope_and_not_allowed(city, parts, username):
    client = login(getattr(city.users, username))
    for url, allowed in pages(*parts).items():
        expected = 200 if username in allowed else (403 if username in SEES else 404)
        assert client.get(url).status_code == expected, url


def test_anonymous_is_sent_to_sign_in(client, city, parts):
    urls = [*pages(*parts), reverse("projects:new")]
    project, milestone, _line = parts
    urls.append(reverse("projects:milestone-evidence", args=[project.pk, milestone.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize(
    "username, status", [("hq", 200), ("jiefang", 200), ("owner", 403), ("jiaotong", 403)]
)
def test_new_project_page(city, username, status):
    assert login(getattr(city.users, username)).get(reverse("projects:new")).status_code == status


def test_ledger_button_only_for_those_who_create(city):
    new = f'href="{reverse("projects:new")}"'
    assert new in login(city.users.jiefang).get(reverse("projects:list")).content.decode()
    assert new not in login(city.users.owner).get(reverse("projects:list")).content.decode()


def test_project_page_shows_only_the_buttons_of_the_users_parts(city, parts):
    project, milestone, line = parts
    url = reverse("projects:detail", args=[project.pk])
    met = reverse("projects:milestone-met", args=[project.pk, milestone.pk])
    plan = reverse("projects:plan", args=[project.pk, TODAY.year])
    owner = login(city.users.owner).get(url).content.decode()
    assert met in owner and plan not in owner
    assert reverse("projects:funding", args=[project.pk, line.pk]) in owner
    region = login(city.users.jiefang).get(url).content.decode()
    assert met not in region and plan in region
    assert reverse("projects:programs", args=[project.pk]) not in region
    leader = login(city.users.leader).get(url).content.decode()
    assert reverse("projects:edit", args=[project.pk]) not in leader and met not in leader


# -- done when: the owner, on pages ----------------------------------------------------------


def test_owner_marks_met_records_start_and_disbursed_on_pages(city, parts):
    project, milestone, line = parts
    refresh_lights([project.pk])
    project.refresh_from_db()
    assert project.light == Light.YELLOW
    client = login(city.users.owner)

    url = reverse("projects:milestone-met", args=[project.pk, milestone.pk])
    response = client.post(url, {"actual_date": TODAY.isoformat(), "evidence": photo()})
    assert response.status_code == 302
    milestone.refresh_from_db()
    project.refresh_from_db()
    assert milestone.actual_date == TODAY and milestone.evidence
    assert project.light == Light.GREEN

    evidence = client.get(reverse("projects:milestone-evidence", args=[project.pk, milestone.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content)[:4] == b"\x89PNG"

    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        {"actual_start": TODAY.isoformat(), "contact_person": "张工", "contact_phone": "139"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.actual_start == TODAY and project.contact_person == "张工"

    response = client.post(
        reverse("projects:funding", args=[project.pk, line.pk]),
        {"secured": "3000.00", "disbursed": "2800.00", "note": "第二批到位"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.disbursed == Decimal("2800.00")

    models = set(
        ChangeRecord.objects.filter(project=project, actor=city.users.owner).values_list(
            "content_type__model", flat=True
        )
    )
    assert models == {"milestone", "project", "fundingline"}
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "2,800.00" in page and "张工" in page


def test_the_same_for_another_owners_project_is_404(city):
    project = city.projects.gaoxin  # owner 高新建投
    milestone = MilestoneFactory(project=project, planned_date=TODAY)
    line = FundingLineFactory(project=project)
    client = login(city.users.owner)
    posts = {
        reverse("projects:milestone-met", args=[project.pk, milestone.pk]): {
            "actual_date": TODAY.isoformat()
        },
        reverse("projects:edit", args=[project.pk]): {"actual_start": TODAY.isoformat()},
        reverse("projects:funding", args=[project.pk, line.pk]): {"disbursed": "1"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    milestone.refresh_from_db()
    assert milestone.actual_date is None


def test_a_milestone_of_another_project_is_404_under_this_one(city, parts):
    project, _milestone, _line = parts
    other = MilestoneFactory(project=city.projects.city)  # also the owner's
    url = reverse("projects:milestone-met", args=[project.pk, other.pk])
    assert login(city.users.owner).get(url).status_code == 404


# -- forms keep what was typed and say what is wrong -----------------------------------------


def test_errors_beside_the_field_and_typed_values_kept(city, parts):
    project, milestone, line = parts
    client = login(city.users.owner)
    response = client.post(
        reverse("projects:funding", args=[project.pk, line.pk]),
        {"secured": "100.00", "disbursed": "250.00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["disbursed"]
    assert 'value="250.00"' in response.content.decode()
    response = client.post(
        reverse("projects:milestone-met", args=[project.pk, milestone.pk]),
        {"actual_date": (TODAY + timedelta(days=3)).isoformat()},
    )
    assert "actual_date" in response.context["form"].errors
    text = SimpleUploadedFile("a.txt", b"hello")
    response = client.post(
        reverse("projects:milestone-met", args=[project.pk, milestone.pk]),
        {"actual_date": TODAY.isoformat(), "evidence": text},
    )
    assert "evidence" in response.context["form"].errors
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None


def test_oversized_evidence_is_refused(city, parts, settings):
    settings.DIAODU_UPLOAD_MAX_MB = settings.DIAODU_PHOTO_MAX_MB = 1
    project, milestone, _line = parts
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * (2 * 1024 * 1024))
    response = login(city.users.owner).post(
        reverse("projects:milestone-met", args=[project.pk, milestone.pk]),
        {"actual_date": TODAY.isoformat(), "evidence": big},
    )
    assert response.status_code == 200 and "evidence" in response.context["form"].errors
    assert not Milestone.objects.get(pk=milestone.pk).evidence


def test_owner_form_shows_only_the_owners_fields(city, parts):
    project = parts[0]
    form = login(city.users.owner).get(reverse("projects:edit", args=[project.pk])).context["form"]
    assert set(form.fields) == {
        "actual_start",
        "actual_completion",
        "contact_person",
        "contact_phone",
        "reason",
    }
    form = (
        login(city.users.jiefang).get(reverse("projects:edit", args=[project.pk])).context["form"]
    )
    assert (
        "stage" not in form.fields and "name" in form.fields and "actual_start" not in form.fields
    )


def test_owner_posting_a_field_not_on_its_form_changes_nothing(city, parts):
    project = parts[0]
    login(city.users.owner).post(
        reverse("projects:edit", args=[project.pk]), {"name": "偷改名字", "actual_start": ""}
    )
    project.refresh_from_db()
    assert project.name == "解放区项目"


# -- creating, region's parts, plans, programmes ---------------------------------------------


def test_region_proposes_a_project_from_the_page(city):
    client = login(city.users.jiefang)
    form = client.get(reverse("projects:new")).context["form"]
    assert set(form.fields["region"].queryset) == {city.jiefang, city.street}
    assert [value for value, _label in form.fields["stage"].choices] == ["reserve", "preparation"]
    response = client.post(
        reverse("projects:new"),
        {"name": "新谋划项目", "region": city.street.pk, "stage": "reserve",
         "category": "industry", "total_investment": "5000"},
    )  # fmt: skip
    project = Project.objects.get(name="新谋划项目")
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert project.stage == Stage.RESERVE and project.region == city.street
    response = client.post(
        reverse("projects:new"),
        {"name": "越界", "region": city.gaoxin.pk, "stage": "reserve", "category": "industry",
         "total_investment": "1"},
    )  # fmt: skip
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert 'value="越界"' in response.content.decode()


def test_region_edits_basic_data_but_not_outside_its_area(city):
    client = login(city.users.jiefang)
    data = {"name": "解放区项目（一期）", "category": "transport", "total_investment": "12000",
            "region": city.jiefang.pk}  # fmt: skip
    response = client.post(reverse("projects:edit", args=[city.projects.jiefang.pk]), data)
    assert response.status_code == 302
    assert Project.objects.get(pk=city.projects.jiefang.pk).name == "解放区项目（一期）"
    response = client.post(reverse("projects:edit", args=[city.projects.gaoxin.pk]), data)
    assert response.status_code == 404
    response = client.post(reverse("projects:edit", args=[city.projects.city.pk]), data)
    assert response.status_code == 404  # city level: not in its area


def test_plan_with_twelve_months(city):
    project = city.projects.jiefang
    client = login(city.users.jiefang)
    url = reverse("projects:plan", args=[project.pk, this_year()])
    data = {f"month_{m}": "100" for m in range(1, 13)}
    data.update({"planned_investment": "1300", "targets": "完成主体"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "1200.00" in response.context["form"].errors["planned_investment"][0]
    data["planned_investment"] = ""
    response = client.post(url, data)
    assert response.status_code == 302
    plan = AnnualPlan.objects.get(project=project, year=this_year())
    assert plan.planned_investment == Decimal("1200.00") and plan.months.count() == 12
    page = client.get(url)
    assert page.context["form"].initial["month_5"] == Decimal("100.00")


def test_milestones_added_edited_deleted_by_the_region(city):
    project = city.projects.jiefang
    client = login(city.users.jiefang)
    client.post(
        reverse("projects:milestone-new", args=[project.pk]),
        {"name": "开工建设", "planned_date": TODAY.isoformat()},
    )
    milestone = Milestone.objects.get(project=project, name="开工建设")
    client.post(
        reverse("projects:milestone", args=[project.pk, milestone.pk]),
        {"name": "开工建设", "planned_date": (TODAY + timedelta(days=30)).isoformat()},
    )
    milestone.refresh_from_db()
    assert milestone.planned_date == TODAY + timedelta(days=30) and milestone.baseline_date == TODAY
    url = reverse("projects:milestone-delete", args=[project.pk, milestone.pk])
    assert login(city.users.owner).post(url).status_code == 403
    assert client.get(url).status_code == 405
    client.post(url)
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_funding_source_added_by_the_owner(city):
    project = city.projects.jiefang
    client = login(city.users.owner)
    form = client.get(reverse("projects:funding-new", args=[project.pk])).context["form"]
    assert "planned" not in form.fields and "secured" in form.fields
    client.post(
        reverse("projects:funding-new", args=[project.pk]),
        {"source": "bank_loan", "secured": "800", "disbursed": "300"},
    )
    line = FundingLine.objects.get(project=project, source="bank_loan")
    assert line.disbursed == Decimal("300.00") and line.planned == 0


def test_programme_membership_with_reason(city):
    project = city.projects.jiefang
    other = ProgramFactory(name="省重点项目", code="province", year=TODAY.year)
    client = login(city.users.hq)
    url = reverse("projects:programs", args=[project.pk])
    response = client.post(url, {"action": "add", "program": other.pk, "reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    client.post(url, {"action": "add", "program": other.pk, "reason": "列入省重点"})
    client.post(url, {"action": "remove", "program": city.program.pk, "reason": "退出市重点"})
    assert list(project.programs.all()) == [other]
    page = client.get(url)
    assert [c.reason for c in page.context["history"]] == ["退出市重点", "列入省重点"]
    assert (
        login(city.users.jiefang)
        .post(url, {"action": "add", "program": city.program.pk, "reason": "x"})
        .status_code
        == 403
    )


def test_programme_page_query_count(city, django_assert_max_num_queries):
    project = city.projects.jiefang
    client = login(city.users.hq)
    for i in range(5):
        program = ProgramFactory(name=f"专项{i}", code=f"p{i}", year=TODAY.year)
        client.post(
            reverse("projects:programs", args=[project.pk]),
            {"action": "add", "program": program.pk, "reason": f"第{i}批"},
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("projects:programs", args=[project.pk]))
    assert len(response.context["history"]) == 5


@pytest.mark.parametrize(
    "username, status", [("leader", 200), ("jiefang", 200), ("gaoxin", 404), ("nobody", 404)]
)
def test_evidence_is_served_to_whoever_sees_the_project(city, parts, username, status):
    project, milestone, _line = parts
    from diaodu.projects import services

    services.do_mark_milestone_met(
        city.users.owner, milestone, actual_date=TODAY, evidence=photo("许可证.png")
    )
    url = reverse("projects:milestone-evidence", args=[project.pk, milestone.pk])
    assert login(getattr(city.users, username)).get(url).status_code == status


def test_no_evidence_is_404(city, parts):
    project, milestone, _line = parts
    url = reverse("projects:milestone-evidence", args=[project.pk, milestone.pk])
    assert login(city.users.hq).get(url).status_code == 404
