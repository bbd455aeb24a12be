"""The previous meeting of the same scope: "since the last meeting" counts from the last meeting
about the same regions, programmes and projects, not from another region's meeting held in
between."""

from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.urls import reverse
from docx import Document

from diaodu.conftest import login
from diaodu.factories import ProgramFactory
from diaodu.meetings.agenda import build_agenda, previous_meeting
from diaodu.meetings.choices import MeetingKind, MeetingLevel
from diaodu.meetings.documents import agenda_docx
from diaodu.meetings.tests.conftest import make_meeting
from diaodu.problems import services as ps
from diaodu.problems.choices import TaskSource


def _task(city, meeting, content, project):
    return ps.do_assign_task(
        city.users.hq,
        content=content,
        project=project,
        lead_unit=city.jiaotong,
        deadline=date(2026, 6, 30),
        source=TaskSource.MEETING,
        meeting=meeting,
    )


@pytest.fixture
def interleaved(city):
    """解放区's and 高新区's monthly meetings, a month apart each and a week apart from each
    other, city-wide ones in between, and one on a project named on its own."""

    def meeting(title, day, **scope):
        return make_meeting(city, title=title, date=day, **scope)

    jiefang, gaoxin = {"regions": [city.jiefang]}, {"regions": [city.gaoxin]}
    named = {"projects": [city.projects.gaoxin]}
    m = SimpleNamespace(
        jiefang_april=meeting("解放区4月调度会", date(2026, 4, 10), **jiefang),
        gaoxin_april=meeting("高新区4月调度会", date(2026, 4, 20), **gaoxin),
        city_may=meeting("全市5月调度会", date(2026, 5, 5)),
        jiefang_may=meeting("解放区5月调度会", date(2026, 5, 12), **jiefang),
        gaoxin_may=meeting("高新区5月调度会", date(2026, 5, 20), **gaoxin),
        named_may=meeting("高新区项目专题调度", date(2026, 5, 25), **named),
        city_june=meeting("全市6月调度会", date(2026, 6, 8)),
        named_june=meeting("高新区项目专题调度", date(2026, 6, 9), **named),
        gaoxin_june=meeting("高新区6月调度会", date(2026, 6, 11), **gaoxin),
        jiefang_june=meeting("解放区6月调度会", date(2026, 6, 12), **jiefang),
    )
    m.jiefang_task = _task(city, m.jiefang_may, "解放区项目完成征迁", city.projects.jiefang)
    m.gaoxin_task = _task(city, m.gaoxin_may, "高新区项目办结施工许可", city.projects.gaoxin)
    return m


def test_each_region_finds_its_own_previous_meeting(city, interleaved):
    m, hq = interleaved, city.users.hq
    expected = {
        m.jiefang_june: m.jiefang_may,
        m.jiefang_may: m.jiefang_april,
        m.jiefang_april: None,
        m.gaoxin_june: m.gaoxin_may,
        m.gaoxin_may: m.gaoxin_april,
        m.gaoxin_april: None,
        # A city-wide meeting follows the last city-wide one.
        m.city_june: m.city_may,
        m.city_may: None,
        # A meeting on projects named on their own follows the last one on the same projects.
        m.named_june: m.named_may,
        m.named_may: None,
    }
    assert {meeting: previous_meeting(meeting, hq) for meeting in expected} == expected


def test_the_tasks_since_the_last_meeting_are_the_regions_own(city, interleaved):
    m, hq = interleaved, city.users.hq
    jiefang = build_agenda(m.jiefang_june, hq)
    assert jiefang.previous == m.jiefang_may
    assert [item.task for item in jiefang.previous_tasks] == [m.jiefang_task]
    assert jiefang.changes is not None and jiefang.changes.start == date(2026, 5, 12)
    gaoxin = build_agenda(m.gaoxin_june, hq)
    assert [item.task for item in gaoxin.previous_tasks] == [m.gaoxin_task]
    assert gaoxin.changes is not None and gaoxin.changes.start == date(2026, 5, 20)


def test_the_page_and_the_agenda_document_count_from_the_regions_last_meeting(city, interleaved):
    m = interleaved
    client = login(city.users.hq)
    for meeting, since, day, task in (
        (m.jiefang_june, "2026-05-12", "2026年5月12日", "解放区项目完成征迁"),
        (m.gaoxin_june, "2026-05-20", "2026年5月20日", "高新区项目办结施工许可"),
    ):
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert f"上次会议（{since}）以来" in page
        assert page.count("上次会议（") == 1 and task in page
        response = client.get(reverse("meetings:agenda-docx", args=[meeting.pk]))
        document = Document(BytesIO(response.content))
        text = [p.text for p in document.paragraphs]
        assert f"上次会议（{day}）以来" in text
        cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
        other = {"解放区项目完成征迁", "高新区项目办结施工许可"} - {task}
        assert task in cells and not other & cells


def test_no_previous_meeting_no_since_line(city, interleaved):
    agenda = build_agenda(interleaved.jiefang_april, city.users.hq)
    assert agenda.previous is None
    text = [p.text for p in Document(BytesIO(agenda_docx(agenda.meeting, agenda))).paragraphs]
    assert not any(line.startswith("上次会议") for line in text)


def test_the_kind_level_programmes_and_regions_must_all_match(city):
    """Programmes match by code, so January's meeting on this year's programme follows
    December's on last year's; a meeting on the programme in every region, or of another
    level or kind, is another scope."""
    last_year = ProgramFactory(name="市重点项目", code="city", year=2025)
    other = ProgramFactory(name="三十工程", code="thirty", year=2026)
    both = {"programs": [city.program], "regions": [city.jiefang]}
    december = make_meeting(city, date=date(2025, 12, 15), programs=[last_year],
                            regions=[city.jiefang])  # fmt: skip
    make_meeting(city, date=date(2026, 1, 5), programs=[city.program])  # every region
    make_meeting(city, date=date(2026, 1, 6), programs=[city.program, other],
                 regions=[city.jiefang])  # fmt: skip
    make_meeting(city, date=date(2026, 1, 7), programs=[other], regions=[city.jiefang])
    make_meeting(city, date=date(2026, 1, 8), regions=[city.jiefang, city.gaoxin])
    make_meeting(city, date=date(2026, 1, 9), regions=[city.street])  # a street of 解放区
    make_meeting(city, date=date(2026, 1, 10), level=MeetingLevel.DISTRICT, **both)
    make_meeting(city, date=date(2026, 1, 11), kind=MeetingKind.SPECIAL, **both)
    january = make_meeting(city, date=date(2026, 1, 15), **both)
    assert previous_meeting(january, city.users.hq) == december


def test_a_meeting_the_reader_does_not_see_is_not_its_previous(city, interleaved):
    """高新区 does not see 解放区's meetings, nor takes them as the last one."""
    m = interleaved
    assert previous_meeting(m.gaoxin_june, city.users.gaoxin) == m.gaoxin_may
    assert previous_meeting(m.city_june, city.users.gaoxin) == m.city_may
