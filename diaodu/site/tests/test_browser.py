"""The field work in a real browser (Debian's Chromium, driven by Playwright), at a desk and
on a phone (390 × 844): an owner files and submits a report with a photo, the district
approves it, an inspector records a visit, headquarters turns minutes into tasks; on a phone,
a unit reports a problem solved and headquarters verifies and closes a task. On every
page: nothing is wider than the screen; on a phone the menu is one button, every button and
field is at least 44 px high, and the lists' rows are cards, each cell labelled.

The browser is /usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests
are skipped, except under CI=true, where they fail.
"""

import io
import os
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from diaodu.factories import (
    ApprovalFactory,
    InspectionFactory,
    MeetingFactory,
    ProblemFactory,
    ReportingPeriodFactory,
    TaskFactory,
)
from diaodu.inspections.models import Inspection
from diaodu.problems.choices import ProblemStatus, TaskStatus
from diaodu.problems.models import Task
from diaodu.projects.choices import ApprovalStatus
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

SIZES = {"desk": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today("2026-11-20")]


@pytest.fixture(params=list(SIZES))
def size(request):
    return request.param


@pytest.fixture
def open_as(signed_in, size):
    """A page in the browser, signed in as `user`, at the size of the test."""

    def opened(user):
        page = signed_in(user, viewport=SIZES[size])
        page.set_default_timeout(15000)
        return page

    return opened


def visit(page, live_server, path, size):
    """Open a page; check it is no wider than the screen and, on a phone, that what a thumb
    presses is big enough and that the menu is one button that opens it."""
    response = page.goto(live_server.url + path)
    assert response.status == 200, (path, response.status)
    check_fits(page, path, size)
    return page


def check_fits(page, path, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{path} is {width} px wide on a {viewport} px screen ({size})"
    toggler = page.locator(".navbar-toggler")
    if size == "phone":
        check_tap_targets(page, path)
        assert toggler.is_visible() and not page.locator("#navbar-menu").is_visible()
        toggler.click()
        page.locator("#navbar-menu").wait_for(state="visible")
        toggler.click()
    else:
        assert not toggler.is_visible()


# On a phone, the list's rows as cards: each row a block, each of its cells labelled with its
# column's header (shown before the cell's content).
CARDS = """() => Array.from(document.querySelectorAll("table.table-cards")).flatMap(table => {
    const heads = Array.from(table.querySelectorAll("thead tr:first-child th"))
        .map(th => th.textContent.trim());
    return Array.from(table.querySelectorAll("tbody tr")).map(row => ({
        display: getComputedStyle(row).display,
        cells: Array.from(row.children).filter(cell => !cell.hasAttribute("colspan")
                && getComputedStyle(cell).display !== "none").map(cell => ({
            heading: heads[cell.cellIndex] || "",
            label: cell.dataset.label || "",
            shown: getComputedStyle(cell, "::before").content,
        })),
    }));
})"""

# Everything a thumb presses, visible on the page, and its height in CSS pixels.
TARGETS = """() => Array.from(document.querySelectorAll(".btn, .form-control"))
    .filter(element => element.checkVisibility())
    .map(element => ({
        what: element.outerHTML.slice(0, 120),
        height: element.getBoundingClientRect().height,
    }))"""


def check_cards(page, path):
    """On a phone, a list's rows are cards: blocks, each cell with its column's label."""
    rows = page.evaluate(CARDS)
    assert any(row["cells"] for row in rows), f"{path}: no row of data to see as a card"
    for row in rows:
        assert row["display"] == "block", f"{path}: a row is shown as {row['display']}"
        for cell in row["cells"]:
            heading = cell["heading"]
            if heading:
                assert cell["label"] == heading and heading in cell["shown"], (path, cell)


def check_tap_targets(page, path):
    """On a phone, every visible button and field is at least 44 px high."""
    small = [target for target in page.evaluate(TARGETS) if target["height"] < 44]
    assert not small, f"{path}: under 44 px high: {small}"


def submit(page, button):
    """Press a button that posts its form, and wait for the page the answer leads to."""
    with page.expect_navigation():
        button.click()


def photo_file(tmp_path):
    path = tmp_path / "site.jpg"
    image = Image.new("RGB", (1200, 900), (90, 140, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    taken = timezone.now().timestamp()  # taken on the tests' day, as the phone would say
    os.utime(path, (taken, taken))
    return path


def test_an_owner_files_with_a_photo_and_the_district_approves(
    city, live_server, open_as, size, tmp_path
):
    period = ReportingPeriodFactory(day=date(2026, 11, 5))
    project = city.projects.jiefang
    page = open_as(city.users.owner)
    visit(page, live_server, reverse("reporting:fill", args=[period.pk]), size)
    row = page.locator(f"#row-{project.pk}")
    prefix = f"p{project.pk}-"
    row.locator(f"[name={prefix}invested]").fill("120.5")
    row.locator(f"[name={prefix}physical_percent]").fill("35")
    row.locator(f"[name={prefix}physical_progress]").fill("主体结构施工至三层")
    row.locator("[data-fill-save]").click()
    page.locator(f"#row-{project.pk}[data-draft-state=saved]").wait_for()
    report = ProgressReport.objects.get(project=project, period=period)
    assert report.invested == 120.5 and report.status == ReportStatus.DRAFT

    visit(page, live_server, reverse("reporting:report", args=[report.pk]), size)
    page.locator("input[type=file][name=image]").set_input_files(str(photo_file(tmp_path)))
    submit(page, page.get_by_role("button", name="添加照片"))
    assert report.photos.count() == 1
    submit(page, page.get_by_role("button", name="报送审核"))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    reviewer = open_as(city.users.jiefang)
    visit(reviewer, live_server, reverse("reporting:report", args=[report.pk]), size)
    submit(reviewer, reviewer.get_by_role("button", name="审核通过"))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    check_fits(reviewer, "the approved report", size)


def test_an_inspector_records_a_visit(city, live_server, open_as, size):
    project = city.projects.jiefang
    page = open_as(city.users.inspector)
    visit(page, live_server, reverse("inspections:new") + f"?project={project.pk}", size)
    page.locator("[name=date]").fill("2026-11-19")
    page.locator("[name=inspectors]").fill("张明、李华")
    page.locator("[name=rating]").select_option("good")
    page.locator("[name=findings]").fill("现场施工人员约80人，主体结构施工至三层。")
    page.locator("[name=verified_progress]").fill("主体结构施工至三层")
    submit(page, page.get_by_role("button", name="保存督查记录"))
    inspection = Inspection.objects.get(project=project)
    check_fits(page, "the inspection", size)
    assert "主体结构" in inspection.findings


def test_headquarters_turns_minutes_into_tasks(city, live_server, open_as, size):
    meeting = MeetingFactory(date=date(2026, 11, 18))
    page = open_as(city.users.hq)
    visit(page, live_server, reverse("meetings:detail", args=[meeting.pk]), size)
    page.locator("textarea[name=text]").fill(
        "会议要求：解放区项目由交通运输局牵头，于2026年12月31日前完成管网迁改。"
    )
    submit(page, page.get_by_role("button", name="从会议纪要中提取任务"))
    check_fits(page, "the review of the tasks found", size)
    submit(page, page.get_by_role("button", name="新增勾选的任务"))
    task = Task.objects.get(meeting=meeting)
    assert task.project == city.projects.jiefang and task.lead_unit == city.jiaotong
    assert task.deadline == date(2026, 12, 31)
    check_fits(page, "the meeting with its task", size)


def press(page, label, text):
    """Write in an action's box on a problem's or a task's page and press its button."""
    button = page.get_by_role("button", name=label, exact=True)
    page.locator("form", has=button).locator("textarea[name=text]").fill(text)
    submit(page, button)


def test_on_a_phone_the_unit_reports_a_problem_solved(city, live_server, signed_in):
    problem = ProblemFactory(project=city.projects.jiefang, responsible_unit=city.jiaotong)
    page = signed_in(city.users.jiaotong, viewport=SIZES["phone"])
    page.set_default_timeout(15000)
    visit(page, live_server, reverse("problems:problem", args=[problem.pk]), "phone")
    press(page, "报解决", "管线已迁改完毕，现场已恢复施工")
    page.get_by_role("alert").filter(has_text="已报解决。").wait_for()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REPORTED_SOLVED
    assert problem.solved_by == city.users.jiaotong
    assert problem.follow_ups.get().text == "管线已迁改完毕，现场已恢复施工"
    check_fits(page, "the problem reported solved", "phone")


def test_on_a_phone_headquarters_verifies_and_closes_a_task(city, live_server, signed_in):
    task = TaskFactory(
        project=city.projects.jiefang,
        lead_unit=city.jiaotong,
        status=TaskStatus.REPORTED_DONE,
        done_by=city.users.jiaotong,
        done_at=timezone.now(),
    )
    page = signed_in(city.users.hq, viewport=SIZES["phone"])
    page.set_default_timeout(15000)
    visit(page, live_server, reverse("problems:task", args=[task.pk]), "phone")
    press(page, "核验销号", "现场核实，管线迁改已完成")
    page.get_by_role("alert").filter(has_text="已销号。").wait_for()
    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == city.users.hq
    check_fits(page, "the task verified and closed", "phone")


PAGES = ["home", "projects:list", "problems:problems", "problems:tasks", "problems:inbox",
         "approvals:list", "battle-map", "dashboard", "inspections:list", "meetings:list",
         "reporting:periods", "changes"]  # fmt: skip


def test_every_list_fits_the_screen(city, live_server, open_as, size):
    problem = ProblemFactory(project=city.projects.jiefang, responsible_unit=city.jiaotong)
    task = TaskFactory(project=city.projects.jiefang, lead_unit=city.jiaotong)
    # A row in each list, to see as a card.
    ApprovalFactory(
        project=city.projects.jiefang,
        responsible_department=city.jiaotong,
        status=ApprovalStatus.IN_PROGRESS,  # the list shows the open queue
        applied_on=date(2026, 11, 2),
        time_limit_days=20,
    )
    InspectionFactory(project=city.projects.jiefang)
    MeetingFactory()
    ReportingPeriodFactory()
    page = open_as(city.users.hq)
    paths = [reverse(name) for name in PAGES] + [
        reverse("problems:problem", args=[problem.pk]),
        reverse("problems:task", args=[task.pk]),
        reverse("projects:detail", args=[city.projects.jiefang.pk]),
    ]
    for path in paths:
        visit(page, live_server, path, size)
        if size == "phone" and page.locator("table.table-cards").count():
            check_cards(page, path)
