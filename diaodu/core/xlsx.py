"""A minimal streaming .xlsx writer for the largest exports.

openpyxl spends some ten microseconds on every cell it writes; a ledger of fifty thousand
projects has almost a million. This writer emits the sheet's XML directly, row by row, into the
zip: the same workbook (title row, bold frozen header, widths, money format) in a fraction of
the time and flat memory. Text is written as inline strings, so no cell is ever a formula;
text that looks like one is still quoted, as everywhere else.
"""

import io
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from diaodu.core.excel import FORMULA_STARTS, NOT_IN_SHEET_TITLE
from diaodu.core.text import xml_text

# Style indexes of styles.xml below.
PLAIN, TITLE, HEADER, MONEY, BOLD_MONEY, BOLD = range(6)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
_FONT = '<sz val="{size}"/><name val="Calibri"/>'
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>'
    '<fonts count="3">'
    f"<font>{_FONT.format(size=11)}</font><font><b/>{_FONT.format(size=11)}</font>"
    f"<font><b/>{_FONT.format(size=14)}</font></fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="6">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
    'applyFill="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" '
    'applyFont="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _text(value: str) -> str:
    value = xml_text(value)
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return escape(value)


class SheetWriter:
    """One sheet: a title row merged across, a frozen header, then rows streamed into the zip."""

    def __init__(self, title: str, headers: list[str], widths: list[int]):
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=4)
        self.letters = [get_column_letter(i) for i in range(1, len(headers) + 1)]
        self.sheet_name = escape(NOT_IN_SHEET_TITLE.sub(" ", title)[:31], {'"': "&quot;"})
        self.row_number = 0
        self.pending: list[str] = []
        self.stream = io.TextIOWrapper(
            self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True), encoding="utf-8"
        )
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, start=1)
        )
        self.stream.write(
            _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>"
        )
        self.row([title], [TITLE])
        self.row(headers, [HEADER] * len(headers))

    def row(self, values: Sequence[Any], styles: Sequence[int] | None = None) -> None:
        """Append a row; `styles` gives each cell's style (PLAIN, MONEY, BOLD ...)."""
        self.row_number += 1
        number = self.row_number
        cells = []
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            style = styles[index] if styles else PLAIN
            s = f' s="{style}"' if style else ""
            ref = f"{self.letters[index]}{number}"
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
            else:
                text = _text(str(value))
                cells.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        self.pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self.pending) >= 500:
            self.stream.write("".join(self.pending))
            self.pending.clear()

    def close(self) -> bytes:
        self.stream.write("".join(self.pending))
        self.stream.write(
            f'</sheetData><mergeCells count="1"><mergeCell ref="A1:{self.letters[-1]}1"/>'
            "</mergeCells></worksheet>"
        )
        self.stream.close()
        self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.zip.writestr("_rels/.rels", _ROOT_RELS)
        self.zip.writestr(
            "xl/workbook.xml",
            _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{self.sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        self.zip.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()
        return self.buffer.getvalue()
