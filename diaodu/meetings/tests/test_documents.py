"""The agenda and minutes as Word documents: they open, carry the title, the tables, SimSun."""

from io import BytesIO

from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from diaodu.conftest import login
from diaodu.meetings.agenda import build_agenda
from diaodu.meetings.documents import DOCX, agenda_docx, minutes_docx
from diaodu.problems.models import Task


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
    assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"


def test_minutes_docx(city, ledger):
    ledger.meeting.decisions = "一、加快推进项目建设。\n二、各单位按期完成任务。"
    ledger.meeting.chair = city.leader
    ledger.meeting.save()
    Task.objects.filter(meeting=ledger.previous).update(meeting=ledger.meeting)
    document = _open(minutes_docx(ledger.meeting))
    text = "\n".join(p.text for p in document.paragraphs)
    assert ledger.meeting.title in document.paragraphs[0].text
    assert "王建国" in text and "交通运输局" in text and "各单位按期完成任务" in text
    rows = _cells(document)
    assert len(rows) == 4  # header and three tasks
    assert rows[1][1:4] == ["完成征地拆迁扫尾工作", "解放区项目", "交通运输局"]


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
