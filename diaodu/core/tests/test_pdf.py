"""PDF beside Word: converted by LibreOffice where it is installed (the conversions are skipped
where it is not: it is optional), refused with a clear message where it is missing."""

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn

from diaodu.core import docx, pdf

needs_libreoffice = pytest.mark.skipif(
    not pdf.available(), reason="LibreOffice (soffice) is not installed: PDF is optional"
)
BODY = "现将全市重点项目建设情况通报如下各单位要对照查找差距迎头赶上" * 3


def a_document() -> bytes:
    document = docx.new_document()
    docx.title(document, "关于全市重点项目建设情况的通报")
    docx.paragraph(document, BODY)
    for number in range(1, 60):
        docx.body(document, f"第{number}段。")
    return docx.to_bytes(document)


def test_the_grid_is_given_to_libreoffice_at_the_fonts_size():
    content = a_document()
    converted = Document(BytesIO(pdf.for_libreoffice(content)))
    grid = converted.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:charSpace")) == "0"
    assert grid.get(qn("w:linePitch")) == "579"
    normal = converted.styles["Normal"].element.rPr
    assert normal.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    # The Word file itself keeps its grid of 28 characters.
    original = Document(BytesIO(content)).sections[0]._sectPr.find(qn("w:docGrid"))
    assert original.get(qn("w:charSpace")) == "-848"


def test_without_libreoffice_the_conversion_is_refused_in_chinese(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not pdf.available()
    with pytest.raises(pdf.ConversionError, match="LibreOffice"):
        pdf.to_pdf(a_document())


@needs_libreoffice
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler) is not installed")
def test_a_document_converts_to_an_a4_pdf_of_28_characters_a_line(tmp_path):
    content = pdf.to_pdf(a_document())
    assert content.startswith(b"%PDF")
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "pts (A4)" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    first_line = next(line.strip() for line in text.splitlines() if line.strip().startswith("现将"))
    assert first_line.replace(" ", "") == BODY[:28]
    pages = text.split("\f")
    assert re.search(r"—\s*1\s*—", pages[0]) and re.search(r"—\s*2\s*—", pages[1])
    # 22 lines a page: the second page holds 22 of the one-line paragraphs.
    assert len([line for line in pages[1].splitlines() if "段" in line]) == 22


@needs_libreoffice
def test_a_conversion_that_takes_too_long_is_stopped():
    with pytest.raises(pdf.ConversionError):
        pdf.to_pdf(a_document(), timeout=0.001)


def test_a_file_that_is_no_word_document_is_refused_in_chinese():
    with pytest.raises(pdf.ConversionError, match="Word"):
        pdf.for_libreoffice(b"not a zip file")
