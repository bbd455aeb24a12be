"""Word documents in the official format (党政机关公文格式, GB/T 9704-2012).

Every Word file the application writes goes through this module, so they all look alike:

- A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (a 156 × 225 mm text block);
  a document grid of 22 lines of 28 characters (``w:docGrid type="linesAndChars"``) and an
  exact line spacing of 28.95 pt, so each page holds 22 lines.
- The title in 2号 (22 pt) 方正小标宋简体; the body in 3号 (16 pt) 仿宋_GB2312; level-1
  headings (一、) in 黑体, level-2 (（一）) in 楷体_GB2312, levels 3 and 4 (1. and （1）) in the
  body font. Fonts are set as East Asian fonts too (``w:eastAsia``), which Word and WPS read
  for Chinese text, and the font table names fallbacks (仿宋, 楷体, 华文中宋 …) for machines
  without them; see docs/documents.md.
- Page numbers in the footer, 4号 半角宋体, as "— 1 —" (a PAGE field), on the outer side: odd
  pages on the right, even pages on the left, one character in.
- Tables in the same fonts at 小四 (12 pt), header row in 黑体 and repeated on every page.

The API, for every document of the application::

    document = new_document()                      # A4, grid, footers, Normal style
    masthead(document)                             # optional 红头 (settings), with the number
    title(document, "关于…的通报")                   # 2号 小标宋, centred
    number_line(document, "焦重办〔2026〕7号")        # 发文字号 (when there is no masthead)
    addressee(document, "各县（市）区、各有关单位：")  # 主送机关
    body(document, "…")                            # a body paragraph, indented two characters
    heading(document, 1, 1, "总体情况")              # 一、总体情况 (黑体); level 2: （一） (楷体)
    heading(document, 3, 2, "…")                   # 2. … ; level 4: （2）…, in the body font
    table(document, headers, rows, widths=[…])     # widths in cm; header repeats
    signature(document, issuer, on=date)           # 发文机关署名 and 成文日期, on the right
    imprint(document, copied_to=[…], printed_by=…, printed_on=date)   # 版记 at the end
    content = to_bytes(document)                   # then docx_response(content, name, fallback)

``date_text(date)`` writes a date as documents do: 2026年11月30日. ``document_number(abbr,
year, sequence)`` writes a 发文字号: 焦重办〔2026〕7号 (numbers are allocated once per document
by ``diaodu.core.numbering.number_for``).

The helpers written before this format (``paragraph``, ``section``, ``subsection``, ``font``,
``none``) keep their names and arguments: ``paragraph(size=18)`` is read as a title, and the
old body and heading sizes (12, 14) as the body's 3号, so older callers get the format unchanged.
"""

import copy
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree  # type: ignore[import-untyped]

from diaodu.core.text import xml_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMERALS = "一二三四五六七八九十"

# -- the format (GB/T 9704-2012) ---------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP_MARGIN, BOTTOM_MARGIN, LEFT_MARGIN, RIGHT_MARGIN = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"
# What Word or LibreOffice may use on a machine without the font (the font table's altName;
# docs/documents.md lists the fonts to install).
FALLBACKS = {
    TITLE_FONT: "华文中宋",
    BODY_FONT: "仿宋",
    "楷体_GB2312": "楷体",
    "黑体": "SimHei",
    PAGE_NUMBER_FONT: "SimSun",
}

TITLE_SIZE = 22  # 2号
BODY_SIZE = 16  # 3号
PAGE_NUMBER_SIZE = 14  # 4号
IMPRINT_SIZE = 14  # 4号, the 版记
TABLE_SIZE = 12  # 小四
MASTHEAD_SIZE = 36  # the issuer's name in the 红头, shrunk to fit one line
RED = RGBColor(0xFF, 0x00, 0x00)

# 225 mm of text height in 22 lines: 579 twips (28.95 pt) a line, the line spacing too.
TEXT_HEIGHT, TEXT_WIDTH = (
    Emu(PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN),
    Emu(PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN),
)
LINE_PITCH = int(TEXT_HEIGHT.twips / LINES_PER_PAGE)
# 156 mm of text width in 28 characters: the pitch, given as its difference from the body's
# size in 1/4096 of a point.
CHAR_PITCH_PT = TEXT_WIDTH.pt / CHARS_PER_LINE
CHAR_SPACE = round((CHAR_PITCH_PT - BODY_SIZE) * 4096)

ALIGNMENTS = {
    "left": None,
    "centre": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
# Where a title is best broken: after these.
TITLE_BREAKS_AFTER = set("的年月日市县区于和与及、")
# Sizes the helpers were called with before this format, and what they stood for.
LEGACY_TITLE_SIZE = 18
LEGACY_BODY_SIZES = {12, 14}


# -- fonts -------------------------------------------------------------------------------


def _fonts(r_pr: Any, name: str) -> None:
    """Name `name` for every script of a run or style, East Asian included."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def font(
    run: Run,
    size: float | None = None,
    bold: bool | None = None,
    *,
    name: str = BODY_FONT,
    color: RGBColor | None = None,
) -> Run:
    """Set a run in `name` (the body's 仿宋_GB2312 unless told), optionally with a size in
    points, bold and a colour."""
    _fonts(run._element.get_or_add_rPr(), name)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


def _font_table(document: WordDocument) -> None:
    """Declare the format's fonts in the font table, each with its fallback (w:altName)."""
    part = next(
        (
            rel.target_part
            for rel in document.part.rels.values()
            if rel.reltype.endswith("/fontTable")
        ),
        None,
    )
    if part is None:
        return
    root = etree.fromstring(part.blob)
    for name, fallback in FALLBACKS.items():
        element = etree.SubElement(root, qn("w:font"))
        element.set(qn("w:name"), name)
        alt = etree.SubElement(element, qn("w:altName"))
        alt.set(qn("w:val"), fallback)
        charset = etree.SubElement(element, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(element, qn("w:family"))
        family.set(qn("w:val"), "modern" if name == "黑体" else "roman")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- the page ----------------------------------------------------------------------------


def _grid(section: Any) -> None:
    """22 lines of 28 characters: the document grid of the section."""
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _field(paragraph_: Paragraph, instruction: str, size: float, name: str) -> None:
    """A field (PAGE …) in a paragraph, showing 1 until the reader updates it."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = font(paragraph_.add_run(), size, name=name)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
            run._element.append(element)
        elif kind == "text":
            run.text = text or ""
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)


def _page_number(footer: Any, side: str) -> None:
    """— 1 — in 4号 宋体, on `side` ("right" for odd pages, "left" for even), one character in."""
    line = footer.paragraphs[0]
    line.alignment = ALIGNMENTS[side] or WD_ALIGN_PARAGRAPH.LEFT
    indent = Pt(PAGE_NUMBER_SIZE)
    if side == "right":
        line.paragraph_format.right_indent = indent
    else:
        line.paragraph_format.left_indent = indent
    _off_grid(line)
    font(line.add_run("— "), PAGE_NUMBER_SIZE, name=PAGE_NUMBER_FONT)
    _field(line, "PAGE", PAGE_NUMBER_SIZE, PAGE_NUMBER_FONT)
    font(line.add_run(" —"), PAGE_NUMBER_SIZE, name=PAGE_NUMBER_FONT)


def setup_page(document: WordDocument) -> None:
    """A4 with the margins, the grid and the page numbers of the format, in every section."""
    document.settings.odd_and_even_pages_header_footer = True
    for page in document.sections:
        page.page_width, page.page_height = PAGE_WIDTH, PAGE_HEIGHT
        page.top_margin, page.bottom_margin = TOP_MARGIN, BOTTOM_MARGIN
        page.left_margin, page.right_margin = LEFT_MARGIN, RIGHT_MARGIN
        # The number's line 7 mm under the text block.
        page.header_distance, page.footer_distance = Mm(15), Mm(23)
        _grid(page)
        page.footer.is_linked_to_previous = False
        page.even_page_footer.is_linked_to_previous = False
        if not page.footer.paragraphs[0].runs:
            _page_number(page.footer, "right")
        if not page.even_page_footer.paragraphs[0].runs:
            _page_number(page.even_page_footer, "left")


def _off_grid(paragraph_: Paragraph) -> None:
    """Let a paragraph keep its own line height (tables, footers, the masthead)."""
    p_pr = paragraph_._p.get_or_add_pPr()
    snap = p_pr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = OxmlElement("w:snapToGrid")
        p_pr.append(snap)
    snap.set(qn("w:val"), "0")


def new_document() -> WordDocument:
    """An empty document in the format: A4, margins, grid, page numbers, and a Normal style in
    3号 仿宋_GB2312 at a fixed 28.95 pt line spacing."""
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(BODY_SIZE)
    _fonts(style.element.get_or_add_rPr(), BODY_FONT)
    spacing = style.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Twips(LINE_PITCH)
    spacing.space_before = spacing.space_after = Pt(0)
    spacing.widow_control = False
    setup_page(document)
    _font_table(document)
    return document


# -- paragraphs --------------------------------------------------------------------------


def _indent(paragraph_: Paragraph, characters: float, size: float = BODY_SIZE) -> None:
    paragraph_.paragraph_format.first_line_indent = Pt(size * characters)


def paragraph(
    document: WordDocument,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    centre: bool = False,
    align: str | None = None,
    indent: bool = False,
    name: str | None = None,
) -> Paragraph:
    """One paragraph of one run, in the body font and size unless told.

    `indent` indents the first line by two characters. A size of 18 (the old title's) makes a
    title (`title`), 12 and 14 (the old body's and heading's) the body's 3号.
    """
    if size is not None and size >= LEGACY_TITLE_SIZE and name is None:
        return title(document, text)
    if size is None or size in LEGACY_BODY_SIZES:
        size = BODY_SIZE
    result = document.add_paragraph()
    alignment = ALIGNMENTS["centre" if centre else (align or "left")]
    if alignment is not None:
        result.alignment = alignment
    if indent:
        _indent(result, 2, size)
    font(result.add_run(xml_text(text)), size, bold, name=name or BODY_FONT)
    return result


def body(document: WordDocument, text: str) -> Paragraph:
    """A body paragraph: 3号 仿宋_GB2312, justified, first line indented two characters."""
    return paragraph(document, text, indent=True, align="justify")


def title_lines(text: str) -> list[str]:
    """A title in lines of about equal length that each fit the text width, broken after a
    word that ends a phrase (的, 年, 月, 市 …) near the middle rather than leaving one
    character alone on the last line; never inside a number."""
    per_line = int(TEXT_WIDTH.pt / TITLE_SIZE) - 1  # room for the spacing around digits
    lines: list[str] = []
    rest = text
    while _width(rest) > per_line:
        count = -(-_width(rest) // per_line)  # lines still needed
        target = _width(rest) / count
        best, best_score = None, None
        for position in range(1, len(rest)):
            before, after = rest[position - 1], rest[position]
            if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
                continue  # inside a number or a word
            taken = _width(rest[:position])
            if taken > per_line:
                break
            score = abs(taken - target) - (3 if before in TITLE_BREAKS_AFTER else 0)
            if best_score is None or score < best_score:
                best, best_score = position, score
        position = best or len(rest)
        lines.append(rest[:position])
        rest = rest[position:]
    return [*lines, rest] if rest else lines


def title(document: WordDocument, text: str) -> Paragraph:
    """The title: 2号 方正小标宋简体, centred, in balanced lines (`title_lines`)."""
    result = document.add_paragraph()
    result.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _off_grid(result)  # its characters are wider than the grid's
    result.paragraph_format.space_after = Twips(LINE_PITCH)  # a blank line under it
    run = font(result.add_run(), TITLE_SIZE, False, name=TITLE_FONT)
    for number, line in enumerate(title_lines(xml_text(text))):
        if number:
            run.add_break()
        run.add_text(line)
    return result


def addressee(document: WordDocument, text: str) -> Paragraph:
    """主送机关: flush left, ending with a full-width colon."""
    return paragraph(document, text)


def numeral(number: int) -> str:
    """一 … 十 for 1 … 10, 十一 … 九十九 beyond, the number itself from 100."""
    if 1 <= number <= len(NUMERALS):
        return NUMERALS[number - 1]
    if 10 < number < 100:
        tens, ones = divmod(number, 10)
        return (
            ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")
        )
    return str(number)


def heading_text(level: int, number: int, text: str) -> str:
    """一、… （一）… 1. … （1）… for levels 1 to 4."""
    marker = {
        1: f"{numeral(number)}、",
        2: f"（{numeral(number)}）",
        3: f"{number}.",
        4: f"（{number}）",
    }[level]
    return f"{marker}{text}"


def heading(document: WordDocument, level: int, number: int, text: str) -> Paragraph:
    """A numbered heading of `level` 1–4: 一、 in 黑体, （一） in 楷体_GB2312, 1. and （1） in the
    body font; indented two characters like the body."""
    if level not in HEADING_FONTS:
        raise ValueError(f"heading level {level} is not 1 to 4")
    result = document.add_paragraph()
    _indent(result, 2)
    result.paragraph_format.keep_with_next = True
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    result._p.get_or_add_pPr().append(outline)
    font(
        result.add_run(xml_text(heading_text(level, number, text))),
        BODY_SIZE,
        False,
        name=HEADING_FONTS[level],
    )
    return result


def section(document: WordDocument, number: int, heading_: str) -> Paragraph:
    """A level-1 heading: 一、总体情况 (黑体)."""
    return heading(document, 1, number, heading_)


def subsection(document: WordDocument, number: int, heading_: str) -> Paragraph:
    """A level-2 heading: （一）区县 (楷体_GB2312)."""
    return heading(document, 2, number, heading_)


def none(document: WordDocument) -> Paragraph:
    """The line of a section with nothing in it."""
    return body(document, _("None."))


# -- tables ------------------------------------------------------------------------------


def _cell_text(cell: Any, text: str, *, header: bool) -> None:
    line = cell.paragraphs[0]
    for run in line._p.findall(qn("w:r")):
        line._p.remove(run)
    _off_grid(line)
    line.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    line.paragraph_format.first_line_indent = Pt(0)
    if header:
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    font(line.add_run(xml_text(text)), TABLE_SIZE, False, name="黑体" if header else BODY_FONT)


def _row_flag(row: Any, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def table(
    document: WordDocument,
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float] | None = None,
) -> Table:
    """A centred grid table in 小四: a header row in 黑体, repeated on every page, then one row
    per item in 仿宋_GB2312; no row breaks across pages.

    `widths` optionally gives each column's width in centimetres (by default the text width,
    shared equally).

    The first row is built through python-docx; every further row is a copy of its XML with the
    texts put in (a bulletin's table of red projects has thousands of rows: building each
    through python-docx took seconds per thousand).
    """
    result: Table = document.add_table(rows=1, cols=len(headers))
    result.style = "Table Grid"
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    result.autofit = False
    if not widths:
        text_width = TEXT_WIDTH.cm
        widths = [text_width / len(headers)] * len(headers)
    for column, width in zip(result.columns, widths, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice reads
    header_row = result.rows[0]
    _row_flag(header_row, "w:tblHeader")
    _row_flag(header_row, "w:cantSplit")
    for cell, header, width in zip(header_row.cells, headers, widths, strict=True):
        _cell_text(cell, str(header), header=True)
        cell.width = Cm(width)  # each cell, which Word reads
    first = None
    for row in rows:
        texts = [xml_text("" if value is None else str(value)) for value in row]
        if first is None:
            added = result.add_row()
            _row_flag(added, "w:cantSplit")
            for cell, text, width in zip(added.cells, texts, widths, strict=True):
                _cell_text(cell, text, header=False)
                cell.width = Cm(width)
            first = added._tr
            continue
        copied = copy.deepcopy(first)
        runs = copied.findall(f"{qn('w:tc')}/{qn('w:p')}/{qn('w:r')}")
        for run, text in zip(runs, texts, strict=True):  # one run in each cell
            run.text = text  # breaks and tabs as python-docx writes them
        result._tbl.append(copied)
    return result


# -- the parts around the body: masthead, number, signature, imprint ---------------------


def document_number(abbreviation: str, year: int, sequence: int) -> str:
    """A 发文字号: 焦重办〔2026〕7号 (the year in 六角括号, no leading zeros)."""
    return f"{abbreviation}〔{year}〕{sequence}号"


def issuer_name() -> str:
    """The issuing office's name (DIAODU_DOCUMENT_ISSUER)."""
    return settings.DIAODU_DOCUMENT_ISSUER


def number_line(document: WordDocument, number: str) -> Paragraph:
    """The 发文字号, centred in 3号 仿宋_GB2312."""
    result = paragraph(document, number, centre=True)
    _off_grid(result)
    return result


def _border(paragraph_: Paragraph, edge: str, size: int, color: str = "000000") -> None:
    """A rule at `edge` (top, bottom) of a paragraph; `size` in eighths of a point."""
    p_pr = paragraph_._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        p_pr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def masthead(
    document: WordDocument, number: str | None = None, issuer: str | None = None
) -> list[Paragraph]:
    """The 红头 when settings ask for it (DIAODU_DOCUMENT_MASTHEAD): the issuer's name in red
    小标宋, centred and shrunk to one line, the 发文字号 under it, then the red rule. Without
    the masthead, only the number's line (when there is a number). Returns the paragraphs."""
    parts: list[Paragraph] = []
    if settings.DIAODU_DOCUMENT_MASTHEAD:
        name = issuer or issuer_name()
        width = TEXT_WIDTH.pt
        size = min(MASTHEAD_SIZE, int(width / max(len(name), 1)))
        head = document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _off_grid(head)
        head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        head.paragraph_format.space_before = Mm(10)
        head.paragraph_format.space_after = Twips(LINE_PITCH * 2)
        font(head.add_run(xml_text(name)), size, False, name=TITLE_FONT, color=RED)
        parts.append(head)
    if number:
        parts.append(number_line(document, number))
    if settings.DIAODU_DOCUMENT_MASTHEAD:
        rule = parts[-1]
        _border(rule, "bottom", 18, "FF0000")  # 2.25 pt, red
        rule.paragraph_format.space_after = Twips(LINE_PITCH * 2)
    return parts


def _width(text: str) -> float:
    """Characters of the body a text takes: a Chinese one is one, a digit or letter half."""
    return sum(0.5 if ord(character) < 0x2E80 else 1 for character in text)


def signature(
    document: WordDocument, issuer: str | None = None, on: date | None = None
) -> list[Paragraph]:
    """发文机关署名 and 成文日期 on the right: the date four characters in, the name centred
    over it; a blank line above."""
    issuer = issuer or issuer_name()
    dated = date_text(on or timezone.localdate())
    paragraph(document, "")
    name = paragraph(document, issuer, align="right")
    shift = max(4 + (_width(dated) - _width(issuer)) / 2, 0)
    name.paragraph_format.right_indent = Pt(BODY_SIZE * shift)
    day = paragraph(document, dated, align="right")
    day.paragraph_format.right_indent = Pt(BODY_SIZE * 4)
    return [name, day]


def imprint(
    document: WordDocument,
    *,
    copied_to: Sequence[str] = (),
    printed_by: str | None = None,
    printed_on: date | None = None,
) -> list[Paragraph]:
    """The 版记 at the end, in 4号 仿宋_GB2312 between rules (the first and last thicker):
    抄送 (when anyone is copied), then the printing office on the left and "…印发" on the right,
    each one character in."""
    parts: list[Paragraph] = []
    paragraph(document, "")
    if copied_to:
        copied = document.add_paragraph()
        font(
            copied.add_run(xml_text(_("CC: %(units)s.") % {"units": "，".join(copied_to)})),
            IMPRINT_SIZE,
        )
        parts.append(copied)
    printed_by = printed_by or issuer_name()
    printed = document.add_paragraph()
    font(printed.add_run(xml_text(printed_by)), IMPRINT_SIZE)
    font(printed.add_run("\t"), IMPRINT_SIZE)
    font(
        printed.add_run(
            _("%(date)s printed") % {"date": date_text(printed_on or timezone.localdate())}
        ),
        IMPRINT_SIZE,
    )
    printed.paragraph_format.tab_stops.add_tab_stop(
        Emu(TEXT_WIDTH - Pt(IMPRINT_SIZE * 2)), WD_TAB_ALIGNMENT.RIGHT
    )
    parts.append(printed)
    for part in parts:
        _off_grid(part)
        part.paragraph_format.left_indent = Pt(IMPRINT_SIZE)
        part.paragraph_format.right_indent = Pt(IMPRINT_SIZE)
        part.paragraph_format.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    _border(parts[0], "top", 8)  # 1 pt: about 0.35 mm
    if len(parts) > 1:
        _border(parts[0], "bottom", 4)  # 0.5 pt: about 0.25 mm (drawn between the two)
    _border(parts[-1], "bottom", 8)
    return parts


# -- dates, bytes, downloads -------------------------------------------------------------


def date_text(value: date | datetime) -> str:
    """A date as documents write it: 2026年11月30日 (a datetime is read in local time)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def to_bytes(document: WordDocument) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A download named `filename` (may be Chinese), with an ASCII `fallback` for old clients."""
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response
