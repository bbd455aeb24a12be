"""The 约谈通知: a published ranking's summoned units (its last places, as many as the scheme's
bottom_count) are told, in a Word document headquarters issues, that their heads are summoned,
with their score, place and the indicators they fell behind in."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document

from diaodu.assessment import services
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.assessment.tests import march
from diaodu.conftest import login
from diaodu.core import pdf
from diaodu.core.docx import DOCX
from diaodu.core.models import DocumentNumber
from diaodu.core.pdf import PDF
from diaodu.projects.tests.test_api import api

MARCH, TODAY = march.MARCH, march.TODAY
town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"焦重办〔2026〕\d+号")


def _text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    document = Document(BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _regions(town) -> Ranking:
    services.do_publish_period(town.users.hq, MARCH, TODAY)
    return Ranking.objects.get(group=Group.REGION, year=2026, number=3)


def test_the_summons_names_the_units_the_ranking_summons(town):
    ranking = _regions(town)
    text = _text(login(town.users.hq).get(reverse("assessment:summons", args=[ranking.pk])))
    assert "关于约谈武陟县主要负责同志的通知" in text.replace(
        "\n", ""
    )  # the title, maybe in two lines
    assert "武陟县：" in text
    assert "高新区" not in text and "解放区：" not in text  # not summoned
    assert "3/3" in text and "50" in text  # place and score
    assert "年度计划投资完成率（0%）" in text  # the indicators it fell behind in
    assert "在2026年3月区县" in text
    assert "2026年4月15日" in text  # the written account: three working days after 4月10日
    assert "2026年4月10日" in text and not ISO.search(text)
    assert len(NUMBER.findall(text)) == 1


def test_the_summons_is_numbered_once(town):
    ranking = _regions(town)
    url = reverse("assessment:summons", args=[ranking.pk])
    first = NUMBER.search(_text(login(town.users.hq).get(url))).group()
    again = NUMBER.search(_text(api(town.users.hq).get(f"/api/rankings/{ranking.pk}/summons/")))
    assert again.group() == first
    departments = Ranking.objects.get(group=Group.DEPARTMENT, year=2026, number=3)
    other = reverse("assessment:summons", args=[departments.pk])
    assert NUMBER.search(_text(login(town.users.hq).get(other))).group() != first


def test_more_summoned_when_the_scheme_says_so(town):
    ScoringScheme.objects.update(bottom_count=2)
    ranking = _regions(town)
    text = _text(api(town.users.hq).get(f"/api/rankings/{ranking.pk}/summons/"))
    assert "关于约谈高新区、武陟县主要负责同志的通知" in text.replace("\n", "")


def test_a_ranking_that_summons_nobody(town):
    ScoringScheme.objects.update(bottom_count=0)
    ranking = _regions(town)
    page = login(town.users.hq).get(reverse("assessment:summons", args=[ranking.pk]))
    assert page.status_code == 302
    answer = api(town.users.hq).get(f"/api/rankings/{ranking.pk}/summons/")
    assert answer.status_code == 400 and "没有" in answer.json()["ranking"][0]


def test_only_headquarters_issues_it(town):
    ranking = _regions(town)
    url = reverse("assessment:summons", args=[ranking.pk])
    for user in (town.users.jiefang, town.users.leader, town.users.jiaotong):
        assert login(user).get(url).status_code == 403
        assert api(user).get(f"/api/rankings/{ranking.pk}/summons/").status_code == 403


def test_the_ranking_page_offers_it_once_published(town):
    url = reverse("assessment:rankings") + f"?period={MARCH.code}&group={Group.REGION}"
    assert "summons.docx" not in login(town.users.hq).get(url).content.decode()
    ranking = _regions(town)
    summons = reverse("assessment:summons", args=[ranking.pk])
    assert summons in login(town.users.hq).get(url).content.decode()
    assert summons not in login(town.users.jiefang).get(url).content.decode()


# -- the 约谈通知 as PDF (?format=pdf), where LibreOffice is installed --------------------------

NO_LIBREOFFICE = "服务器未安装 LibreOffice"


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed: PDF is optional")
def test_the_summons_as_pdf_carries_the_number_of_the_word_file(town):
    ranking = _regions(town)
    url = reverse("assessment:summons", args=[ranking.pk])
    for response in (
        login(town.users.hq).get(url, {"format": "pdf"}),
        api(town.users.hq).get(f"/api/rankings/{ranking.pk}/summons/", {"format": "pdf"}),
    ):
        assert response.status_code == 200, response.content[:300]
        assert response["Content-Type"] == PDF
        assert response["Content-Disposition"].startswith("inline;")
        assert response.content.startswith(b"%PDF")
    numbered = DocumentNumber.objects.count()
    assert numbered == 1
    assert NUMBER.search(_text(login(town.users.hq).get(url))).group() == "焦重办〔2026〕1号"
    assert DocumentNumber.objects.count() == numbered
    page = reverse("assessment:rankings") + f"?period={MARCH.code}&group={Group.REGION}"
    assert f"{url}?format=pdf" in login(town.users.hq).get(page).content.decode()


def test_without_libreoffice_the_summons_pdf_is_refused_with_the_reason(town, monkeypatch):
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    ranking = _regions(town)
    url = reverse("assessment:summons", args=[ranking.pk])
    client = login(town.users.hq)
    response = client.get(url, {"format": "pdf"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert NO_LIBREOFFICE in page and url in page and "?format=pdf" not in page
    answer = api(town.users.hq).get(f"/api/rankings/{ranking.pk}/summons/", {"format": "pdf"})
    assert answer.status_code == 409 and NO_LIBREOFFICE in answer.json()["detail"]


def test_the_summons_pdf_is_guarded_as_the_word_file(town):
    ranking = _regions(town)
    url = reverse("assessment:summons", args=[ranking.pk])
    for user in (town.users.jiefang, town.users.leader, town.users.jiaotong):
        assert login(user).get(url, {"format": "pdf"}).status_code == 403
        answer = api(user).get(f"/api/rankings/{ranking.pk}/summons/", {"format": "pdf"})
        assert answer.status_code == 403
    assert DocumentNumber.objects.count() == 0
