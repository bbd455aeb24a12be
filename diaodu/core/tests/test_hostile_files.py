"""Hostile files, built here in code, refused cheaply through every upload path.

Each bomb is small on the wire: a sheet declaring A1:XFD1048576, a sheet of 200,000 rows,
a member of 300 MB of zeros, a document whose XML expands entities a billion times, a CSV of
millions of empty lines, a document of millions of empty paragraphs. Each must be refused in
under 2 s with the web process's peak memory grown by under 100 MB, with the reason in
Chinese; the parsing itself runs in a child process (diaodu.core.isolation), whose memory is
its own.
"""

import io
import random
import resource
import time
import zipfile

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from diaodu.conftest import login
from diaodu.core.archives import HostileFile, check_archive
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.meetings.tests.conftest import make_meeting
from diaodu.projects.models import Project

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
    "</Types>"
)  # fmt: skip
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'  # noqa: E501
    "</Relationships>"
)  # fmt: skip
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'  # noqa: E501
    "</Relationships>"
)  # fmt: skip
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _cell(ref, value):
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _ledger_rows():
    return (
        '<row r="1">' + _cell("A1", "项目名称") + _cell("B1", "所在县区")
        + _cell("C1", "总投资（万元）") + "</row>"
        '<row r="2">' + _cell("A2", "炸弹项目") + _cell("B2", "高新区") + _cell("C2", 1) + "</row>"
    )  # fmt: skip


def xlsx(sheet_xml: str) -> bytes:
    """A workbook written by hand, member by member, around one sheet's XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def _sheet(rows: str, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
        f"{head}<sheetData>{rows}</sheetData></worksheet>"
    )


def dimension_bomb() -> bytes:
    """Declares every cell of a sheet, holds six: the reader used to build them all."""
    return xlsx(
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
        '<dimension ref="A1:XFD1048576"/>'
        f"<sheetData>{_ledger_rows()}</sheetData></worksheet>"
    )


def row_bomb(rows=200_000) -> bytes:
    empty = "".join(f'<row r="{n}"/>' for n in range(3, rows + 3))
    return xlsx(
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
        f"<sheetData>{_ledger_rows()}{empty}</sheetData></worksheet>"
    )


def zip_bomb(name="xl/worksheets/sheet1.xml", megabytes=300) -> bytes:
    """A member of zeros, compressed a thousandfold, written a megabyte at a time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open(name, "w", force_zip64=True) as member:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(zeros)
    return buffer.getvalue()


def billion_laughs_docx() -> bytes:
    """A Word document whose body expands ten entities ten times over, nine levels deep."""
    from docx import Document

    document = Document()
    document.add_paragraph("会议纪要")
    buffer = io.BytesIO()
    document.save(buffer)
    entities = '<!ENTITY lol0 "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                declaration, rest = content.split(b"?>", 1)
                doctype = f"<!DOCTYPE w:document [{entities}]>".encode()
                rest = rest.replace("会议纪要".encode(), b"&lol9;")
                content = declaration + b"?>" + doctype + rest
            bomb.writestr(info, content)
    return out.getvalue()


def tree_bomb_docx(megabytes=10) -> bytes:
    """A legal document of empty paragraphs and runs: 0.5 MB, inflating 25 times (within the
    archive checks), whose tree python-docx builds at some 20 bytes per byte of XML."""
    from docx import Document

    document = Document()
    document.add_paragraph("会议纪要")
    buffer = io.BytesIO()
    document.save(buffer)
    count = megabytes * 1024 * 1024 // 6
    letters = random.Random(24).randbytes(count).translate(bytes(b"pr"[n % 2] for n in range(256)))
    body = ("<w:" + "/><w:".join(letters.decode()) + "/>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                head, rest = content.split(b"<w:body>", 1)
                content = head + b"<w:body>" + body + rest
            bomb.writestr(info, content)
    return out.getvalue()


def line_bomb_csv(megabytes=8) -> bytes:
    """A ledger header, then a line break for every byte: millions of rows from a few MB."""
    return "项目名称,所在县区,总投资（万元）\n".encode() + b"\n" * (megabytes * 1024 * 1024 - 64)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _reset_peak_rss() -> None:
    """Linux forgets the process's peak so far: what follows is measured from the current size."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pytest.skip("measuring the peak memory needs Linux's /proc/self/clear_refs")


def cheap(action):
    """Runs `action`: refused well before the parse's time limit (in under half of
    DIAODU_PARSE_SECONDS, however busy the machine: a bomb is stopped by its size or memory,
    not by running out of time), and with the peak memory of this process (the web server's,
    not the child's) grown by under 100 MB. Returns what the action returned."""
    _reset_peak_rss()
    before = _peak_rss()
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    grown = _peak_rss() - before
    print(f"{elapsed:.2f} s, peak memory grown by {grown / 1024 / 1024:.1f} MB")
    assert elapsed < django_settings.DIAODU_PARSE_SECONDS / 2, elapsed
    assert grown < 100 * 1024 * 1024, grown
    return result


def _upload(content, name="台账.xlsx"):
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True, scope="module")
def warm():
    """Libraries loaded and read once, as in a running web process, and the fork server of
    diaodu.core.isolation started (as by a web process's first upload), before anything is
    timed."""
    from docx import Document

    from diaodu.exchange.reader import read

    read(io.BytesIO(xlsx(_sheet(_ledger_rows()))), "warm.xlsx")
    buffer = io.BytesIO()
    Document().save(buffer)
    Document(io.BytesIO(buffer.getvalue()))


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


def test_the_bombs_are_small():
    assert len(dimension_bomb()) < 2000
    assert len(row_bomb()) < 500_000
    assert len(zip_bomb()) < 400_000
    assert len(billion_laughs_docx()) < 50_000
    assert len(tree_bomb_docx()) < 600_000
    check_archive(tree_bomb_docx())  # within every limit of the archive: only its tree is huge


def test_the_dimension_bomb_is_read_as_the_cells_it_holds(city):
    client = login(city.users.hq)
    content = dimension_bomb()
    cheap(lambda: client.post(reverse("exchange:import"), {"file": _upload(content), "year": 2026}))
    job = ImportJob.objects.last()
    assert job.status == ImportStatus.READY, job.result
    assert job.counts["created"] == 1 and job.total == 1


@pytest.mark.parametrize("bomb, words", [(row_bomb, "100000"), (zip_bomb, "200 MB")])
def test_the_import_page_refuses_a_bomb(city, bomb, words):
    content = bomb()
    client = login(city.users.hq)
    cheap(lambda: client.post(reverse("exchange:import"), {"file": _upload(content), "year": 2026}))
    job = ImportJob.objects.last()
    assert job.status == ImportStatus.REJECTED
    assert words in job.result["problems"][0]["message"]
    assert not Project.objects.filter(name="炸弹项目").exists()


@pytest.mark.parametrize("bomb", [row_bomb, zip_bomb])
def test_the_import_api_refuses_a_bomb(city, bomb, chinese):
    content = bomb()
    client = login(city.users.hq)
    response = cheap(
        lambda: client.post(reverse("import-list"), {"file": _upload(content), "dry_run": "false"})
    )
    assert response.status_code == 400
    message = response.json()["problems"][0]["message"]
    assert ("超过" in message or "行" in message) and not Project.objects.filter(name="炸弹项目")


@pytest.mark.parametrize(
    "bomb, words",
    [
        (billion_laughs_docx, "实体声明"),
        (lambda: zip_bomb("word/document.xml"), "解压后超过"),
        (lambda: b"PK\x03\x04 not a document", "不是有效的"),
    ],
)
def test_the_minutes_upload_refuses_a_bomb(city, bomb, words, chinese):
    meeting = make_meeting(city)
    content = bomb()
    client = login(city.users.hq)
    url = reverse("meetings:extract", args=[meeting.pk])
    response = cheap(lambda: client.post(url, {"file": _upload(content, "纪要.docx")}))
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(words in m for m in shown), shown


def test_minutes_whose_tree_outgrows_the_memory_limit_are_refused(city, settings, chinese):
    # 128 MB is reached in a fraction of a second (the default 512 MB, here in some 4 s).
    settings.DIAODU_PARSE_MEMORY_MB = 128
    meeting = make_meeting(city)
    content = tree_bomb_docx()
    client = login(city.users.hq)
    url = reverse("meetings:extract", args=[meeting.pk])
    response = cheap(lambda: client.post(url, {"file": _upload(content, "纪要.docx")}))
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("文件过大或结构异常，解析超出内存限制（128 MB）" in m for m in shown), shown
    meeting.refresh_from_db()
    assert not meeting.minutes


def test_the_import_page_refuses_a_csv_of_millions_of_lines(city):
    content = line_bomb_csv()
    client = login(city.users.hq)
    cheap(
        lambda: client.post(
            reverse("exchange:import"), {"file": _upload(content, "台账.csv"), "year": 2026}
        )
    )
    job = ImportJob.objects.last()
    assert job.status == ImportStatus.REJECTED
    assert "100000 行" in job.result["problems"][0]["message"]


def test_minutes_longer_than_the_limit_are_refused(city, settings, chinese):
    from docx import Document

    settings.DIAODU_MINUTES_MAX_CHARS = 1000
    document = Document()
    for _ in range(30):
        document.add_paragraph("各单位要加快施工进度，确保按期完工。" * 5)
    buffer = io.BytesIO()
    document.save(buffer)
    meeting = make_meeting(city)
    response = login(city.users.hq).post(
        reverse("meetings:extract", args=[meeting.pk]),
        {"file": _upload(buffer.getvalue(), "纪要.docx")},
    )
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("1000" in m for m in shown), shown


def test_too_many_columns_are_refused(city, settings):
    settings.DIAODU_IMPORT_MAX_COLUMNS = 5
    wide = "".join(_cell(f"{letter}3", 1) for letter in "ABCDEFGH")
    content = xlsx(
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'
        f'<sheetData>{_ledger_rows()}<row r="3">{wide}</row></sheetData></worksheet>'
    )
    login(city.users.hq).post(reverse("exchange:import"), {"file": _upload(content), "year": 2026})
    assert "5" in ImportJob.objects.get().result["problems"][0]["message"]


@pytest.mark.parametrize(
    "members, words",
    [
        ({"../evil.xml": b"<a/>"}, "之外"),
        (
            {"a.xml": b'<?xml version="1.0"?><!-- x --><!DOCTYPE a [<!ENTITY e "x">]><a/>'},
            "DOCTYPE",
        ),
        ({"a.xml": b"<?xml version='1.0'?>" + b" " * 70_000 + b"<a/>"}, "DOCTYPE"),
        ({"a.bin": b"\0" * (2 * 1024 * 1024)}, "压缩比异常"),
    ],
)
def test_check_archive_refuses(members, words):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(HostileFile, match=words):
        check_archive(buffer.getvalue())


def test_check_archive_accepts_office_files():
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    check_archive(buffer.getvalue())
    check_archive(dimension_bomb())


def test_real_rows_ignore_the_declared_dimension_and_stop_at_the_limit(settings):
    from openpyxl import load_workbook

    from diaodu.core.excel import ExcelError, real_rows

    sheet = load_workbook(io.BytesIO(dimension_bomb()), read_only=True).worksheets[0]
    assert [len(row) for _number, row in real_rows(sheet)] == [3, 3]
    settings.DIAODU_IMPORT_MAX_ROWS = 1
    with pytest.raises(ExcelError, match="1 行"):
        list(real_rows(sheet))
