"""Word documents in the form offices print them: what the agenda, minutes and bulletin share.

Everything is set in SimSun (宋体), as the East Asian font too so Word uses it for Chinese
text; sections are numbered 一、二、…; tables use the "Table Grid" style. A download is named
in Chinese with an ASCII fallback for old clients (`docx_response`, like `xlsx_response`).
"""

from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from diaodu.core.text import xml_text

FONT = "SimSun"
EAST_ASIAN_FONT = "宋体"
NUMERALS = "一二三四五六七八九十"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _east_asian(r_pr: Any) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def font(run: Run, size: float | None = None, bold: bool | None = None) -> Run:
    """Set a run in SimSun, optionally with a size in points and bold."""
    run.font.name = FONT
    _east_asian(run._element.get_or_add_rPr())
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


def new_document() -> WordDocument:
    """An empty document whose Normal style is SimSun, 12 points."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    _east_asian(style.element.get_or_add_rPr())
    return document


ALIGNMENTS = {
    "left": None,
    "centre": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def paragraph(
    document: WordDocument,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    centre: bool = False,
    align: str | None = None,
    indent: bool = False,
) -> Paragraph:
    """One paragraph of one run. `indent` indents the first line by two characters."""
    result = document.add_paragraph()
    alignment = ALIGNMENTS["centre" if centre else (align or "left")]
    if alignment is not None:
        result.alignment = alignment
    if indent:
        result.paragraph_format.first_line_indent = Pt(size * 2)
    font(result.add_run(xml_text(text)), size, bold)
    return result


def numeral(number: int) -> str:
    """一 … 十 for 1 … 10, the number itself beyond."""
    return NUMERALS[number - 1] if 1 <= number <= len(NUMERALS) else str(number)


def section(document: WordDocument, number: int, heading: str) -> Paragraph:
    """A numbered section heading: 一、总体情况."""
    return paragraph(document, f"{numeral(number)}、{heading}", size=14, bold=True)


def subsection(document: WordDocument, number: int, heading: str) -> Paragraph:
    """A numbered subsection heading: （一）区县."""
    result = paragraph(document, f"（{numeral(number)}）{heading}", bold=True)
    result.paragraph_format.space_before = Pt(6)
    return result


def table(
    document: WordDocument,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float] | None = None,
) -> Table:
    """A centred "Table Grid" table: a bold header row, then one row per item.

    `widths` optionally gives each column's width in centimetres.
    """
    result: Table = document.add_table(rows=1, cols=len(headers))
    result.style = "Table Grid"
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(result.rows[0].cells, headers, strict=True):
        cell.text = ""
        font(cell.paragraphs[0].add_run(xml_text(header)), 11, True)
    for row in rows:
        cells = result.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            font(cell.paragraphs[0].add_run("" if value is None else xml_text(value)), 11)
    if widths:
        result.autofit = False
        for column, width in zip(result.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = Cm(width)  # each cell, which Word reads
    return result


def none(document: WordDocument) -> Paragraph:
    """The line of a section with nothing in it."""
    return paragraph(document, _("None."))


def to_bytes(document: WordDocument) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def date_text(value: date) -> str:
    """A date as offices write it: 2024年4月2日."""
    return f"{value.year}年{value.month}月{value.day}日"


def docx_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A download named `filename` (may be Chinese), with an ASCII `fallback` for old clients."""
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response
