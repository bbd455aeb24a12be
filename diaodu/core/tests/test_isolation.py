"""Parsing in a child process: the same result as in the caller, or a refusal within the limits.

Every test here starts a real child (through the fork server). The file bombs, refused through
the upload pages within 2 s and 100 MB of the web process, are in test_hostile_files.py.
"""

import io
import operator
import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from diaodu.core import isolation
from diaodu.core.tests.test_hostile_files import _ledger_rows, _sheet, xlsx
from diaodu.exchange import reader
from diaodu.meetings.minutes import docx_text, read_minutes
from diaodu.reporting.excel import read_template


def caller_settings():
    """Run in the child: what it sees of the caller's settings and language."""
    from django.conf import settings

    return settings.DIAODU_IMPORT_MAX_ROWS, translation.get_language()


def count_units():
    """Run in the child: a query, which it must not make."""
    from diaodu.org.models import Unit

    return Unit.objects.count()


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


def minutes_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("关于推进高新区重点项目建设的调度会议纪要")
    document.add_paragraph("一、市交通运输局要在6月30日前完成规划审批。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "高新区"
    table.rows[0].cells[1].text = "加快征地拆迁"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_function_runs_in_another_process():
    assert isolation.run(os.getpid) != os.getpid()
    assert isolation.run(operator.add, 2, 3) == 5
    assert isolation.run(int, "ff", base=16) == 255


def test_a_ledger_reads_the_same_through_the_child_as_directly():
    for content, name in [
        (xlsx(_sheet(_ledger_rows())), "台账.xlsx"),
        ("项目名称,所在县区,总投资（万元）\n炸弹项目,高新区,1\n".encode("gb18030"), "台账.csv"),
    ]:
        read = reader.read(io.BytesIO(content), name)
        assert read == reader.parse(content, name)
        (sheet,) = read.sheets
        assert sheet.rows and sheet.used.keys() >= {"name", "region", "total_investment"}


def test_a_template_and_minutes_read_the_same_through_the_child_as_directly():
    template = xlsx(
        _sheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>项目编号</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>项目名称</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>形象进度（%）</t></is></c></row>'
            '<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="inlineStr"><is><t>大桥</t></is></c>'
            '<c r="C2"><v>35</v></c></row>'
        )
    )
    headers = ["项目编号", "项目名称", "本期完成投资（万元）", "形象进度（%）"]
    through_child = isolation.run(read_template, template, headers)
    assert through_child == read_template(template, headers) == (1, [(7, "大桥", None, 35)])
    content = minutes_docx()
    text = read_minutes(SimpleUploadedFile("纪要.docx", content))
    assert text == docx_text(content)
    assert "6月30日前完成规划审批" in text and "高新区 加快征地拆迁" in text


def test_the_child_sees_the_callers_settings_and_language(settings):
    settings.DIAODU_IMPORT_MAX_ROWS = 12
    with translation.override("en"):
        assert isolation.run(caller_settings) == (12, "en")
    with translation.override("zh-hans"):
        assert isolation.run(caller_settings) == (12, "zh-hans")


def test_an_error_comes_back_as_raised_in_the_users_language(chinese):
    with pytest.raises(reader.ReadError, match="既不是 Excel 工作簿"):
        reader.read(io.BytesIO(b"\x00\x01 binary"), "台账.pdf")
    with pytest.raises(ValidationError) as raised:
        read_minutes(SimpleUploadedFile("纪要.docx", b"PK\x03\x04 not a document"))
    assert "不是有效的" in raised.value.messages[0]


def test_more_memory_than_the_limit_is_refused(settings, chinese):
    settings.DIAODU_PARSE_MEMORY_MB = 64
    with pytest.raises(isolation.ParseOutOfMemory, match="文件过大或结构异常.*64 MB"):
        isolation.run(bytearray, 100 * 1024 * 1024)
    assert len(isolation.run(bytearray, 16 * 1024 * 1024)) == 16 * 1024 * 1024  # and its pickle


def test_a_parse_past_the_time_limit_is_stopped(settings, chinese):
    settings.DIAODU_PARSE_SECONDS = 1
    with pytest.raises(isolation.ParseTimedOut, match="超过 1 秒"):
        isolation.run(time.sleep, 600)


def test_a_child_killed_or_gone_without_an_answer_is_a_refusal(chinese):
    with pytest.raises(isolation.ParseOutOfMemory):  # a signal: what the kernel sends when out
        isolation.run(os.abort)
    with pytest.raises(isolation.ParseCrashed, match="意外中止"):
        isolation.run(os._exit, 3)


def test_the_child_makes_no_query(db):
    with pytest.raises(RuntimeError, match="without the database"):
        isolation.run(count_units)
