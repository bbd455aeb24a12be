"""Excel helpers shared by every export and import: safe cells and readable, printable workbooks.

Every list a user downloads is laid out the same way, here, so that no export can forget it: a
title row, then a header row with 序号 first, frozen, with filter buttons, repeated at the top
of every printed page; A4 landscape, as wide as one page and as long as it takes. Money is in
万元 with two decimals (`MONEY`); a percentage is stored as a fraction and shown as one
(`PERCENT`: 0.819 shows 81.9%).
"""

import io
import math
import re
import zipfile
from collections.abc import Iterator
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, MergedCell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from diaodu.core.archives import HostileFile, check_archive
from diaodu.core.text import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY = "#,##0.00"
PERCENT = "0.0%"
# The significant digits Excel keeps and shows of a number; the rest of a float is noise.
EXCEL_DIGITS = 15
# The row of a list's headers, below its title row; 序号 heads its first column.
HEADER_ROW = 2
NUMBER_WIDTH = 6
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# Characters Excel refuses in a sheet's name (the title row keeps them).
NOT_IN_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")


class ExcelError(Exception):
    """A file that cannot be read as a workbook; the message says why, in Chinese."""


def write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell | MergedCell:
    """Write a value so that no text can become a formula in someone's spreadsheet (nor hold
    a character Excel refuses)."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_STARTS):
            value = "'" + value  # shown as text; an import strips the quote again
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def read_text(value: Any) -> Any:
    """A cell's text as written before export (without the quote that neutralised a formula)."""
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2]
        and (value[1:].startswith(FORMULA_STARTS))
    ):
        return value[1:]
    return value


def read_decimal(value: Any, places: int) -> Any:
    """A number read from a cell as the Decimal Excel shows, with `places` decimals when it has
    no more: the float 2374.7 is 2374.70 and 0.1 + 0.2 is 0.30 (a float's noise lies past
    Excel's 15 significant digits), while 12.345 stays 12.345 for a form to refuse. Anything
    but a number (text, None) is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return value
        shown = Context(prec=EXCEL_DIGITS).create_decimal_from_float(value)
        typed = Decimal(repr(value))
    else:
        shown = typed = Decimal(value)
    try:
        rounded = shown.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # too large for the decimals: a form refuses it by its digits
        return typed
    return rounded if rounded == shown else typed


def read_whole(value: Any) -> Any:
    """A whole number read from a cell as an int, whether Excel holds it as 12, 12.0 or the
    text "12"; a fraction (12.5) comes back as its text, for a form to refuse rather than
    truncate. Anything else is returned as it is."""
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        whole = number.is_finite() and number.adjusted() < 20  # no int of a million digits
        return int(number) if whole and number == number.to_integral_value() else value
    number = read_decimal(value, 0)
    if isinstance(number, Decimal):
        return int(number) if number == number.to_integral_value() else str(number)
    return number


def read_cell_text(value: Any) -> Any:
    """A text cell as written before export (`read_text`); a number Excel made of typed text as
    Excel shows it (12, not 12.0)."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{Context(prec=EXCEL_DIGITS).create_decimal_from_float(value).normalize():f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return read_text(value)


def number_header() -> str:
    """The header of the first column of every list: 序号."""
    return _("No.")


def print_ready(sheet: Any, columns: int, header_row: int = HEADER_ROW) -> None:
    """Set a sheet up for print: filter buttons on the header, the header repeated on every
    printed page, A4 landscape, one page wide and as many long as it takes.

    The filter covers the header row here; `to_bytes` extends it down to the last row. A
    streamed sheet must be set up before its first row is written.
    """
    last = get_column_letter(max(columns, 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4 (openpyxl's PAPERSIZE_A4)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages long as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True


def new_sheet(
    title: str, headers: list[str], widths: list[int] | None = None
) -> tuple[Workbook, Worksheet]:
    """A workbook with a title row, a bold header row frozen below it (序号 first, then
    `headers`), sensible widths, filter buttons and print setup (`print_ready`).

    Write its rows with `write_row`, which numbers them; `write_cell`'s columns count 序号.
    """
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet, the active one
    sheet.title = NOT_IN_SHEET_TITLE.sub(" ", title)[:31]
    headers = [number_header(), *headers]
    widths = [NUMBER_WIDTH, *(widths or [])]
    write_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, HEADER_ROW, column, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = widths[column - 1] if column <= len(widths) else 14
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    print_ready(sheet, len(headers))
    return workbook, sheet


def write_row(sheet: Worksheet, row: int, values: list[Any]) -> list[Cell | MergedCell]:
    """Write a list's row below the header of `new_sheet`: its 序号, then `values`."""
    cells = [write_cell(sheet, row, 1, row - HEADER_ROW)]
    for column, value in enumerate(values, start=2):
        cells.append(write_cell(sheet, row, column, value))
    return cells


def stream_cell(
    sheet: Any,
    value: Any,
    *,
    number_format: str | None = None,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
) -> Cell:
    """A cell of a streamed sheet, safe like `write_cell`."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


class StreamedSheet:
    """A list written row by row (memory stays flat for any number of rows), laid out like
    `new_sheet`: title, frozen header with 序号 first, filter, print setup.

    `cell()` makes a cell (safe like `write_cell`); `append()` writes a row of them after its
    序号; `append(..., numbered=False)` writes a row without one (a totals row: the filter
    stops above it, so filtering never hides it).
    """

    def __init__(self, title: str, headers: list[str], widths: list[int] | None = None):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(NOT_IN_SHEET_TITLE.sub(" ", title)[:31])
        headers = [number_header(), *headers]
        widths = [NUMBER_WIDTH, *(widths or [])]
        self.columns = len(headers)
        for column in range(1, len(headers) + 1):
            width = widths[column - 1] if column <= len(widths) else 14
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        self.sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        print_ready(self.sheet, self.columns)  # before the first row, which writes the head
        self.sheet.merged_cells.ranges.add(f"A1:{get_column_letter(len(headers))}1")
        self.sheet.append([self.cell(title, font=Font(bold=True, size=14))])
        bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
        self.sheet.append(
            [self.cell(h, font=bold, fill=HEADER_FILL, alignment=wrap) for h in headers]
        )
        self.rows = HEADER_ROW
        self.numbered = 0

    def cell(self, value: Any, **style: Any) -> Cell:
        return stream_cell(self.sheet, value, **style)

    def append(self, cells: list[Any], *, numbered: bool = True, font: Font | None = None) -> None:
        if numbered:
            self.numbered += 1
            first = self.cell(self.numbered, font=font)
        else:
            first = self.cell(None)
        self.sheet.append([first, *cells])
        self.rows += 1
        if numbered:
            last = get_column_letter(self.columns)
            self.sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{self.rows}"

    def to_bytes(self) -> bytes:
        return to_bytes(self.workbook)


def to_bytes(workbook: Workbook) -> bytes:
    """The workbook's file; a filter set on a header row alone (`print_ready`) is extended
    down to the sheet's last row."""
    if not workbook.write_only:
        for sheet in workbook.worksheets:
            _extend_filter(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _extend_filter(sheet: Worksheet) -> None:
    ref = sheet.auto_filter.ref
    if not ref or ":" not in ref:
        return
    start, end = ref.split(":")
    first, last = coordinate_from_string(start), coordinate_from_string(end)
    if first[1] == last[1] and sheet.max_row > last[1]:
        sheet.auto_filter.ref = f"{start}:{last[0]}{sheet.max_row}"


def open_workbook(uploaded: Any) -> Workbook:
    """Open an uploaded .xlsx after checking its size and kind; cached values, not formulas."""
    limit = settings.DIAODU_UPLOAD_MAX_MB * 1024 * 1024
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ExcelError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": settings.DIAODU_UPLOAD_MAX_MB}
        )
    data = uploaded.read()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExcelError(
            _("The file is encrypted or in the old .xls format; save it as an unprotected .xlsx.")
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ExcelError(_("The file is not an Excel workbook (.xlsx)."))
    check_workbook(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ExcelError(_("The workbook cannot be read: %(error)s") % {"error": error}) from error


ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")


def check_workbook(data: bytes) -> None:
    """Refuse a workbook before openpyxl reads it: a hostile archive (`check_archive`), or a
    sheet with more <row> elements than DIAODU_IMPORT_MAX_ROWS, counted a chunk at a time."""
    try:
        archive = check_archive(data)
    except HostileFile as error:
        raise ExcelError(str(error)) from error
    limit = settings.DIAODU_IMPORT_MAX_ROWS
    for member in archive.infolist():
        if not member.filename.startswith("xl/worksheets/"):
            continue
        rows, tail = 0, b""
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                chunk = tail + chunk
                cut = chunk.rfind(b"<")  # a tag cut by the chunk's end is counted with the next
                if cut < 0:
                    tail = b""
                    continue
                rows += len(ROW_TAG.findall(chunk, 0, cut))
                tail = chunk[cut:]
        rows += len(ROW_TAG.findall(tail))
        if rows > limit:
            raise ExcelError(
                _("A sheet of the workbook has more than %(limit)d rows; split the file.")
                % {"limit": limit}
            )


def real_rows(worksheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of the rows a read-only sheet really holds, within the limits.

    The dimension a sheet declares is ignored (a 1.6 KB file may declare A1:XFD1048576 and
    would be padded to it); rows are as long as their last written cell. A row past
    DIAODU_IMPORT_MAX_ROWS, or a cell past DIAODU_IMPORT_MAX_COLUMNS, refuses the file, so
    at most rows × columns cells are kept (one row is read at a time).
    """
    max_rows = settings.DIAODU_IMPORT_MAX_ROWS
    max_columns = settings.DIAODU_IMPORT_MAX_COLUMNS
    worksheet.reset_dimensions()
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > max_rows:
            raise ExcelError(
                _("The sheet “%(sheet)s” has more than %(limit)d rows; split the file.")
                % {"sheet": worksheet.title, "limit": max_rows}
            )
        if len(row) > max_columns:
            if any(value not in (None, "") for value in row[max_columns:]):
                raise ExcelError(
                    _("The sheet “%(sheet)s” has more than %(limit)d columns.")
                    % {"sheet": worksheet.title, "limit": max_columns}
                )
            row = row[:max_columns]  # formatted but empty cells to the right
        yield number, row
