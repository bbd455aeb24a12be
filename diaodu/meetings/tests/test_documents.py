"""The agenda and minutes as Word documents: they open, carry the title, the tables, the fonts,
the 会议纪要 form and dates written as offices write them."""

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable

from diaodu.conftest import login
from diaodu.core import pdf
from diaodu.core.choices import Light
from diaodu.core.models import DocumentNumber
from diaodu.core.pdf import PDF
from diaodu.factories import MilestoneFactory
from diaodu.meetings import services
from diaodu.meetings.agenda import build_agenda
from diaodu.meetings.documents import DOCX, agenda_docx, agenda_title, minutes_docx
from diaodu.meetings.tests.conftest import TODAY, make_meeting
from diaodu.monitoring import snapshots as taking
from diaodu.problems import services as ps
from diaodu.problems.choices import ProblemLevel
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ProjectSnapshot

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")


def _open(content: bytes):
    return Document(BytesIO(content))


def _cells(document):
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_agenda_docx(city, ledger):
    document = _open(agenda_docx(ledger.meeting, build_agenda(ledger.meeting, city.users.hq)))
    title = document.paragraphs[0]
    assert ledger.meeting.title in title.text and "2026" in title.text
    assert title.alignment == 1  # centred
    assert any(p.text.startswith("一、") for p in document.paragraphs)
    assert any(p.text.startswith("五、") for p in document.paragraphs)
    rows = _cells(document)
    assert any(row[1] == "解放区项目" and "序时进度" in row[4] for row in rows)
    assert any("主体封顶" in row for row in rows)
    assert any(ledger.escalated.description in row for row in rows)
    assert any("完成征地拆迁扫尾工作" in row for row in rows)
    assert not any("高新区项目" in cell for row in rows for cell in row)
    run = title.runs[0]
    assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert run.font.size == Pt(22)
    _assert_a4(document)


def _assert_a4(document):
    """A4 in the margins of GB/T 9704, not US Letter."""
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert round(page.top_margin.mm) == 37 and round(page.left_margin.mm) == 28


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_the_agenda_names_its_month_once_and_writes_dates_in_chinese(city, ledger):
    meeting = ledger.meeting
    meeting.title, meeting.date = "12月重点项目调度会", date(2026, 12, 12)
    meeting.save()
    document = _open(agenda_docx(meeting, build_agenda(meeting, city.users.hq)))
    assert document.paragraphs[0].text == "12月重点项目调度会议程"
    meeting.title = "重点项目调度会"
    assert agenda_title(meeting) == "2026年12月重点项目调度会议程"
    meeting.title = "2026年重点项目调度会"
    assert agenda_title(meeting) == "2026年12月重点项目调度会议程"
    cells = [cell for row in _cells(document) for cell in row]
    assert "2026年5月1日" in cells  # the overdue milestone's planned date
    assert not any(ISO.search(cell) for cell in cells)
    assert "2026年12月12日" in _text(document)


def test_minutes_docx(city, ledger):
    """The 会议纪要 form: 纪要标志, the decisions numbered with units and deadlines, 出席,
    列席, 抄送."""
    meeting = ledger.meeting
    meeting.decisions = "一、加快推进项目建设。\n二、各单位按期完成任务。"
    meeting.chair = city.leader
    meeting.save()
    Task.objects.filter(meeting=ledger.previous).update(meeting=meeting)
    ledger.running_task.responsible_units.set([city.ziran])
    document = _open(minutes_docx(meeting))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "重点项目调度会议纪要"
    assert "2026年6月12日" in paragraphs[1]
    numbered = [p for p in paragraphs if NUMBERED.match(p)]
    assert [p[:2] for p in numbered] == ["一、", "二、", "三、", "四、", "五、"]
    assert numbered[0] == "一、加快推进项目建设。"
    assert numbered[2].startswith("三、完成征地拆迁扫尾工作")
    assert "责任单位：交通运输局" in numbered[2] and "完成时限：2026年6月1日" in numbered[2]
    assert "责任单位：交通运输局、自然资源和规划局" in numbered[4]
    assert "完成时限：2026年6月30日" in numbered[4]
    text = _text(document)
    assert "出席：王建国" in text and "列席：交通运输局" in text
    assert "抄送：交通运输局，自然资源和规划局。" in text
    assert document.paragraphs[0].runs[0].font.size == Pt(22)
    _assert_a4(document)
    assert not ISO.search(text)


def test_the_minutes_kept_are_the_decisions_when_nothing_else_is(city, ledger):
    """Minutes pasted and kept, no task confirmed and no decision typed: the document shows
    the minutes, not "—"."""
    services.do_save_minutes(city.users.hq, ledger.meeting, "会议要求加快推进。\n各单位抓好落实。")
    document = _open(minutes_docx(ledger.meeting))
    numbered = [p.text for p in document.paragraphs if NUMBERED.match(p.text)]
    assert numbered == ["一、会议要求加快推进。", "二、各单位抓好落实。"]


def test_the_minutes_are_numbered_once(city, ledger):
    """Headquarters or a leader downloading the minutes gives them their number; anyone
    downloading them after gets the same; before, there is none."""
    number = re.compile(r"焦重办〔2026〕\d+号")
    page = reverse("meetings:minutes-docx", args=[ledger.meeting.pk])

    def numbers(client, url=page):
        response = client.get(url)
        assert response.status_code == 200
        return number.findall(_text(_open(response.content)))

    assert numbers(login(city.users.jiefang)) == []
    first = numbers(login(city.users.hq))
    assert len(first) == 1
    assert numbers(login(city.users.jiefang)) == first
    api_url = f"/api/meetings/{ledger.meeting.pk}/minutes-docx/"
    assert numbers(login(city.users.leader), api_url) == first
    previous = reverse("meetings:minutes-docx", args=[ledger.previous.pk])
    assert numbers(login(city.users.hq), previous) != first


def test_the_meeting_page_shows_the_minutes_kept(city, ledger):
    services.do_save_minutes(city.users.hq, ledger.meeting, "会议要求加快推进。")
    url = reverse("meetings:detail", args=[ledger.meeting.pk])
    for user in (city.users.hq, city.users.jiefang):
        assert "会议要求加快推进。" in login(user).get(url).content.decode()


def test_downloads_are_scoped(city, ledger):
    for name in ("meetings:agenda-docx", "meetings:minutes-docx"):
        url = reverse(name, args=[ledger.meeting.pk])
        response = login(city.users.jiefang).get(url)
        assert response.status_code == 200 and response["Content-Type"] == DOCX
        _open(response.content)
        assert login(city.users.gaoxin).get(url).status_code == 404


def test_control_characters_in_a_meeting_do_not_break_its_documents(city, ledger):
    """A title or minutes sent with control characters (the API keeps them) made the Word
    documents fail with a server error; they are left out of the text."""
    meeting = ledger.meeting
    meeting.title, meeting.place, meeting.minutes = "六月\x01调度会\x0b", "\x1f会议室", "纪要\x02"
    meeting.save()
    for action in ("agenda-docx", "minutes-docx"):
        response = login(city.users.hq).get(f"/api/meetings/{meeting.pk}/{action}/")
        assert response.status_code == 200 and response["Content-Type"] == DOCX
        assert "六月调度会" in _open(response.content).paragraphs[0].text


# -- the agenda and minutes as PDF (?format=pdf), where LibreOffice is installed --------------

NO_LIBREOFFICE = "服务器未安装 LibreOffice"
MEETING_DOCUMENTS = ("meetings:agenda-docx", "meetings:minutes-docx")


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed: PDF is optional")
def test_the_agenda_and_minutes_as_pdf(city, ledger):
    meeting = ledger.meeting
    client = login(city.users.hq)
    responses = [
        client.get(reverse(name, args=[meeting.pk]), {"format": "pdf"})
        for name in MEETING_DOCUMENTS
    ]
    for action in ("agenda-docx", "minutes-docx"):
        responses.append(client.get(f"/api/meetings/{meeting.pk}/{action}/", {"format": "pdf"}))
    for response in responses:
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == PDF
        assert response["Content-Disposition"].startswith("inline;")
        assert response.content.startswith(b"%PDF")
    # The minutes were numbered once, by the PDF; the Word file carries that number.
    assert DocumentNumber.objects.count() == 1
    word = client.get(reverse("meetings:minutes-docx", args=[meeting.pk]))
    assert "焦重办〔2026〕1号" in _text(_open(word.content))
    assert DocumentNumber.objects.count() == 1
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    for name in MEETING_DOCUMENTS:
        assert reverse(name, args=[meeting.pk]) + "?format=pdf" in detail


def test_without_libreoffice_the_meeting_pdfs_are_refused(city, ledger, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    meeting = ledger.meeting
    client = login(city.users.jiefang)
    for name in MEETING_DOCUMENTS:
        response = client.get(reverse(name, args=[meeting.pk]), {"format": "pdf"})
        assert response.status_code == 302
        assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
        page = client.get(response["Location"]).content.decode()
        assert NO_LIBREOFFICE in page and reverse(name, args=[meeting.pk]) in page
        assert "?format=pdf" not in page
    for action in ("agenda-docx", "minutes-docx"):
        answer = client.get(f"/api/meetings/{meeting.pk}/{action}/", {"format": "pdf"})
        assert answer.status_code == 409 and NO_LIBREOFFICE in answer.json()["detail"]


def test_the_meeting_pdfs_are_scoped_as_the_word_files(city, ledger):
    meeting = ledger.meeting
    for name in MEETING_DOCUMENTS:
        url = reverse(name, args=[meeting.pk])
        assert login(city.users.gaoxin).get(url, {"format": "pdf"}).status_code == 404
    for action in ("agenda-docx", "minutes-docx"):
        url = f"/api/meetings/{meeting.pk}/{action}/"
        assert login(city.users.gaoxin).get(url, {"format": "pdf"}).status_code == 404


def test_a_task_without_a_project_in_what_changed_since_the_last_meeting(city, ledger):
    """A task set on no project (a general one) that became overdue is listed with "—"."""
    earlier = make_meeting(city, title="上月全市调度会", date=date(2026, 5, 11))
    meeting = make_meeting(city, title="本月调度会", date=date(2026, 6, 11))
    Task.objects.create(
        content="梳理全市用地需求清单",
        lead_unit=city.jiaotong,
        deadline=date(2026, 6, 1),
        created_by=city.users.hq,
    )
    agenda = build_agenda(meeting, city.users.hq)
    assert agenda.previous == earlier and agenda.changes is not None
    assert "梳理全市用地需求清单" in [t.content for t in agenda.changes.tasks_overdue]
    rows = _cells(_open(agenda_docx(meeting, agenda)))
    assert any(row[1:3] == ["梳理全市用地需求清单", "—"] for row in rows)
    page = login(city.users.hq).get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 200 and "梳理全市用地需求清单" in page.content.decode()


def _sections(document) -> dict[str, list[list[str]]]:
    """Each numbered section's heading (without its numeral) and the rows of its table, the
    header row left out; a section with nothing to show has none."""
    found: dict[str, list[list[str]]] = {}
    heading = None
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            found[heading] = [[cell.text for cell in row.cells] for row in block.rows][1:]
        elif NUMBERED.match(block.text):
            heading = NUMBERED.sub("", block.text)
            found[heading] = []
    return found


def test_the_agenda_says_what_changed_since_the_last_meeting(city, ledger):
    """Lights changed (from → to, with the new reason), problems raised, solved and escalated,
    milestones met and missed, tasks overdue and the investment by region, each in its section
    of the agenda as written to Word and read back."""
    p, hq = city.projects, city.users.hq
    start = ledger.previous.date  # 11 May 2026
    # The lights at the close of April, the last month closed by the previous meeting: green.
    taking.take(date(2026, 4, 1))
    ProjectSnapshot.objects.filter(snapshot__month=date(2026, 4, 1)).update(
        light=Light.GREEN, light_reasons=[]
    )
    # The ledger raised its problems today; these three were raised in April.
    texts = ("施工用电线路迁改未完成", "征地补偿资金缺口2000万元", "四月提出、未再变化的问题")
    solved, escalated, quiet = (
        ps.do_raise_problem(
            hq, p.jiefang, description=text, responsible_unit=city.jiaotong, deadline=TODAY
        )
        for text in texts
    )
    Problem.objects.filter(pk__in=[solved.pk, escalated.pk, quiet.pk]).update(
        created_at=timezone.make_aware(datetime(2026, 4, 20, 10))
    )
    ps.do_report_problem_solved(city.users.jiaotong, Problem.objects.get(pk=solved.pk), "已迁改")
    ps.do_verify_problem(hq, Problem.objects.get(pk=solved.pk), "现场核实已迁改")
    ps.do_escalate_problem(hq, Problem.objects.get(pk=escalated.pk), "区级无法协调资金")
    assert Problem.objects.get(pk=escalated.pk).level == ProblemLevel.DISTRICT_LEADER
    raised = ps.do_raise_problem(
        hq, p.street, description="临时占道审批未办结", responsible_unit=city.ziran, deadline=TODAY
    )
    MilestoneFactory(project=p.street, name="桩基完成", planned_date=date(2026, 5, 20))
    MilestoneFactory(project=p.jiefang, name="主体结构验收", planned_date=date(2026, 5, 30),
                     actual_date=date(2026, 5, 28))  # fmt: skip
    MilestoneFactory(project=p.gaoxin, name="高新区节点已完成", planned_date=date(2026, 5, 30),
                     actual_date=date(2026, 5, 29))  # fmt: skip
    # May's reports approved: 解放区 and its street, each under its own region.
    ProgressReport.objects.filter(period=ledger.period, project=p.jiefang).update(
        status=ReportStatus.APPROVED, invested=Decimal("120")
    )
    ProgressReport.objects.create(project=p.street, period=ledger.period, invested=Decimal("80"),
                                  status=ReportStatus.APPROVED)  # fmt: skip
    # Today's lights, as the ledger lit them (the changes above relit the projects).
    for project, light, reason in (
        (p.jiefang, Light.RED, "年度投资完成率落后序时进度35个百分点"),
        (p.street, Light.YELLOW, "1个节点逾期"),
    ):
        Project.objects.filter(pk=project.pk).update(light=light, light_reasons=[[light, reason]])

    agenda = build_agenda(ledger.meeting, hq)
    assert agenda.previous == ledger.previous and agenda.changes.start == start
    sections = _sections(_open(agenda_docx(ledger.meeting, agenda)))
    green, red, yellow = Light.GREEN.label, Light.RED.label, Light.YELLOW.label
    assert sections["上次会议以来预警变化"] == [
        ["1", "解放区项目", "解放区", green, red, "年度投资完成率落后序时进度35个百分点"],
        ["2", "街道项目", "焦南街道", green, yellow, "1个节点逾期"],
    ]
    # Raised since (the ledger's three today, in the order raised, then the street's), solved,
    # escalated; neither the problem raised in April and left alone nor 高新区's.
    assert [row[1:] for row in sections["上次会议以来的问题"]] == [
        ["街道项目", "街道项目用地指标未落实", "新提出"],
        ["解放区项目", "解放区项目用地指标未落实", "新提出"],
        ["解放区项目", "解放区项目用地指标未落实", "新提出"],
        ["街道项目", raised.description, "新提出"],
        ["解放区项目", solved.description, "已解决"],
        ["解放区项目", escalated.description, "已上报"],
    ]
    assert [row[1:] for row in sections["上次会议以来逾期的任务"]] == [
        ["完成征地拆迁扫尾工作", "解放区项目", "交通运输局", "2026年6月1日"]
    ]
    assert [row[1:] for row in sections["上次会议以来的节点"]] == [
        ["解放区项目", "主体结构验收", "2026年5月30日", "已完成"],
        ["街道项目", "桩基完成", "2026年5月20日", "未按期完成"],
    ]
    invested = {region: amount for _no, region, amount in sections["上次会议以来完成投资（万元）"]}
    assert invested == {"解放区": "120.00", "焦南街道": "80.00"}
