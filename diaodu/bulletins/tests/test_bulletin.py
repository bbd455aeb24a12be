"""The bulletin (通报): what it says, the Word file, issuing, the command, the pages and the API.

On the small city ranked for March 2026 of diaodu/assessment/tests/march.py (today is 10 April
2026), whose figures are worked out by hand there.
"""

import re
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from docx import Document

from diaodu.assessment import services
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Ranking
from diaodu.assessment.periods import Window
from diaodu.assessment.tests import march
from diaodu.bulletins.documents import (
    _indicator_name,
    build_content,
    bulletin_docx,
    bulletin_title,
    issue_text,
    period_text,
)
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.conftest import login
from diaodu.core import pdf
from diaodu.core.docx import DOCX
from diaodu.core.tests.test_docx import assert_body, assert_format, assert_heading, assert_title
from diaodu.factories import AnnualPlanFactory, ProjectFactory
from diaodu.problems.models import Task
from diaodu.projects.tests.test_api import api
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

MARCH, TODAY = march.MARCH, march.TODAY
town = march.town  # the city ranked for March
pytestmark = march.ON_THE_DAY


def _open(content: bytes):
    return Document(BytesIO(content))


def _texts(document) -> list[str]:
    """The paragraphs' texts, a title's lines joined."""
    return [p.text.replace("\n", "") for p in document.paragraphs]


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def _tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _ranking_tables(document):
    return [rows for rows in _tables(document) if rows[0][0] == _("Rank")]


# -- what it says ----------------------------------------------------------------------------


def test_content_figures_and_parts(town):
    content = build_content(MARCH, TODAY)
    assert content.title == bulletin_title(MARCH)
    assert period_text(MARCH) == "2026年3月"
    assert "2026年3月" in content.title
    figures = content.figures
    assert figures.projects == 5 and figures.city_level == 1
    # The whole portfolio's figures, 全市项目 (in no region) included.
    assert figures.planned == Decimal("6000")
    assert figures.invested == Decimal("3300")
    assert figures.planned_to_date == Decimal("1500")
    assert figures.rate == Decimal("55.0")
    assert (figures.red, figures.yellow, figures.green) == (1, 1, 3)
    # Open on 31 March: the overdue task and the one done on 2 April; not the April one.
    assert (figures.tasks_open, figures.tasks_overdue) == (2, 2)

    regions, departments = content.groups
    assert [(r.rank, r.unit, r.score, r.change) for r in regions.rows] == [
        (1, "解放区", "100", "→"),
        (2, "高新区", "77.5", "↓1"),
        (3, "武陟县", "50", "↓2"),
    ]
    assert [m.unit for m in regions.praised] == ["解放区"]
    assert [m.unit for m in regions.summoned] == ["武陟县"]
    assert _indicator_name("investment_rate") in regions.summoned[0].sentence
    assert "0%" in regions.summoned[0].sentence
    assert [r.unit for r in departments.rows] == ["交通运输局", "自然资源和规划局"]

    assert [(p.region, p.project, p.reasons) for p in content.red_projects] == [
        ("高新区", "高新区项目", "年度投资完成率落后序时进度。")
    ]
    assert [(u.unit, u.count) for u in content.overdue] == [
        ("交通运输局", 1),
        ("自然资源和规划局", 1),
    ]


def test_quarter_title_and_year_refused(town):
    assert period_text(Window.parse("2026Q1")) == str(_("the first quarter of %(year)d")) % {
        "year": 2026
    }
    with pytest.raises(ValidationError) as error:
        build_content(Window.parse("2026"), TODAY)
    assert error.value.messages == [
        _("A bulletin covers a month or a quarter, not a whole year: give 2024-03 or 2024Q1.")
    ]
    with pytest.raises(ValidationError):
        build_content(Window.parse("2026-05"), TODAY)


def test_fixed_number_of_queries(town, django_assert_num_queries):
    build_content(MARCH, TODAY)
    cache.clear()  # the live ranking's indicators computed each time, not read as kept
    with CaptureQueriesContext(connection) as first:
        build_content(MARCH, TODAY)
    for i in range(5):
        project = ProjectFactory(name=f"更多{i}", region=town.gaoxin, lead_unit=town.ziran)
        project.programs.set([town.program])
        AnnualPlanFactory(project=project, year=2026)
        Task.objects.create(content=f"任务{i}", lead_unit=town.ziran, deadline=date(2026, 3, 1))
    cache.clear()
    with django_assert_num_queries(len(first.captured_queries)):
        build_content(MARCH, TODAY)


# -- the Word file ---------------------------------------------------------------------------


def test_docx_says_it_all(town):
    content = build_content(MARCH, TODAY)
    content.issue = 3
    content.document_number = "焦重办〔2026〕7号"
    document = _open(bulletin_docx(content))
    # In the official format: page, grid, page numbers; the red masthead with the number.
    assert_format(document)
    head, number, title, issue = document.paragraphs[:4]
    assert head.text == settings.DIAODU_DOCUMENT_ISSUER
    assert {str(r.font.color.rgb) for r in head.runs} == {"FF0000"}
    assert re.fullmatch(r"焦重办〔2026〕[1-9]\d*号", number.text)
    assert_title(title)
    assert title.text.replace("\n", "") == content.title
    assert issue.text == f"（{issue_text(2026, 3)}）"
    assert_body(next(p for p in document.paragraphs if p.text.startswith("截至")))
    assert_heading(next(p for p in document.paragraphs if p.text.startswith("一、")), 1)
    assert_heading(next(p for p in document.paragraphs if p.text.startswith("（一）")), 2)
    assert_heading(next(p for p in document.paragraphs if p.text.startswith("1.")), 3)
    texts = [p.text for p in document.paragraphs]
    assert "抄送：市委办公室，市政府办公室。" in texts
    assert f"{settings.DIAODU_DOCUMENT_ISSUER}\t2026年4月10日印发" in texts
    text = _text(document)
    for number in "一二三四五":
        assert any(p.text.startswith(f"{number}、") for p in document.paragraphs), number

    regions, departments = _ranking_tables(document)
    assert [row[1] for row in regions[1:]] == ["解放区", "高新区", "武陟县"]
    assert regions[3][3] == "↓2"
    assert [row[1] for row in departments[1:]] == ["交通运输局", "自然资源和规划局"]
    assert "焦南街道" not in [row[1] for row in regions]

    praised, summoned = content.groups[0].praised[0], content.groups[0].summoned[0]
    assert praised.sentence in text and "解放区" in praised.sentence
    assert summoned.sentence in text and "武陟县" in summoned.sentence

    rows = [row for table in _tables(document) for row in table]
    assert ["1", "高新区", "高新区项目", "年度投资完成率落后序时进度。"] in rows
    overdue = [row for row in rows if row[1] == "交通运输局" and len(row) == 4]
    assert overdue and overdue[0][2] == "1" and "完成征地拆迁扫尾工作" in overdue[0][3]
    assert not any("四月的任务" in cell for row in rows for cell in row)


def test_draft_says_it_is_not_issued(town):
    document = _open(bulletin_docx(build_content(MARCH, TODAY)))
    assert f"（{_('draft, not issued')}）" in [p.text for p in document.paragraphs]
    assert not any("〔" in p.text for p in document.paragraphs)  # no number


# -- issuing ---------------------------------------------------------------------------------


def test_issuing_publishes_numbers_and_keeps(town):
    assert Ranking.objects.count() == 0
    first = do_issue_bulletin(town.users.hq, MARCH)
    assert {r.group for r in Ranking.objects.filter(year=2026, kind="month", number=3)} == set(
        Group.values
    )
    second = do_issue_bulletin(town.users.hq, Window.parse("2026Q1"))
    assert (first.issue, second.issue) == (1, 2)
    assert first.title == bulletin_title(MARCH) and first.created_by == town.users.hq
    # Stored under a path nobody can guess, with the bulletin's own name.
    assert re.fullmatch(
        r"bulletins/2026/[A-Za-z0-9_-]{22}/bulletin-2026-03-issue1\.docx", first.document.name
    )
    with first.document.open("rb") as stored:
        document = _open(stored.read())
    assert f"（{issue_text(2026, 1)}）" in [p.text for p in document.paragraphs]
    assert first.document_number.text == "焦重办〔2026〕1号"
    assert second.document_number.text == "焦重办〔2026〕2号"
    assert "焦重办〔2026〕1号" in [p.text for p in document.paragraphs]
    from diaodu.core.models import ChangeRecord

    assert ChangeRecord.objects.filter(object_id=str(first.pk), changes__issue=[None, 1]).exists()


def test_issuing_a_month_twice_gives_the_same_bulletin_and_number(town):
    first = do_issue_bulletin(town.users.hq, MARCH)
    assert not first.was_issued_before
    again = do_issue_bulletin(town.users.hq, MARCH)
    assert again.was_issued_before
    assert (again.pk, again.issue, again.document_number.text) == (
        first.pk,
        1,
        "焦重办〔2026〕1号",
    )
    assert Bulletin.objects.count() == 1


def test_reissuing_a_month_gives_a_new_issue_and_number_and_keeps_the_first(town):
    from diaodu.core.models import ChangeRecord

    first = do_issue_bulletin(town.users.hq, MARCH)
    reissued = do_issue_bulletin(town.users.hq, MARCH, reissue=True)
    assert (reissued.issue, reissued.document_number.text) == (2, "焦重办〔2026〕2号")
    first.refresh_from_db()
    assert first.superseded and first.document and not reissued.superseded
    assert ChangeRecord.objects.filter(
        object_id=str(first.pk), changes__superseded=[False, True]
    ).exists()
    # Issued again without asking to reissue: the reissued one.
    assert do_issue_bulletin(town.users.hq, MARCH).pk == reissued.pk


def test_a_bulletin_that_fails_to_be_written_is_written_again_under_its_number(town, monkeypatch):
    from diaodu.bulletins import services as bulletins
    from diaodu.bulletins.choices import BulletinStatus
    from diaodu.bulletins.tasks import write_bulletin

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(bulletins, "bulletin_docx", broken)
    failed = do_issue_bulletin(town.users.hq, MARCH)
    assert failed.status == BulletinStatus.FAILED and "disk is full" in failed.error
    assert not failed.document
    page = login(town.users.hq).get(reverse("assessment:bulletins"))
    assert reverse("assessment:bulletin-download", args=[failed.pk]) not in page.content.decode()
    monkeypatch.undo()
    again = do_issue_bulletin(town.users.hq, MARCH)
    assert again.pk == failed.pk and again.issue == 1 and again.status == BulletinStatus.ISSUED
    # Delivered again, the task writes nothing more.
    name = again.document.name
    assert write_bulletin(again.pk, "2026-04-10") == "skipped"
    again.refresh_from_db()
    assert again.document.name == name and Bulletin.objects.count() == 1


def test_issuing_reads_the_published_ranking(town):
    services.do_publish_ranking(town.users.hq, MARCH, Group.REGION, TODAY)
    # Later data changes nothing in a published ranking, nor in the bulletin.
    ProgressReport.objects.filter(project=town.projects.wuzhi).delete()
    ProgressReport.objects.create(
        project=town.projects.wuzhi,
        period=ReportingPeriod.objects.get(start=date(2026, 3, 1)),
        invested=Decimal("5000"),
        status=ReportStatus.APPROVED,
    )
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    with bulletin.document.open("rb") as stored:
        regions, _departments = _ranking_tables(_open(stored.read()))
    assert regions[3][1] == "武陟县"


def test_only_headquarters_issues(town):
    with pytest.raises(PermissionDenied):
        do_issue_bulletin(town.users.jiefang, MARCH)
    with pytest.raises(ValidationError):
        do_issue_bulletin(town.users.hq, Window.parse("2026-05"))
    with pytest.raises(ValidationError):
        do_issue_bulletin(town.users.hq, Window.parse("2026"))
    assert Bulletin.objects.count() == 0 and Ranking.objects.count() == 0


# -- the command -----------------------------------------------------------------------------


def test_command_issues_and_writes(town, tmp_path, capsys):
    output = tmp_path / "通报.docx"
    call_command("bulletin", "--month", "2026-03", "--output", str(output))
    bulletin = Bulletin.objects.get()
    assert bulletin.issue == 1 and bulletin.created_by == town.users.hq
    assert bulletin.title in _texts(_open(output.read_bytes()))
    out = capsys.readouterr().out
    assert str(output) in out and issue_text(2026, 1) in out
    assert Ranking.objects.count() == 2


def test_command_issuing_a_month_twice_gives_the_same_number(town, tmp_path, capsys):
    first, second = tmp_path / "1.docx", tmp_path / "2.docx"
    call_command("bulletin", "--month", "2026-03", "--output", str(first))
    call_command("bulletin", "--month", "2026-03", "--output", str(second))
    bulletin = Bulletin.objects.get()
    assert (bulletin.issue, bulletin.document_number.text) == (1, "焦重办〔2026〕1号")
    assert first.read_bytes() == second.read_bytes()
    assert "焦重办〔2026〕1号" in _texts(_open(second.read_bytes()))
    out = capsys.readouterr().out
    assert issue_text(2026, 2) not in out
    call_command("bulletin", "--month", "2026-03", "--output", str(second), "--reissue")
    assert "焦重办〔2026〕2号" in _texts(_open(second.read_bytes()))
    assert issue_text(2026, 2) in capsys.readouterr().out
    assert Bulletin.objects.filter(superseded=False).get().issue == 2


def test_command_no_keep_writes_only(town, tmp_path):
    output = tmp_path / "draft.docx"
    call_command("bulletin", "--quarter", "2026Q1", "--output", str(output), "--no-keep")
    assert bulletin_title(Window.parse("2026Q1")) in _texts(_open(output.read_bytes()))
    assert Bulletin.objects.count() == 0 and Ranking.objects.count() == 0


def _command_error(*args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("bulletin", *args)
    return str(error.value)


def test_command_rejects_bad_input(town, tmp_path):
    output = str(tmp_path / "b.docx")
    assert _command_error("--output", output) == _(
        "Give the period: --month 2024-03 or --quarter 2024Q1."
    )
    assert _command_error("--month", "2026-03", "--quarter", "2026Q1", "--output", output) == _(
        "Give --month or --quarter, not both."
    )
    assert "2026-13" in _command_error("--month", "2026-13", "--output", output)
    assert _command_error("--month", "2026Q1", "--output", output) == _(
        "“%(text)s” is not a month: write it as 2024-03."
    ) % {"text": "2026Q1"}
    assert _command_error("--month", "2026-05", "--output", output) == _(
        "%(period)s has not started yet: there is nothing to rank."
    ) % {"period": Window.parse("2026-05").label}
    assert _command_error("--month", "2026-03", "--output", output, "--user", "nobody-here") == _(
        "There is no user %(name)s."
    ) % {"name": "nobody-here"}
    assert _command_error("--month", "2026-03", "--output", output, "--user", "jiefang") == _(
        "Only headquarters issues bulletins."
    )
    missing = tmp_path / "missing" / "b.docx"
    assert _command_error("--month", "2026-03", "--output", str(missing)) == _(
        "Cannot write %(file)s."
    ) % {"file": missing}
    assert _command_error("--month", "2026-03") == _(
        "Give the file to write with --output FILE.docx."
    )
    assert Bulletin.objects.count() == 0 and Ranking.objects.count() == 0


def test_command_needs_a_headquarters_user(city, tmp_path):
    city.users.hq.delete()
    assert _command_error("--month", "2026-03", "--output", str(tmp_path / "b.docx")) == _(
        "There is no headquarters user to issue as; give --user."
    )


# -- pages -----------------------------------------------------------------------------------


def test_headquarters_issues_from_the_page(town):
    client = login(town.users.hq)
    page = client.get(reverse("assessment:bulletins"))
    assert page.status_code == 200 and page.context["default_period"] == "2026-03"
    assert _("No bulletins yet") in page.content.decode()
    response = client.post(reverse("assessment:bulletin-issue"), {"period": "2026-03"})
    assert response.status_code == 302 and response.url == reverse("assessment:bulletins")
    bulletin = Bulletin.objects.get()
    page = client.get(reverse("assessment:bulletins"))
    assert escape(bulletin.title) in page.content.decode()
    # A bad or future period: a message, nothing issued.
    for period in ("2026-13", "2026-05", ""):
        response = client.post(
            reverse("assessment:bulletin-issue"), {"period": period}, follow=True
        )
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Bulletin.objects.count() == 1


def test_region_user_reads_and_downloads_but_cannot_issue(town):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    client = login(town.users.jiefang)
    assert (
        client.post(reverse("assessment:bulletin-issue"), {"period": "2026-03"}).status_code == 403
    )
    page = client.get(reverse("assessment:bulletins"))
    assert page.status_code == 200 and escape(bulletin.title) in page.content.decode()
    assert reverse("assessment:bulletin-issue") not in page.content.decode()
    response = client.get(reverse("assessment:bulletin-download", args=[bulletin.pk]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert 'filename="bulletin-2026-03-issue1.docx"' in response["Content-Disposition"]
    assert bulletin.title in _texts(_open(response.getvalue()))
    assert Bulletin.objects.count() == 1


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed: PDF is optional")
def test_the_pdf_of_a_bulletin_for_anyone_signed_in(town, client, monkeypatch):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    url = reverse("assessment:bulletin-pdf", args=[bulletin.pk])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    user = login(town.users.jiefang)
    page = user.get(reverse("assessment:bulletins"))
    assert url in page.content.decode()
    response = user.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    # Kept beside the Word file: asked again, the same file, not converted again.
    kept = bulletin.document.name.removesuffix(".docx") + ".pdf"
    assert bulletin.document.storage.exists(kept)
    monkeypatch.setenv("PATH", "/nonexistent")  # no LibreOffice now: the kept PDF is served
    again = user.get(url)
    assert again.status_code == 200 and b"".join(again.streaming_content) == content
    assert user.get(reverse("assessment:bulletin-pdf", args=[bulletin.pk + 99])).status_code == 404


@pytest.mark.skipif(not pdf.available(), reason="LibreOffice is not installed: PDF is optional")
def test_the_api_gives_the_pdf(town):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    response = api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_api_without_libreoffice_answers_409_with_the_reason(town, monkeypatch):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    monkeypatch.setenv("PATH", "/nonexistent")
    response = api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/pdf/")
    assert response.status_code == 409 and "LibreOffice" in response.json()["detail"]


def test_without_libreoffice_the_pdf_is_refused_with_a_message(town, monkeypatch):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    monkeypatch.setenv("PATH", "/nonexistent")
    user = login(town.users.jiefang)
    url = reverse("assessment:bulletin-pdf", args=[bulletin.pk])
    assert url not in user.get(reverse("assessment:bulletins")).content.decode()
    response = user.get(url, follow=True)
    assert "LibreOffice" in response.content.decode()


def test_preview_for_anyone_signed_in_keeps_nothing(town):
    response = login(town.users.jiefang).get(
        reverse("assessment:bulletin-preview"), {"period": "2026Q1"}
    )
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert bulletin_title(Window.parse("2026Q1")) in _texts(_open(response.content))
    assert Bulletin.objects.count() == 0 and Ranking.objects.count() == 0
    response = login(town.users.jiefang).get(
        reverse("assessment:bulletin-preview"), {"period": "2026"}
    )
    assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in(town):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    from django.test import Client

    for url in (
        reverse("assessment:bulletins"),
        reverse("assessment:bulletin-download", args=[bulletin.pk]),
        reverse("assessment:bulletin-preview") + "?period=2026-03",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = Client().post(reverse("assessment:bulletin-issue"), {"period": "2026-03"})
    assert response.status_code == 302 and Bulletin.objects.count() == 1


def test_list_page_queries_do_not_grow(town, django_assert_num_queries):
    client = login(town.users.jiefang)
    do_issue_bulletin(town.users.hq, MARCH)
    client.get(reverse("assessment:bulletins"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("assessment:bulletins"))
    for _i in range(3):
        do_issue_bulletin(town.users.hq, MARCH)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("assessment:bulletins"))


# -- API -------------------------------------------------------------------------------------


def test_api_list_and_download(town):
    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    response = api(town.users.jiefang).get("/api/bulletins/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["period"] == "2026-03" and row["issue"] == 1 and row["title"] == bulletin.title
    assert row["created_by"] == str(town.users.hq)
    assert row["download"].endswith(f"/api/bulletins/{bulletin.pk}/download/")
    response = api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    content = response.getvalue()
    assert bulletin.title in _texts(_open(content))
    asked = api(town.users.jiefang).get(f"/api/bulletins/{bulletin.pk}/download/", HTTP_ACCEPT=DOCX)
    assert asked.status_code == 200 and asked.getvalue() == content
    missing = api(town.users.jiefang).get("/api/bulletins/999/download/", HTTP_ACCEPT=DOCX)
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert api().get("/api/bulletins/").status_code == 401
    assert api().get(f"/api/bulletins/{bulletin.pk}/download/").status_code == 401


def test_api_create(town):
    response = api(town.users.hq).post("/api/bulletins/", {"period": "2026-03"}, format="json")
    assert response.status_code == 201
    assert response.json()["issue"] == 1 and response.json()["period"] == "2026-03"
    assert Ranking.objects.count() == 2
    assert api(town.users.jiefang).post("/api/bulletins/", {"period": "2026-03"}).status_code == 403
    assert api().post("/api/bulletins/", {"period": "2026-03"}).status_code in (401, 403)
    bad = api(town.users.hq).post("/api/bulletins/", {"period": "2026-13"}, format="json")
    assert bad.status_code == 400 and "2026-13" in bad.json()["period"][0]
    future = api(town.users.hq).post("/api/bulletins/", {"period": "2026-05"}, format="json")
    assert future.status_code == 400 and future.json() == [
        _("%(period)s has not started yet: there is nothing to rank.")
        % {"period": Window.parse("2026-05").label}
    ]
    year = api(town.users.hq).post("/api/bulletins/", {"period": "2026"}, format="json")
    assert year.status_code == 400
    assert Bulletin.objects.count() == 1


def test_the_overview_reads_large_amounts_in_yi_and_the_table_keeps_wan(town):
    """Leaders read a total of one 亿 or more in 亿元 (before: 总投资9,011,290.00万元); the
    table of figures keeps 万元, as its heading says."""
    content = build_content(MARCH, TODAY)
    content.figures.total_investment = Decimal("9011290")
    content.figures.planned = Decimal("9999.99")
    document = _open(bulletin_docx(content))
    overview = next(p.text for p in document.paragraphs if p.text.startswith("截至"))
    assert "总投资901.13亿元" in overview
    assert "年度计划投资9,999.99万元" in overview
    assert "万元万元" not in overview and "亿元万元" not in overview
    rows = {row[0]: row[1] for rows in _tables(document) for row in rows}
    assert rows[_("Total investment (10k yuan)")] == "9,011,290.00"


def test_issuing_publishes_the_months_snapshot_which_is_then_kept_as_it_is(town):
    """The bulletin's lights are March's as kept at its close; issuing it publishes that
    snapshot, after which neither the snapshot job nor the command may take it again."""
    from diaodu.monitoring import snapshots as taking
    from diaodu.reporting.models import MonthSnapshot, ProjectSnapshot
    from diaodu.reporting.snapshots import do_store_month

    march, february = date(2026, 3, 1), date(2026, 2, 1)
    taking.take(february)
    kept = taking.take(march)
    rows = sorted(ProjectSnapshot.objects.filter(snapshot=kept).values_list("project", "light"))
    assert rows and kept.published_at is None

    bulletin = do_issue_bulletin(town.users.hq, MARCH)
    assert build_content(MARCH, TODAY).lights_month == march
    published = MonthSnapshot.objects.get(month=march)
    assert published.published_at is not None and published.taken_at == kept.taken_at
    assert MonthSnapshot.objects.get(month=february).published_at is None  # not its month

    with pytest.raises(ValidationError, match="2026-03"):
        do_store_month(march, [], rebuilt=False, rules_version="another")
    with pytest.raises(ValidationError, match="2026-03"):
        taking.take(march)
    with pytest.raises(CommandError, match="2026-03"):
        call_command("snapshot", "--month", "2026-03")
    after = MonthSnapshot.objects.get(month=march)
    assert (after.taken_at, after.rules_version) == (kept.taken_at, kept.rules_version)
    assert (
        sorted(ProjectSnapshot.objects.filter(snapshot=after).values_list("project", "light"))
        == rows
    )
    # Issued again, the bulletin is the same and the snapshot stays as published.
    assert do_issue_bulletin(town.users.hq, MARCH).pk == bulletin.pk
    assert MonthSnapshot.objects.get(month=march).published_at == published.published_at
