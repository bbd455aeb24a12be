"""Every way a file can be wrong gets a clear error, before anything is written."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from diaodu.core.excel import to_bytes
from diaodu.exchange.reader import ReadError, read


def xlsx(rows, title="台账") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return to_bytes(workbook)


def upload(data: bytes, name="ledger.xlsx"):
    return SimpleUploadedFile(name, data)


def test_header_found_below_merged_title_rows():
    data = xlsx(
        [
            ["2026年重点项目台账"],
            ["单位：万元"],
            ["序号", "项目名称", "总投资（亿元）"],
            [1, "甲项目", 2],
        ]
    )
    (sheet,) = read(upload(data)).sheets
    assert sheet.header_row == 3
    assert sheet.used == {"name": 1, "total_investment": 2}
    assert sheet.rows == [(4, (1, "甲项目", 2))]


def test_not_an_excel_file():
    with pytest.raises(ReadError, match="Excel"):
        read(upload(b"%PDF-1.4 not a workbook \x00\x01", "ledger.xlsx"))


def test_encrypted_or_old_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    with pytest.raises(ReadError, match="xlsx"):
        read(upload(data, "加密台账.xlsx"))


def test_damaged_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ReadError):
        read(upload(buffer.getvalue()))


def test_empty_file_and_empty_sheet():
    with pytest.raises(ReadError):
        read(upload(b""))
    with pytest.raises(ReadError, match="台账"):
        read(upload(xlsx([])))


def test_no_header():
    with pytest.raises(ReadError, match="项目名称"):
        read(upload(xlsx([["甲", "乙"], [1, 2]])))


def test_a_100_mb_file_is_refused_before_it_is_read():
    class Huge:
        name = "huge.xlsx"
        size = 100 * 1024 * 1024

        def seek(self, position):
            raise AssertionError("a file over the limit must not be read")

        read = seek

    with pytest.raises(ReadError, match="100.0"):
        read(Huge())


def test_formula_without_a_saved_value_is_reported():
    data = xlsx([["项目名称", "总投资（万元）"], ["甲项目", "=1+2"]])
    (sheet,) = read(upload(data)).sheets
    assert sheet.formulas_without_value == {(2, 1)}


def test_formula_with_a_saved_value_gives_the_value():
    data = xlsx([["项目名称", "总投资（万元）"], ["甲项目", "=1+2"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<f>1\+2</f><v\s*/?>(</v>)?", b"<f>1+2</f><v>3</v>", content)
            target.writestr(item, content)
    (sheet,) = read(upload(buffer.getvalue())).sheets
    assert sheet.rows == [(2, ("甲项目", 3))]
    assert sheet.formulas_without_value == set()


def test_csv_in_gb18030_and_utf8():
    text = "项目名称,总投资（万元）,所在县区\n甲项目,100,解放区\n"
    for encoding in ("gb18030", "utf-8-sig"):
        (sheet,) = read(upload(text.encode(encoding), "ledger.csv")).sheets
        assert sheet.rows == [(2, ("甲项目", "100", "解放区"))]


def test_csv_cell_quoted_against_formulas_reads_as_written():
    (sheet,) = read(upload("项目名称,建设内容\n甲项目,'=SUM(A1)\n".encode(), "ledger.csv")).sheets
    assert sheet.rows[0][1][1] == "=SUM(A1)"


def test_workbook_with_the_ledger_on_a_later_sheet():
    workbook = Workbook()
    workbook.active.append(["说明"])
    other = workbook.create_sheet("台账")
    other.append(["项目名称", "项目代码"])
    other.append(["甲项目", ""])
    (sheet,) = read(upload(to_bytes(workbook))).sheets
    assert sheet.name == "台账"
