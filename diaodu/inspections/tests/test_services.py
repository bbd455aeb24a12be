"""Recording inspections: the report checked, the gap, what is raised on the spot, all or none."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from diaodu.core.models import ChangeRecord
from diaodu.factories import UserFactory
from diaodu.inspections import services
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.inspections.tests.conftest import TODAY, at, png, record
from diaodu.notifications.models import Notification
from diaodu.problems.choices import ProblemSource, TaskSource
from diaodu.problems.models import Problem, Task
from diaodu.reporting.choices import ReportStatus


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("hq", True),
        ("inspector", True),
        ("leader", False),
        ("jiefang", False),
        ("jiaotong", False),
        ("owner", False),
        ("nobody", False),
    ],
)
def test_who_may_inspect(city, who, allowed):
    assert services.can_inspect(getattr(city.users, who)) is allowed


def test_superusers_may_inspect_and_inactive_users_may_not(city):
    assert services.can_inspect(UserFactory(username="root", is_superuser=True, role=""))
    city.users.inspector.is_active = False
    assert not services.can_inspect(city.users.inspector)


def test_the_report_checked_is_the_last_one_submitted_before_the_visit(city, periods, reports):
    p = city.projects
    assert services.last_report(p.jiefang, TODAY) == reports.may  # not June's draft
    assert services.last_report(p.jiefang, periods.may.start - timedelta(days=1)) == reports.april
    assert services.last_report(p.jiefang, periods.april.start - timedelta(days=1)) is None
    assert services.last_report(p.street, TODAY) == reports.street  # not the returned one
    assert services.last_report(p.city, TODAY) is None
    # A report counts as soon as it is submitted, approved or not.
    june = reports.june_draft
    june.status, june.submitted_at = ReportStatus.SUBMITTED, at(TODAY)
    june.save()
    assert services.last_report(p.jiefang, TODAY) == june
    assert services.last_report(p.jiefang, periods.june.start - timedelta(days=1)) == reports.may


def test_recording_copies_the_report_and_computes_the_gap(city, reports):
    inspection = record(city)
    assert inspection.report == reports.may
    assert inspection.reported_percent == Decimal("60")
    assert inspection.verified_percent == Decimal("45")
    assert inspection.progress_gap == Decimal("15")
    assert inspection.is_overstated
    assert inspection.recorded_by == city.users.inspector
    assert Inspection.objects.overstated().get() == inspection
    change = ChangeRecord.objects.get(content_type__model="inspection")
    assert change.project == city.projects.jiefang and change.actor == city.users.inspector
    # A later report does not change what the inspection found.
    reports.may.physical_percent = Decimal("30")
    reports.may.save()
    inspection.refresh_from_db()
    assert (inspection.reported_percent, inspection.progress_gap) == (Decimal("60"), Decimal("15"))


def test_a_gap_within_the_setting_is_not_overstated(city, reports, settings):
    assert not record(city, seen="50").is_overstated  # exactly 10 points
    assert record(city, seen="49.9").is_overstated
    settings.DIAODU_PROGRESS_GAP = 20
    assert not Inspection.objects.overstated().exists()


def test_no_report_or_no_percentage_means_no_gap(city, reports):
    inspection = record(city, city.projects.city)
    assert inspection.report is None and inspection.progress_gap is None
    assert not inspection.is_overstated
    assert record(city, seen=None).progress_gap is None


def test_overstated_progress_is_told_to_the_owner_and_the_regions(city, reports):
    record(city, city.projects.street, seen="20")  # 40 reported
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    # 街道项目 belongs to 高新建投 (no account) in 焦南街道, under 解放区.
    assert told == {"jiefang"}
    Notification.objects.all().delete()
    record(city, seen="50")  # within the setting: nobody is told
    assert not Notification.objects.exists()
    record(city, seen="40")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "owner",
        "jiefang",
    }


def test_problems_and_tasks_are_raised_on_the_spot(city, reports):
    inspection = record(
        city,
        rating=Rating.POOR,
        problems=[
            {
                "description": "施工单位资金周转困难，现场基本停工",
                "category": "funding",
                "responsible_unit": city.touzi,
                "deadline": TODAY + timedelta(days=15),
            }
        ],
        tasks=[
            {
                "content": "督促建设单位十日内全面复工",
                "lead_unit": city.jiefang,
                "deadline": TODAY + timedelta(days=10),
            }
        ],
    )
    problem = Problem.objects.get()
    assert problem.inspection == inspection and problem.source == ProblemSource.INSPECTION
    assert problem.project == city.projects.jiefang and problem.raised_by == city.users.inspector
    assert problem.category == "funding" and problem.responsible_unit == city.touzi
    task = Task.objects.get()
    assert task.inspection == inspection and task.source == TaskSource.INSPECTION
    assert task.project == city.projects.jiefang and task.lead_unit == city.jiefang
    assert list(inspection.problems.all()) == [problem] and list(inspection.tasks.all()) == [task]
    # The units hear of them as of any problem or task.
    assert Notification.objects.filter(recipient=city.users.owner, url__contains="/problems/")
    assert Notification.objects.filter(recipient=city.users.jiefang, url__contains="/tasks/")


def test_every_error_is_reported_and_nothing_is_written(city, reports):
    good = {
        "description": "征地拆迁未完成",
        "responsible_unit": city.jiefang,
        "deadline": TODAY + timedelta(days=5),
    }
    with pytest.raises(ValidationError) as caught:
        record(
            city,
            seen="120",
            day=TODAY + timedelta(days=1),
            inspectors="",
            problems=[good, {"description": "  ", "deadline": TODAY - timedelta(days=5)}],
            tasks=[{"content": "复工", "lead_unit": None, "deadline": None}],
        )
    fields, rows = services.split_errors(caught.value)
    assert fields["date"] == [_("The date of the visit cannot be in the future.")]
    assert set(fields) == {"date", "inspectors", "verified_percent"}
    assert list(rows["problems"]) == [1]  # the good row is fine
    assert rows["problems"][1] == {
        "description": [_("Describe the problem.")],
        "responsible_unit": [_("Choose the responsible unit.")],
        "deadline": [_("The deadline cannot be before the visit.")],
    }
    assert rows["tasks"][0] == {
        "lead_unit": [_("Choose the lead unit.")],
        "deadline": [_("Give a deadline.")],
    }
    assert not Inspection.objects.exists() and not Problem.objects.exists()
    assert not Task.objects.exists() and not ChangeRecord.objects.exists()
    assert not Notification.objects.exists()


def test_a_row_refused_while_writing_undoes_everything(city, reports, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValidationError("拒绝")

    monkeypatch.setattr(services.problem_services, "do_assign_task", refuse)
    with pytest.raises(ValidationError) as caught:
        record(
            city,
            problems=[
                {
                    "description": "征地拆迁未完成",
                    "responsible_unit": city.jiefang,
                    "deadline": TODAY + timedelta(days=5),
                }
            ],
            tasks=[{"content": "复工", "lead_unit": city.jiefang, "deadline": TODAY}],
        )
    assert caught.value.message_dict == {"tasks.0": ["拒绝"]}
    assert not Inspection.objects.exists() and not Problem.objects.exists()
    assert not ChangeRecord.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("who", ["leader", "jiefang", "jiaotong", "owner", "nobody"])
def test_other_roles_cannot_record(city, reports, who):
    with pytest.raises(PermissionDenied):
        record(city, user=getattr(city.users, who))
    assert not Inspection.objects.exists()


def test_headquarters_can_record(city, reports):
    assert record(city, user=city.users.hq).recorded_by == city.users.hq


def test_photos_are_checked_like_report_photos(city, reports, settings):
    inspection = record(city)
    photo = services.do_add_inspection_photo(city.users.inspector, inspection, png(), " 塔吊闲置 ")
    assert photo.caption == "塔吊闲置" and photo.image.name.endswith(".png")
    assert ChangeRecord.objects.filter(content_type__model="inspectionphoto").get().project == (
        city.projects.jiefang
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("site.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.do_add_inspection_photo(city.users.inspector, inspection, fake)
    settings.DIAODU_PHOTO_MAX_MB = 0
    with pytest.raises(ValidationError) as caught:
        services.do_add_inspection_photo(city.users.inspector, inspection, png())
    assert "MB" in caught.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.do_add_inspection_photo(city.users.owner, inspection, png())
    assert InspectionPhoto.objects.count() == 1
