"""The document layer: a document written with it, opened again with python-docx, has the format
of GB/T 9704-2012 (page, margins, grid, fonts and sizes, page numbers, tables, imprint)."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from diaodu.core import docx

NUMBER = "焦重办〔2026〕7号"


def east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def reopen(document):
    return Document(BytesIO(docx.to_bytes(document)))


def find(document, text):
    return next(p for p in document.paragraphs if p.text == text)


def assert_format(document):
    """Page, margins, grid, Normal style and page numbers of the format (for every document)."""
    for page in document.sections:
        assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
        assert [round(m.mm) for m in (page.top_margin, page.bottom_margin)] == [37, 35]
        assert [round(m.mm) for m in (page.left_margin, page.right_margin)] == [28, 26]
        grid = page._sectPr.find(qn("w:docGrid"))
        assert grid.get(qn("w:type")) == "linesAndChars"
        assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines
        assert int(grid.get(qn("w:charSpace"))) == -848  # 156 mm / 28 characters
        for footer, side in ((page.footer, "RIGHT"), (page.even_page_footer, "LEFT")):
            line = footer.paragraphs[0]
            xml = line._p.xml
            assert "PAGE" in "".join(t.text for t in line._p.iter(qn("w:instrText")))
            assert 'w:fldCharType="begin"' in xml
            assert line.text == "— 1 —"
            assert (line.alignment.name if line.alignment else "LEFT") == side
            assert {east_asian(r) for r in line.runs} == {"宋体"}
            assert {r.font.size for r in line.runs} == {Pt(14)}
    settings_xml = document.settings.element
    assert settings_xml.find(qn("w:evenAndOddHeaders")) is not None
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.paragraph_format.line_spacing_rule.name == "EXACTLY"


def assert_title(paragraph, text=None):
    if text is not None:
        assert paragraph.text == text
    assert paragraph.alignment.name == "CENTER"
    assert {east_asian(r) for r in paragraph.runs} == {"方正小标宋简体"}
    assert {r.font.size for r in paragraph.runs} == {Pt(22)}


def assert_body(paragraph):
    assert {east_asian(r) for r in paragraph.runs} == {"仿宋_GB2312"}
    assert {r.font.size for r in paragraph.runs} == {Pt(16)}


def assert_heading(paragraph, level):
    fonts = {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312", 4: "仿宋_GB2312"}
    assert {east_asian(r) for r in paragraph.runs} == {fonts[level]}
    assert {r.font.size for r in paragraph.runs} == {Pt(16)}


@pytest.fixture
def written(settings):
    settings.DIAODU_DOCUMENT_MASTHEAD = True
    settings.DIAODU_DOCUMENT_ISSUER = "焦作市重点项目建设指挥部办公室"
    document = docx.new_document()
    docx.masthead(document, NUMBER)
    docx.title(document, "关于全市重点项目建设情况的通报")
    docx.addressee(document, "各县（市）区、市直各有关单位：")
    docx.body(document, "现将有关情况通报如下。")
    docx.section(document, 1, "总体情况")
    docx.subsection(document, 1, "县区组")
    docx.heading(document, 3, 2, "投资。")
    docx.heading(document, 4, 11, "其他。")
    docx.table(document, ["序号", "单位"], [(i, f"单位{i}") for i in range(1, 4)], widths=[2, 13.6])
    docx.signature(document, on=date(2026, 11, 30))
    docx.imprint(document, copied_to=["市委办公室", "市政府办公室"], printed_on=date(2026, 11, 30))
    return reopen(document)


def test_a_document_has_the_format(written):
    assert_format(written)
    assert_title(find(written, "关于全市重点项目建设情况的通报"))
    assert_body(find(written, "现将有关情况通报如下。"))
    assert find(written, "现将有关情况通报如下。").paragraph_format.first_line_indent == Pt(32)
    assert_heading(find(written, "一、总体情况"), 1)
    assert_heading(find(written, "（一）县区组"), 2)
    assert_heading(find(written, "2.投资。"), 3)
    assert_heading(find(written, "（11）其他。"), 4)


def test_the_masthead_number_signature_and_imprint(written):
    head = written.paragraphs[0]
    assert head.text == "焦作市重点项目建设指挥部办公室"
    assert {east_asian(r) for r in head.runs} == {"方正小标宋简体"}
    assert {str(r.font.color.rgb) for r in head.runs} == {"FF0000"}
    number = written.paragraphs[1]
    assert number.text == NUMBER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    texts = [p.text for p in written.paragraphs]
    assert texts.index("焦作市重点项目建设指挥部办公室", 1) < texts.index("2026年11月30日")
    assert "抄送：市委办公室，市政府办公室。" in texts
    assert "焦作市重点项目建设指挥部办公室\t2026年11月30日印发" in texts
    imprint = find(written, "抄送：市委办公室，市政府办公室。")
    assert {r.font.size for r in imprint.runs} == {Pt(14)}


def test_without_the_masthead_only_the_number(settings):
    settings.DIAODU_DOCUMENT_MASTHEAD = False
    document = docx.new_document()
    docx.masthead(document, NUMBER)
    written = reopen(document)
    assert [p.text for p in written.paragraphs] == [NUMBER]
    assert written.paragraphs[0]._p.pPr.find(qn("w:pBdr")) is None


def test_tables_repeat_their_header_in_the_table_fonts(written):
    (table,) = written.tables
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    header_runs = [r for c in header.cells for p in c.paragraphs for r in p.runs]
    body_runs = [r for c in table.rows[1].cells for p in c.paragraphs for r in p.runs]
    assert {east_asian(r) for r in header_runs} == {"黑体"}
    assert {east_asian(r) for r in body_runs} == {"仿宋_GB2312"}
    assert {r.font.size for r in header_runs + body_runs} == {Pt(12)}


def test_the_font_table_names_fallbacks(written):
    part = next(
        r.target_part for r in written.part.rels.values() if r.reltype.endswith("/fontTable")
    )
    table = part.blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table
    assert '<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/>' in table


def test_legacy_helpers_give_the_format():
    """paragraph(size=18) as the old title, the old body sizes as 3号."""
    document = docx.new_document()
    docx.paragraph(document, "旧标题", size=18, bold=True, centre=True)
    docx.paragraph(document, "旧正文", size=12)
    docx.paragraph(document, "默认正文")
    written = reopen(document)
    assert_title(find(written, "旧标题"))
    assert_body(find(written, "旧正文"))
    assert_body(find(written, "默认正文"))


def test_dates_and_numbers_as_documents_write_them():
    assert docx.date_text(date(2026, 11, 30)) == "2026年11月30日"
    assert docx.date_text(date(2026, 1, 5)) == "2026年1月5日"
    # A moment is read in local time (Asia/Shanghai): 20:00 UTC is the next day there.
    assert docx.date_text(datetime(2026, 11, 29, 20, tzinfo=ZoneInfo("UTC"))) == "2026年11月30日"
    assert docx.document_number("焦重办", 2026, 7) == NUMBER
    assert docx.heading_text(1, 12, "x") == "十二、x"
    assert docx.heading_text(2, 20, "x") == "（二十）x"


def test_a_long_title_is_broken_in_balanced_lines():
    assert docx.title_lines("关于2026年10月全市重点项目建设情况的通报") == [
        "关于2026年10月全市",
        "重点项目建设情况的通报",
    ]
    assert docx.title_lines("关于表彰的通报") == ["关于表彰的通报"]
    long = "关于2026年第三季度全市重点项目建设进展情况及下一步工作安排意见的通报"
    lines = docx.title_lines(long)
    assert "".join(lines) == long and len(lines) == 2
    assert all(docx._width(line) <= 19 for line in lines)
    assert abs(docx._width(lines[0]) - docx._width(lines[1])) <= 4
    document = docx.new_document()
    docx.title(document, "关于2026年10月全市重点项目建设情况的通报")
    assert_title(reopen(document).paragraphs[0], "关于2026年10月全市\n重点项目建设情况的通报")


def _without_texts(row_xml):
    from copy import deepcopy

    shape = deepcopy(row_xml)
    for run in shape.iter(qn("w:r")):
        for part in [*run.findall(qn("w:t")), *run.findall(qn("w:br")), *run.findall(qn("w:tab"))]:
            run.remove(part)
    return shape


def test_a_long_table_has_every_row_as_the_first_with_its_own_texts():
    from lxml import etree

    document = docx.new_document()

    def reason(i):
        return "" if i % 3 else "拆迁未完成\n第二行\t备注"

    rows = [(i, f"项目{i}", None if i % 3 else reason(i)) for i in range(1, 301)]
    result = docx.table(document, ["序号", "项目", "原因"], rows, widths=[2, 6, 7.6])
    assert len(result.rows) == 301
    for i, row in enumerate(result.rows[1:], start=1):
        assert [cell.text for cell in row.cells] == [str(i), f"项目{i}", reason(i)]
    first = etree.tostring(_without_texts(result.rows[1]._tr))
    assert all(etree.tostring(_without_texts(row._tr)) == first for row in result.rows[2:])
    # Each row keeps its cells' widths (Word) and does not break across pages.
    last = result.rows[-1]._tr
    assert last.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    widths = [cell.width for cell in result.rows[-1].cells]
    assert widths == [cell.width for cell in result.rows[0].cells]
    assert [round(width / docx.Cm(1), 2) for width in widths] == [2, 6, 7.6]
    # A document of it opens again with every row.
    assert len(Document(BytesIO(docx.to_bytes(document))).tables[0].rows) == 301


def test_a_table_with_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        docx.table(docx.new_document(), ["甲", "乙"], [("1", "2"), ("3", "4"), ("5",)])
