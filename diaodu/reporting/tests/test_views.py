"""Pages of the reporting cycle: scope, the grid, uploads, the report page and collisions."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from diaodu.conftest import login
from diaodu.reporting import services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.tests.conftest import at
from diaodu.reporting.tests.test_services import GOOD, file, submitted

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")


def test_pages_redirect_anonymous(client, city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    for url in (
        reverse("reporting:periods"),
        reverse("reporting:period", args=[period.pk]),
        reverse("reporting:fill", args=[period.pk]),
        reverse("reporting:template", args=[period.pk]),
        reverse("reporting:upload", args=[period.pk]),
        reverse("reporting:report", args=[report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url


def test_report_page_in_scope_and_out_of_scope(city, period):
    gaoxin = file(city.users.hq, city.projects.gaoxin, period).report
    jiefang = file(city.users.owner, city.projects.jiefang, period).report
    client = login(city.users.jiefang)
    assert client.get(reverse("reporting:report", args=[jiefang.pk])).status_code == 200
    assert client.get(reverse("reporting:report", args=[gaoxin.pk])).status_code == 404
    response = client.post(reverse("reporting:action", args=[gaoxin.pk, "approve"]))
    assert response.status_code == 404


def test_who_is_behind_lists_only_the_scope(city, period):
    with time_machine.travel(at("2026-05-20")):
        submitted(city, period)
    response = login(city.users.jiefang).get(reverse("reporting:period", args=[period.pk]))
    names = {row.project.name for row in response.context["rows"]}
    assert names == {"解放区项目", "街道项目"}
    filings = {row.project.name: row.filing for row in response.context["rows"]}
    assert filings == {"解放区项目": "submitted", "街道项目": "missing"}
    hq = login(city.users.hq).get(reverse("reporting:period", args=[period.pk]))
    counts = {str(c["unit"]): c for c in hq.context["counts"]}
    assert counts["解放区"]["reported"] == 1 and counts["高新区"]["missing"] == 1
    missing = login(city.users.hq).get(
        reverse("reporting:period", args=[period.pk]), {"filing": "missing"}
    )
    assert len(missing.context["rows"]) == 3


def test_who_is_behind_query_count_is_fixed(city, period, django_assert_max_num_queries):
    client = login(city.users.hq)
    for project in vars(city.projects).values():
        file(city.users.hq, project, period)
    with django_assert_max_num_queries(12):
        client.get(reverse("reporting:period", args=[period.pk]))


def test_grid_shows_the_owners_projects_and_saves_a_row(city, period):
    client = login(city.users.owner)
    page = client.get(reverse("reporting:fill", args=[period.pk]))
    assert [row["project"].name for row in page.context["rows"]] == ["解放区项目", "全市项目"]
    project = city.projects.jiefang
    data = {f"p{project.pk}-{key}": value for key, value in GOOD.items()}
    data[f"p{project.pk}-version"] = "0"
    response = client.post(reverse("reporting:fill-row", args=[period.pk, project.pk]), data)
    assert response.status_code == 200
    assert 'data-draft-state="saved"' in response.content.decode()
    assert ProgressReport.objects.get(project=project).invested == Decimal("120.50")


def test_grid_row_with_bad_values_keeps_what_was_typed(city, period):
    client = login(city.users.owner)
    project = city.projects.jiefang
    data = {
        f"p{project.pk}-invested": "-3",
        f"p{project.pk}-physical_percent": "101",
        f"p{project.pk}-physical_progress": "已完成桩基",
    }
    response = client.post(reverse("reporting:fill-row", args=[period.pk, project.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "已完成桩基" in html and "-3" in html
    assert 'aria-invalid="true"' in html
    assert not ProgressReport.objects.exists()


def test_grid_row_out_of_scope_is_404(city, period):
    client = login(city.users.owner)
    response = client.post(
        reverse("reporting:fill-row", args=[period.pk, city.projects.gaoxin.pk]), {}
    )
    assert response.status_code == 404


def test_report_page_shows_both_versions_on_collision(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    services.do_save_report(
        city.users.hq,
        city.projects.jiefang,
        period,
        {"physical_progress": "另一人填写的进度"},
        version=report.version,
    )
    response = login(city.users.owner).post(
        reverse("reporting:report", args=[report.pk]),
        {**GOOD, "physical_progress": "我的版本", "version": report.version},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "另一人填写的进度" in html and "我的版本" in html
    report.refresh_from_db()
    assert report.physical_progress == "另一人填写的进度"


def test_review_through_the_page(city, period):
    report = submitted(city, period)
    client = login(city.users.jiefang)
    client.post(reverse("reporting:action", args=[report.pk, "return"]), {"reason": "请补充照片"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    page = client.get(reverse("reporting:report", args=[report.pk]))
    assert "请补充照片" in page.content.decode()
    forbidden = login(city.users.owner).post(
        reverse("reporting:action", args=[report.pk, "approve"])
    )
    assert forbidden.status_code == 403


def _workbook(rows, header=("项目编号", "项目名称", "本期完成投资（万元）", "形象进度（%）")):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年5月进展填报"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


def test_template_then_upload_fills_the_period(city, period):
    client = login(city.users.owner)
    response = client.get(reverse("reporting:template", args=[period.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "序号" and sheet["B2"].value == "项目编号"
    assert sheet.freeze_panes == "A3"
    assert [sheet.cell(row=r, column=1).value for r in (3, 4)] == [1, 2]
    ids = [sheet.cell(row=r, column=2).value for r in (3, 4)]
    assert ids == [city.projects.jiefang.pk, city.projects.city.pk]
    sheet["D3"], sheet["E3"], sheet["D4"] = 88, 20, 12.5
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    response = client.post(reverse("reporting:upload", args=[period.pk]), {"file": buffer})
    assert response.status_code == 302
    assert ProgressReport.objects.get(project=city.projects.jiefang).invested == Decimal("88.00")
    assert ProgressReport.objects.get(project=city.projects.city).invested == Decimal("12.50")


def test_the_template_downloaded_and_uploaded_untouched_imports(city, period):
    """序号, the filter and the print setup do not stand in the upload's way: what was filed
    comes back as it was."""
    client = login(city.users.owner)
    client.post(
        reverse("reporting:upload", args=[period.pk]),
        {"file": _workbook([(city.projects.jiefang.pk, "解放区项目", 88, 20)])},
    )
    before = ProgressReport.objects.get(project=city.projects.jiefang)
    response = client.get(reverse("reporting:template", args=[period.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.auto_filter.ref == "A2:I4" and sheet.print_title_rows == "$2:$2"
    assert sheet["D3"].value == 88 and sheet["D3"].number_format == "#,##0.00"  # 万元
    assert sheet["E3"].value == 20  # 形象进度（%） in points, as typed
    buffer = io.BytesIO(response.content)
    buffer.name = "untouched.xlsx"
    response = client.post(reverse("reporting:upload", args=[period.pk]), {"file": buffer})
    assert response.status_code == 302, response.context and response.context.get("problems")
    after = ProgressReport.objects.get(project=city.projects.jiefang)
    assert (after.invested, after.physical_percent) == (before.invested, before.physical_percent)
    assert after.invested == Decimal("88.00") and after.physical_percent == 20


def test_upload_with_a_bad_row_changes_nothing_and_names_the_row(city, period):
    client = login(city.users.owner)
    good, bad = city.projects.jiefang.pk, city.projects.city.pk
    upload = _workbook(
        [
            (good, "解放区项目", 10, 5),
            (bad, "全市项目", -4, 150),
            (city.projects.gaoxin.pk, "高新区项目", 1, 1),
        ]
    )
    response = client.post(reverse("reporting:upload", args=[period.pk]), {"file": upload})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert {(p.row, p.column) for p in problems} == {
        (4, "本期完成投资（万元）"),
        (4, "形象进度（%）"),
        (5, "项目编号"),
    }
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"not a workbook at all", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xlsx"),
    ],
)
def test_upload_of_a_file_that_is_not_a_workbook(city, period, content, words):
    upload = io.BytesIO(content)
    upload.name = "x.xlsx"
    response = login(city.users.owner).post(
        reverse("reporting:upload", args=[period.pk]), {"file": upload}
    )
    assert words in response.context["problems"][0].message
    assert not ProgressReport.objects.exists()


def test_upload_without_a_header_row(city, period):
    upload = _workbook([(1, 2)], header=("名称", "金额"))
    response = login(city.users.owner).post(
        reverse("reporting:upload", args=[period.pk]), {"file": upload}
    )
    assert "项目编号" in response.context["problems"][0].message


def test_photo_upload_accepts_images_only(city, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = file(city.users.owner, city.projects.jiefang, period).report
    client = login(city.users.owner)
    fake = io.BytesIO(b"not an image")
    fake.name = "site.jpg"
    client.post(reverse("reporting:photo", args=[report.pk]), {"image": fake})
    assert not report.photos.exists()
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, "PNG")
    picture.seek(0)
    picture.name = "site.png"
    client.post(reverse("reporting:photo", args=[report.pk]), {"image": picture, "caption": "现场"})
    assert report.photos.get().caption == "现场"
    other = login(city.users.jiefang).post(reverse("reporting:photo", args=[report.pk]), {})
    assert other.status_code == 403


def test_home_shows_what_waits(city, period):
    page = login(city.users.owner).get(reverse("home"))
    assert {p.name for _period, p in page.context["to_file"]} == {"解放区项目", "全市项目"}
    submitted(city, period)
    page = login(city.users.jiefang).get(reverse("home"))
    assert [r.project.name for r in page.context["to_review"]] == ["解放区项目"]
    assert login(city.users.gaoxin).get(reverse("home")).context["to_review"] == []


def test_submit_from_the_grid_returns_to_the_grid(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    fill = reverse("reporting:fill", args=[period.pk])
    response = login(city.users.owner).post(
        reverse("reporting:action", args=[report.pk, "submit"]), {"next": fill}
    )
    assert response.status_code == 302 and response.url == fill
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    elsewhere = login(city.users.owner).post(
        reverse("reporting:action", args=[report.pk, "submit"]), {"next": "https://evil.example/"}
    )
    assert elsewhere.url == reverse("reporting:report", args=[report.pk])


def test_period_list_pages(city, period):
    response = login(city.users.jiefang).get(reverse("reporting:periods"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [period.pk]


# -- one filing a month, read by every programme ---------------------------------------------


def test_a_monthly_period_is_narrowed_to_one_programme(city, period):
    from diaodu.factories import ProgramFactory

    provincial = ProgramFactory(name="省重点项目", code="provincial", year=2026)
    provincial.projects.add(city.projects.gaoxin)
    last_year = ProgramFactory(name="去年计划", code="old", year=2025)
    client = login(city.users.hq)
    url = reverse("reporting:period", args=[period.pk])
    every = client.get(url).context
    assert len(every["rows"]) == 4 and every["program"] is None
    assert {p.pk for p in every["programs"]} == {city.program.pk, provincial.pk}
    narrowed = client.get(url, {"program": provincial.pk}).context
    assert [row.project for row in narrowed["rows"]] == [city.projects.gaoxin]
    # A programme of another year, or nonsense, narrows nothing.
    for value in (last_year.pk, "x"):
        assert len(client.get(url, {"program": value}).context["rows"]) == 4
    export = client.get(
        reverse("reporting:period-export", args=[period.pk]), {"program": provincial.pk}
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "高新区项目" in names and "解放区项目" not in names


def test_owner_is_told_when_a_report_is_returned_or_approved(city, period):
    from diaodu.notifications.models import Notification

    report = submitted(city, period)
    services.do_return_report(city.users.jiefang, report, "投资与进度不符")
    note = Notification.objects.get(recipient=city.users.owner)
    assert "退回" in note.title and note.body == "投资与进度不符"
    assert note.url == reverse("reporting:report", args=[report.pk])
    report = services.do_submit_report(city.users.owner, report)
    services.do_approve_report(city.users.jiefang, report)
    assert Notification.objects.filter(recipient=city.users.owner).count() == 2
    # The reviewer is not told of their own action.
    assert not Notification.objects.filter(recipient=city.users.jiefang).exists()


def test_reports_waiting_for_review_are_in_the_reviewers_inbox(city, period):
    report = submitted(city, period)
    inbox = login(city.users.jiefang).get(reverse("problems:inbox"))
    assert report in inbox.context["to_review"]
    assert reverse("reporting:report", args=[report.pk]) in inbox.content.decode()
    # Not in another region's inbox; the owner's inbox lists what it still has to file.
    assert login(city.users.gaoxin).get(reverse("problems:inbox")).context["to_review"] == []
    to_file = login(city.users.owner).get(reverse("problems:inbox")).context["to_file"]
    assert [project for _period, project in to_file] == [city.projects.city]


@pytest.mark.parametrize("debug", [True, False])
def test_a_photo_is_served_only_to_those_who_see_its_project(city, period, settings, debug):
    """Through a view that checks access, never from /media/, with debug on or off."""
    from django.core.files.base import ContentFile
    from django.test import override_settings
    from PIL import Image

    from diaodu.reporting.models import ReportPhoto

    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, "PNG")
    report = file(city.users.hq, city.projects.gaoxin, period).report
    photo = ReportPhoto(report=report, caption="现场")
    photo.image.save("site.png", ContentFile(picture.getvalue()), save=True)
    url = reverse("reporting:photo-file", args=[photo.pk])
    with override_settings(DEBUG=debug):
        answer = login(city.users.gaoxin).get(url)
        assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(
            b"\x89PNG"
        )
        assert login(city.users.jiefang).get(url).status_code == 404  # 高新区's photo
        anonymous = login(city.users.nobody)
        anonymous.logout()
        signed_out = anonymous.get(url)
        assert signed_out.status_code == 302 and "/login/" in signed_out.url
        assert anonymous.get("/media/" + photo.image.name).status_code in (302, 404)
    page = login(city.users.gaoxin).get(reverse("reporting:report", args=[report.pk]))
    assert url in page.content.decode() and "/media/" not in page.content.decode()
