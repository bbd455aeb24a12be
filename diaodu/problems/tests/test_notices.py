"""The 督办单: for one task or for all of a unit's overdue tasks, as a Word document with its
number, deadlines and reply slip (回执); issued by headquarters, leaders and inspectors, about
the tasks they see."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from diaodu.conftest import login
from diaodu.core import pdf
from diaodu.core.docx import DOCX
from diaodu.core.models import DocumentNumber
from diaodu.core.pdf import PDF
from diaodu.problems.models import SupervisionNotice, Task
from diaodu.problems.tests.test_problems import TODAY, assign
from diaodu.projects.tests.test_api import api

pytestmark = pytest.mark.today(TODAY)

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"焦重办〔2026〕(\d+)号")


def _open(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    return Document(BytesIO(response.content))


def _text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _number_of(document) -> str:
    """The 发文字号 at the head (under the 红头 when settings ask for one)."""
    head = [p.text for p in document.paragraphs[:3]]
    return next(text for text in head if NUMBER.fullmatch(text))


def _overdue(city, content, days_late, unit=None, project=None):
    task = assign(city, project=project, unit=unit)
    Task.objects.filter(pk=task.pk).update(content=content, deadline=TODAY - timedelta(days_late))
    return Task.objects.get(pk=task.pk)


@pytest.fixture
def tasks(city):
    late = _overdue(city, "完成征地拆迁扫尾工作", 9)
    later = _overdue(city, "落实专项债券资金拨付", 2)
    shared = _overdue(city, "办结施工许可证", 5, unit=city.ziran)
    shared.responsible_units.set([city.jiaotong])
    running = assign(city)  # not overdue
    _overdue(city, "高新区的任务", 3, project=city.projects.gaoxin, unit=city.ziran)
    return late, later, shared, running


def test_the_notice_for_one_task(city, tasks):
    late = tasks[0]
    document = _open(login(city.users.hq).get(reverse("problems:task-notice", args=[late.pk])))
    text = _text(document)
    number = _number_of(document)
    assert [p.text for p in document.paragraphs].index("督办单") > 0  # the title, under it
    assert "交通运输局：" in text
    assert "完成征地拆迁扫尾工作" in text and "解放区项目" in text
    assert "2026年6月1日" in text  # the deadline
    assert "9天" in text  # overdue by
    assert "2026年6月15日" in text  # the reply: three working days after 2026年6月10日
    assert "回执" in text and "办理情况" in text and "签收人" in text and "年    月    日" in text
    assert not ISO.search(text)
    reply = [row for row in document.tables[-1].rows if row.cells[0].text == "督办编号"]
    assert reply[0].cells[1].text == number


def _number(response) -> str:
    return _number_of(_open(response))


def test_a_notice_is_numbered_once(city, tasks):
    """Asked for again, the same notice comes back with its number; another task or another
    set of overdue tasks is another notice, with the next number."""
    late, later, shared, running = tasks
    client = login(city.users.hq)
    first = _number(client.get(reverse("problems:task-notice", args=[late.pk])))
    assert _number(api(city.users.leader).get(f"/api/tasks/{late.pk}/notice/")) == first
    second = _number(client.get(reverse("problems:task-notice", args=[later.pk])))
    unit_url = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    third = _number(client.get(unit_url))
    assert _number(client.get(unit_url)) == third
    numbers = [int(NUMBER.fullmatch(n).group(1)) for n in (first, second, third)]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert SupervisionNotice.objects.count() == 3
    Task.objects.filter(pk=running.pk).update(deadline=TODAY - timedelta(days=1))
    fourth = _number(client.get(unit_url))  # one more overdue: a new notice
    assert int(NUMBER.fullmatch(fourth).group(1)) == numbers[2] + 1


def test_the_notice_for_a_units_overdue_tasks(city, tasks):
    late, later, shared, running = tasks
    url = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    document = _open(login(city.users.leader).get(url))
    assert _number_of(document)
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert [row[1] for row in rows[1:]] == [late.content, shared.content, later.content]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert rows[2][3] == "自然资源和规划局、交通运输局"
    assert rows[1][4] == "2026年6月1日" and rows[1][5] == "9天"
    text = _text(document)
    assert "加快办理施工许可证" not in text  # not overdue
    assert "高新区的任务" not in text  # not the unit's
    assert "回执" in text and "签收人" in text


def test_a_unit_with_nothing_overdue_is_told_so(city, tasks):
    response = login(city.users.hq).get(reverse("problems:unit-notice", args=[city.gaoxin.pk]))
    assert response.status_code == 302
    answer = api(city.users.hq).get("/api/tasks/overdue-notice/", {"unit": city.gaoxin.pk})
    assert answer.status_code == 400 and "逾期任务" in answer.json()["unit"][0]


def test_the_api_gives_the_same_documents(city, tasks):
    late = tasks[0]
    client = api(city.users.inspector)
    document = _open(client.get(f"/api/tasks/{late.pk}/notice/"))
    assert "完成征地拆迁扫尾工作" in _text(document)
    document = _open(client.get("/api/tasks/overdue-notice/", {"unit": city.jiaotong.pk}))
    assert "办结施工许可证" in _text(document)
    assert client.get("/api/tasks/overdue-notice/").status_code == 400
    assert client.get("/api/tasks/overdue-notice/", {"unit": "x"}).status_code == 400


def test_only_those_who_assign_tasks_issue_notices(city, tasks):
    late = tasks[0]
    page = reverse("problems:task-notice", args=[late.pk])
    unit_page = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    for user in (city.users.jiefang, city.users.jiaotong):
        assert login(user).get(page).status_code == 403
        assert login(user).get(unit_page).status_code == 403
        assert api(user).get(f"/api/tasks/{late.pk}/notice/").status_code == 403
        assert (
            api(user).get("/api/tasks/overdue-notice/", {"unit": city.jiaotong.pk}).status_code
            == 403
        )
    # A task out of sight is not found, whoever asks.
    gaoxin_task = Task.objects.get(content="高新区的任务")
    assert (
        login(city.users.jiefang)
        .get(reverse("problems:task-notice", args=[gaoxin_task.pk]))
        .status_code
        == 404
    )
    assert Client().get(page).status_code == 302


def test_the_pages_offer_the_notice(city, tasks):
    late = tasks[0]
    notice = reverse("problems:task-notice", args=[late.pk])
    task_page = reverse("problems:task", args=[late.pk])
    assert notice in login(city.users.hq).get(task_page).content.decode()
    assert notice not in login(city.users.jiefang).get(task_page).content.decode()
    unit_notice = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    counts = login(city.users.hq).get(reverse("problems:unit-counts")).content.decode()
    assert unit_notice in counts
    listing = reverse("problems:tasks") + f"?unit={city.jiaotong.pk}&overdue=true"
    assert unit_notice in login(city.users.hq).get(listing).content.decode()


# -- the 督办单 as PDF (?format=pdf), where LibreOffice is installed ---------------------------

needs_libreoffice = pytest.mark.skipif(
    not pdf.available(), reason="LibreOffice (soffice) is not installed: PDF is optional"
)
NO_LIBREOFFICE = "服务器未安装 LibreOffice"


def _pdf(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"].startswith("inline;")
    assert ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


@needs_libreoffice
def test_the_notices_as_pdf_carry_the_number_of_the_word_file(city, tasks):
    late = tasks[0]
    client, hq = login(city.users.hq), api(city.users.hq)
    task_page = reverse("problems:task-notice", args=[late.pk])
    unit_page = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    _pdf(client.get(task_page, {"format": "pdf"}))
    _pdf(hq.get(f"/api/tasks/{late.pk}/notice/", {"format": "pdf"}))
    _pdf(client.get(unit_page, {"format": "pdf"}))
    _pdf(hq.get("/api/tasks/overdue-notice/", {"unit": city.jiaotong.pk, "format": "pdf"}))
    numbered = DocumentNumber.objects.count()
    assert SupervisionNotice.objects.count() == 2 and numbered == 2
    # The Word files after: the same two notices, with the numbers the PDFs were given.
    assert _number(client.get(task_page)) == "焦重办〔2026〕1号"
    assert _number(client.get(unit_page)) == "焦重办〔2026〕2号"
    assert DocumentNumber.objects.count() == numbered
    # The pages offer the PDF beside the Word file.
    assert (
        f"{task_page}?format=pdf"
        in client.get(reverse("problems:task", args=[late.pk])).content.decode()
    )
    assert f"{unit_page}?format=pdf" in client.get(reverse("problems:unit-counts")).content.decode()


def test_without_libreoffice_the_notice_pdf_is_refused_with_the_reason(city, tasks, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    late = tasks[0]
    client, hq = login(city.users.hq), api(city.users.hq)
    task_page = reverse("problems:task-notice", args=[late.pk])
    unit_page = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    response = client.get(task_page, {"format": "pdf"})
    assert response.status_code == 302
    assert response["Location"] == reverse("problems:task", args=[late.pk])
    page = client.get(response["Location"]).content.decode()
    assert NO_LIBREOFFICE in page and task_page in page and "?format=pdf" not in page
    response = client.get(unit_page, {"format": "pdf"}, follow=True)
    assert (
        NO_LIBREOFFICE in response.content.decode()
        and "?format=pdf" not in response.content.decode()
    )
    answer = hq.get(f"/api/tasks/{late.pk}/notice/", {"format": "pdf"})
    assert answer.status_code == 409 and NO_LIBREOFFICE in answer.json()["detail"]
    answer = hq.get("/api/tasks/overdue-notice/", {"unit": city.jiaotong.pk, "format": "pdf"})
    assert answer.status_code == 409 and NO_LIBREOFFICE in answer.json()["detail"]


def test_the_notice_pdf_is_guarded_as_the_word_file(city, tasks):
    late = tasks[0]
    page = reverse("problems:task-notice", args=[late.pk])
    unit_page = reverse("problems:unit-notice", args=[city.jiaotong.pk])
    pdf_query = {"format": "pdf"}
    for user in (city.users.jiefang, city.users.jiaotong):
        assert login(user).get(page, pdf_query).status_code == 403
        assert login(user).get(unit_page, pdf_query).status_code == 403
        assert api(user).get(f"/api/tasks/{late.pk}/notice/", pdf_query).status_code == 403
        answer = api(user).get(
            "/api/tasks/overdue-notice/", {"unit": city.jiaotong.pk, **pdf_query}
        )
        assert answer.status_code == 403
    gaoxin_task = Task.objects.get(content="高新区的任务")
    hidden = reverse("problems:task-notice", args=[gaoxin_task.pk])
    assert login(city.users.jiefang).get(hidden, pdf_query).status_code == 404
    assert Client().get(page, pdf_query).status_code == 302
    assert SupervisionNotice.objects.count() == 0
