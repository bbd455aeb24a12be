"""The one write path of projects: who may change which part, validation, history, light."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from diaodu.core.choices import Light
from diaodu.core.models import Action, ChangeRecord
from diaodu.factories import FundingLineFactory, MilestoneFactory, ProgramFactory, this_year
from diaodu.projects import services
from diaodu.projects.choices import FundingSource, Stage
from diaodu.projects.models import AnnualPlan, FundingLine, Milestone, Project
from diaodu.projects.permissions import Part, editable_parts

TODAY = timezone.localdate()


def photo(name="site.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def history(obj):
    return ChangeRecord.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    )


# -- who may change what ---------------------------------------------------------------------

# city.projects.jiefang: region 解放区, owner 市投资集团 (the `owner` user).
PARTS = {
    "hq": set(Part),
    "owner": {Part.ACTUAL_DATES, Part.CONTACTS, Part.MILESTONES_MET, Part.FUNDS},
    "jiefang": {Part.BASIC, Part.PLAN, Part.MILESTONES, Part.FUNDING},
    "gaoxin": set(),
    "leader": set(),
    "inspector": set(),
    "jiaotong": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("username", sorted(PARTS))
def test_each_role_edits_its_own_parts(city, username):
    user = getattr(city.users, username)
    assert editable_parts(user, city.projects.jiefang) == PARTS[username]


@pytest.mark.parametrize("username", sorted(PARTS))
def test_editable_by_agrees_with_the_parts(city, username):
    user = getattr(city.users, username)
    for part in [None, *Part]:
        expected = {
            key
            for key, project in vars(city.projects).items()
            if (
                editable_parts(user, project)
                if part is None
                else part in editable_parts(user, project)
            )
        }
        found = {
            key
            for key, project in vars(city.projects).items()
            if Project.objects.editable_by(user, part).filter(pk=project.pk).exists()
        }
        assert found == expected, part
        visible = set(Project.objects.visible_to(user).values_list("pk", flat=True))
        assert set(Project.objects.editable_by(user, part).values_list("pk", flat=True)) <= visible


def test_a_region_edits_the_projects_of_the_units_below_it(city):
    assert Part.BASIC in editable_parts(city.users.jiefang, city.projects.street)
    assert not editable_parts(city.users.jiefang, city.projects.city)  # city level


# -- basic data, stage, actual dates, contacts -----------------------------------------------


def test_region_changes_basic_data_recorded_and_relit(city):
    project = city.projects.jiefang
    services.do_update_project(
        city.users.jiefang, project, {"name": "解放区新项目", "total_investment": Decimal("12000")}
    )
    project.refresh_from_db()
    assert project.name == "解放区新项目" and project.light_computed_at is not None
    change = history(project).get()
    assert change.actor == city.users.jiefang and change.action == Action.UPDATE
    assert change.changes["total_investment"] == ["10000.00", "12000.00"]


@pytest.mark.parametrize(
    "username", ["owner", "gaoxin", "jiaotong", "leader", "inspector", "nobody"]
)
def test_basic_data_refused_to_others(city, username):
    with pytest.raises(PermissionDenied):
        services.do_update_project(
            getattr(city.users, username), city.projects.jiefang, {"name": "改名"}
        )
    assert not history(city.projects.jiefang).exists()


def test_region_cannot_move_a_project_out_of_its_area(city):
    with pytest.raises(PermissionDenied):
        services.do_update_project(
            city.users.jiefang, city.projects.jiefang, {"region": city.gaoxin}
        )
    services.do_update_project(city.users.jiefang, city.projects.jiefang, {"region": city.street})


def test_validation_errors_name_the_field(city):
    with pytest.raises(ValidationError) as error:
        services.do_update_project(
            city.users.hq,
            city.projects.jiefang,
            {"planned_start": TODAY, "planned_completion": TODAY - timedelta(days=1)},
        )
    assert "planned_completion" in error.value.message_dict
    assert not history(city.projects.jiefang).exists()


def test_only_headquarters_moves_the_stage(city):
    project = city.projects.jiefang
    with pytest.raises(PermissionDenied, match="阶段"):
        services.do_set_stage(city.users.jiefang, project, Stage.COMPLETED)
    with pytest.raises(PermissionDenied):
        services.do_set_stage(city.users.owner, project, Stage.COMPLETED)
    services.do_set_stage(city.users.hq, project, Stage.COMPLETED, reason="竣工验收")
    assert history(project).get().reason == "竣工验收"


def test_owner_records_the_actual_start_and_the_light_turns(city):
    project = Project.objects.create(
        name="新开工项目",
        region=city.jiefang,
        owner=city.touzi,
        stage=Stage.NEW,
        planned_start=TODAY - timedelta(days=130),
    )
    from diaodu.monitoring.lights import refresh_lights

    refresh_lights([project.pk])
    project.refresh_from_db()
    assert project.light == Light.RED
    services.do_record_actual_dates(city.users.owner, project, actual_start=TODAY)
    project.refresh_from_db()
    assert project.actual_start == TODAY and project.light == Light.GREEN
    assert history(project).get().changes["actual_start"] == [None, TODAY.isoformat()]
    for user in (city.users.jiefang, city.users.gaoxin, city.users.jiaotong):
        with pytest.raises(PermissionDenied):
            services.do_record_actual_dates(user, project, actual_start=TODAY)


def test_owner_keeps_contacts_but_not_of_another_owners_project(city):
    services.do_update_contacts(
        city.users.owner, city.projects.jiefang, contact_person="张三", contact_phone="13800000000"
    )
    city.projects.jiefang.refresh_from_db()
    assert city.projects.jiefang.contact_person == "张三"
    with pytest.raises(PermissionDenied):
        services.do_update_contacts(city.users.owner, city.projects.gaoxin, contact_person="李四")


def test_nothing_changed_records_nothing(city):
    services.do_update_project(city.users.hq, city.projects.jiefang, {"name": "解放区项目"})
    assert not history(city.projects.jiefang).exists()


# -- creating --------------------------------------------------------------------------------


def test_headquarters_creates_anywhere(city):
    project = services.do_create_project(
        city.users.hq,
        {"name": "新建项目", "region": None, "stage": Stage.NEW, "owner": city.touzi},
    )
    assert project.pk and project.light_computed_at is not None
    change = history(project).get()
    assert change.action == Action.CREATE and change.changes["name"] == [None, "新建项目"]


def test_region_proposes_in_its_area_only(city):
    project = services.do_create_project(
        city.users.jiefang, {"name": "谋划项目", "region": city.street, "stage": Stage.RESERVE}
    )
    assert project.region == city.street
    with pytest.raises(ValidationError) as error:
        services.do_create_project(city.users.jiefang, {"name": "越界项目", "region": city.gaoxin})
    assert "region" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.do_create_project(
            city.users.jiefang,
            {"name": "续建项目", "region": city.jiefang, "stage": Stage.CONTINUING},
        )
    assert "stage" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.do_create_project(
            city.users.jiefang,
            {"name": "入库项目", "region": city.jiefang, "programs": [city.program]},
            reason="想进",
        )


@pytest.mark.parametrize("username", ["owner", "jiaotong", "leader", "inspector", "nobody"])
def test_others_cannot_create(city, username):
    with pytest.raises(PermissionDenied):
        services.do_create_project(getattr(city.users, username), {"name": "项目", "region": None})


# -- programme membership --------------------------------------------------------------------


def test_membership_needs_headquarters_and_a_reason(city):
    project = city.projects.jiefang
    other = ProgramFactory(name="省重点项目", code="province")
    with pytest.raises(ValidationError) as error:
        services.do_add_to_program(city.users.hq, project, other, reason=" ")
    assert "reason" in error.value.message_dict
    for user in (city.users.jiefang, city.users.owner):
        with pytest.raises(PermissionDenied):
            services.do_add_to_program(user, project, other, reason="申报")
    services.do_add_to_program(city.users.hq, project, other, reason="列入省重点")
    assert set(project.programs.all()) == {city.program, other}
    services.do_remove_from_program(city.users.hq, project, city.program, reason="调出")
    assert list(project.programs.all()) == [other]
    records = list(history(project).order_by("id"))
    assert [r.reason for r in records] == ["列入省重点", "调出"]
    assert records[1].changes["programs"] == [
        sorted([str(city.program), str(other)]),
        [str(other)],
    ]
    with pytest.raises(ValidationError):
        services.do_remove_from_program(city.users.hq, project, city.program, reason="再调出")


def test_membership_change_is_announced_on_commit(city, django_capture_on_commit_callbacks):
    seen = []

    def listener(sender, project_ids, **kwargs):
        seen.append(project_ids)

    services.programs_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.do_remove_from_program(
                city.users.hq, city.projects.gaoxin, city.program, reason="调出"
            )
    finally:
        services.programs_changed.disconnect(listener)
    assert seen == [[city.projects.gaoxin.pk]]


# -- milestones ------------------------------------------------------------------------------


def test_owner_marks_a_milestone_met_with_a_photo_and_the_light_turns(city):
    project = city.projects.jiefang
    milestone = MilestoneFactory(
        project=project, name="取得施工许可证", planned_date=TODAY - timedelta(days=5)
    )
    from diaodu.monitoring.lights import refresh_lights

    refresh_lights([project.pk])
    project.refresh_from_db()
    assert project.light == Light.YELLOW
    services.do_mark_milestone_met(
        city.users.owner, milestone, actual_date=TODAY - timedelta(days=1), evidence=photo()
    )
    milestone.refresh_from_db()
    project.refresh_from_db()
    assert milestone.actual_date == TODAY - timedelta(days=1)
    assert milestone.evidence.name.startswith("milestones/") and project.light == Light.GREEN
    change = history(milestone).get()
    assert change.project == project and change.actor == city.users.owner
    assert change.changes["evidence"][1] == milestone.evidence.name


def test_milestone_met_is_checked(city):
    milestone = MilestoneFactory(project=city.projects.jiefang, planned_date=TODAY)
    with pytest.raises(ValidationError) as error:
        services.do_mark_milestone_met(city.users.owner, milestone, actual_date=None)
    assert "actual_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.do_mark_milestone_met(
            city.users.owner, milestone, actual_date=TODAY + timedelta(days=1)
        )
    assert "actual_date" in error.value.message_dict
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    with pytest.raises(ValidationError) as error:
        services.do_mark_milestone_met(
            city.users.owner, milestone, actual_date=TODAY, evidence=text
        )
    assert "PDF" in error.value.message_dict["evidence"][0]
    fake = SimpleUploadedFile("scan.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.do_mark_milestone_met(
            city.users.owner, milestone, actual_date=TODAY, evidence=fake
        )
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    services.do_mark_milestone_met(city.users.owner, milestone, actual_date=TODAY, evidence=pdf)
    assert Milestone.objects.get(pk=milestone.pk).evidence.name.endswith(".pdf")


@pytest.mark.parametrize("username", ["jiefang", "gaoxin", "jiaotong", "leader", "inspector"])
def test_only_owner_or_headquarters_marks_met(city, username):
    milestone = MilestoneFactory(project=city.projects.jiefang, planned_date=TODAY)
    with pytest.raises(PermissionDenied):
        services.do_mark_milestone_met(getattr(city.users, username), milestone, actual_date=TODAY)
    services.do_mark_milestone_met(city.users.hq, milestone, actual_date=TODAY)


def test_region_plans_milestones_owner_cannot(city):
    project = city.projects.jiefang
    milestone = services.do_add_milestone(
        city.users.jiefang, project, {"name": "开工建设", "planned_date": TODAY}
    )
    assert milestone.baseline_date == TODAY
    assert history(milestone).get().action == Action.CREATE
    services.do_update_milestone(
        city.users.jiefang, milestone, {"planned_date": TODAY + timedelta(days=10)}
    )
    with pytest.raises(PermissionDenied):
        services.do_add_milestone(city.users.owner, project, {"name": "x", "planned_date": TODAY})
    with pytest.raises(PermissionDenied):
        services.do_update_milestone(city.users.owner, milestone, {"planned_date": TODAY})
    with pytest.raises(PermissionDenied):
        services.do_update_milestone(city.users.jiefang, milestone, {"actual_date": TODAY})
    services.do_update_milestone(city.users.owner, milestone, {"note": "已完成招标"})
    with pytest.raises(PermissionDenied):
        services.do_delete_milestone(city.users.owner, milestone)
    services.do_delete_milestone(city.users.jiefang, milestone, reason="重复")
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert history(milestone).filter(action=Action.DELETE).get().reason == "重复"


# -- funding ---------------------------------------------------------------------------------


def test_owner_updates_special_bond_disbursed(city):
    line = FundingLineFactory(project=city.projects.jiefang, source=FundingSource.SPECIAL_BOND)
    services.do_update_funding_line(city.users.owner, line, {"disbursed": Decimal("2500")})
    line.refresh_from_db()
    assert line.disbursed == Decimal("2500.00")
    assert history(line).get().changes == {"disbursed": ["1000.00", "2500.00"]}
    with pytest.raises(PermissionDenied):
        services.do_update_funding_line(city.users.owner, line, {"planned": Decimal("1")})
    with pytest.raises(ValidationError) as error:
        services.do_update_funding_line(city.users.owner, line, {"disbursed": Decimal("9000")})
    assert "disbursed" in error.value.message_dict
    other = FundingLineFactory(project=city.projects.gaoxin)
    with pytest.raises(PermissionDenied):
        services.do_update_funding_line(city.users.owner, other, {"disbursed": Decimal("1")})


def test_funding_lines_added_by_owner_without_a_plan_and_by_region_with_one(city):
    project = city.projects.jiefang
    services.do_add_funding_line(
        city.users.owner,
        project,
        {"source": FundingSource.BANK_LOAN, "secured": Decimal("50"), "disbursed": Decimal("20")},
    )
    with pytest.raises(PermissionDenied):
        services.do_add_funding_line(
            city.users.owner, project, {"source": FundingSource.PRIVATE, "planned": Decimal("5")}
        )
    services.do_add_funding_line(
        city.users.jiefang, project, {"source": FundingSource.PRIVATE, "planned": Decimal("5")}
    )
    with pytest.raises(PermissionDenied):
        services.do_add_funding_line(
            city.users.jiefang,
            project,
            {"source": FundingSource.SELF_RAISED, "secured": Decimal("5")},
        )
    with pytest.raises(ValidationError):  # one line per source
        services.do_add_funding_line(city.users.hq, project, {"source": FundingSource.PRIVATE})
    assert FundingLine.objects.filter(project=project).count() == 2
    with pytest.raises(PermissionDenied):
        services.do_add_funding_line(
            city.users.jiaotong, project, {"source": FundingSource.PROVINCIAL}
        )


# -- annual plans ----------------------------------------------------------------------------


def test_region_sets_the_annual_plan_and_its_months(city):
    project, year = city.projects.jiefang, this_year()
    months = {m: Decimal("100") for m in range(1, 13)}
    plan = services.do_save_annual_plan(
        city.users.jiefang,
        project,
        year,
        {"planned_investment": None, "targets": "主体完工"},
        months=months,
    )
    assert plan.planned_investment == Decimal("1200.00") and plan.months.count() == 12
    months[12] = Decimal("0")
    with pytest.raises(ValidationError) as error:
        services.do_save_annual_plan(
            city.users.jiefang,
            project,
            year,
            {"planned_investment": Decimal("1200")},
            months=months,
        )
    assert "planned_investment" in error.value.message_dict
    services.do_save_annual_plan(
        city.users.jiefang, project, year, {"planned_investment": Decimal("1100")}, months=months
    )
    assert plan.months.count() == 11
    assert AnnualPlan.objects.get(pk=plan.pk).planned_investment == Decimal("1100.00")
    records = ChangeRecord.objects.filter(project=project)
    assert records.filter(content_type__model="planmonth", action=Action.DELETE).count() == 1
    for user in (city.users.owner, city.users.gaoxin, city.users.jiaotong):
        with pytest.raises(PermissionDenied):
            services.do_save_annual_plan(user, project, year, {"targets": "x"})


def test_a_new_year_plan(city):
    next_year = this_year() + 1
    plan = services.do_save_annual_plan(
        city.users.hq, city.projects.city, next_year, {"planned_investment": Decimal("300")}
    )
    assert plan.year == next_year and history(plan).get().action == Action.CREATE
    with pytest.raises(ValidationError):
        services.do_save_annual_plan(
            city.users.hq, city.projects.city, next_year, {}, months={13: Decimal("1")}
        )
