"""Excel helpers shared by every export and import: safe cells and readable workbooks."""

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, MergedCell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from diaodu.core.archives import HostileFile, check_archive
from diaodu.core.text import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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


def new_sheet(
    title: str, headers: list[str], widths: list[int] | None = None
) -> tuple[Workbook, Worksheet]:
    """A workbook with a title row, a bold header row frozen below it, and sensible widths."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one sheet, the active one
    sheet.title = title[:31]
    write_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for column, header in enumerate(headers, start=1):
        cell = write_cell(sheet, 2, column, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        width = (widths or [])[column - 1] if widths and column <= len(widths) else 14
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    return workbook, sheet


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


def stream_sheet(
    title: str, headers: list[str], widths: list[int] | None = None
) -> tuple[Workbook, Any]:
    """Like `new_sheet`, but written row by row: memory stays flat for any number of rows.

    Append each row with `sheet.append([...])`, cells made with `stream_cell`.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(NOT_IN_SHEET_TITLE.sub(" ", title)[:31])
    for column in range(1, len(headers) + 1):
        width = widths[column - 1] if widths and column <= len(widths) else 14
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    sheet.merged_cells.ranges.add(f"A1:{get_column_letter(len(headers))}1")
    sheet.append([stream_cell(sheet, title, font=Font(bold=True, size=14))])
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    sheet.append(
        [stream_cell(sheet, h, font=bold, fill=HEADER_FILL, alignment=wrap) for h in headers]
    )
    return workbook, sheet


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
