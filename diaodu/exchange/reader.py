"""Reading an uploaded ledger: an .xlsx workbook or a .csv file, to rows under a found header.

Every way a file can be wrong is a ReadError with a message in Chinese: too large (refused
before it is read), not a workbook, encrypted, an empty sheet, no header, too many rows or
columns, or a parse that needed more memory or time than a file may cost: the file is parsed
in a child process within DIAODU_PARSE_MEMORY_MB and DIAODU_PARSE_SECONDS
(`diaodu.core.isolation`), so that a hostile one costs that child, never the web server or
the task worker.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from diaodu.core import isolation
from diaodu.core.excel import ExcelError, check_workbook, read_text, real_rows
from diaodu.exchange import detail_columns
from diaodu.exchange.columns import (
    BY_KEY,
    Header,
    combine_headers,
    is_blank,
    match_header,
    normalise_header,
    section_meaning,
    unit_factor,
)

HEADER_SEARCH_ROWS = 15
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ReadError(Exception):
    """A file that cannot be read as a ledger; the message says why, in Chinese."""


@dataclass
class Sheet:
    """One sheet of projects: its header (one or two rows, the last at `header_row`), the
    columns it names, and its rows below the header."""

    name: str
    header_row: int
    headers: list[Header | None]
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    # (row, column) of formula cells saved without a computed value.
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    # The header as written, cell by cell (a two-row header joined as "parent / child").
    header_texts: list[str] = field(default_factory=list)
    # The unit of amounts a note above the table gives (单位：亿元), in 万元; None if none.
    money_unit: Decimal | None = None
    # What the sheet's name says of its projects (续建项目: their stage), as section_meaning.
    meaning: tuple[str, str] | None = None

    @cached_property
    def number_column(self) -> int | None:
        """The position of the 序号 column, if the sheet has one."""
        for index, text in enumerate(self.header_texts):
            if normalise_header(text) in ("序号", "编号", "no.", "no"):
                return index
        return None

    @cached_property
    def used(self) -> dict[str, int]:
        """Field key to column index (the first column naming it)."""
        found = {}
        for index, header in enumerate(self.headers):
            if header is not None and header.key != "derived" and header.key not in found:
                found[header.key] = index
        return found

    @property
    def unused_headers(self) -> list[str]:
        return [h.text for h in self.headers if h is not None and h.key == "derived"]

    @property
    def signature(self) -> str:
        """The header, cell for cell, as a digest: the key of a remembered column mapping."""
        texts = [normalise_header(text) for text in self.header_texts]
        return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()

    def map_column(self, index: int, key: str) -> None:
        """Read a column as the field `key` ("": leave it aside), as a person said it is."""
        while len(self.headers) <= index:
            self.headers.append(None)
        text = self.header_texts[index] if index < len(self.header_texts) else ""
        if not key:
            self.headers[index] = None
        else:
            found = match_header(text)
            if found is None or found.key != key:
                factor = unit_factor(normalise_header(text))
                found = Header(key, text, factor or Decimal(1), None, factor is not None)
            self.headers[index] = found
        self.__dict__.pop("used", None)  # the cached fields by column

    def factor(self, key: str) -> Decimal:
        """What to multiply the amounts of a field's column by to get 万元."""
        header = self.headers[self.used[key]]
        assert header is not None
        if header.unit_given or self.money_unit is None:
            return header.factor
        return self.money_unit


@dataclass
class DetailSheet(Sheet):
    """A sheet of one kind of a project's details (annual plans and their months, milestones,
    approvals, funding lines; see diaodu.exchange.detail_columns), never read as projects."""

    kind: str = ""


@dataclass
class Ledger:
    """A file's sheets of projects and of their details, and the sheets passed over, each with
    the reason."""

    sheets: list[Sheet]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    details: list[DetailSheet] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets)


def check_size(size: int | None) -> None:
    limit = settings.DIAODU_UPLOAD_MAX_MB * 1024 * 1024
    if size is not None and size > limit:
        raise ReadError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": size / 1024 / 1024, "limit": settings.DIAODU_UPLOAD_MAX_MB}
        )


def read(uploaded, name: str = "") -> Ledger:
    """Read the sheets of projects of an uploaded file (or any binary file)."""
    check_size(getattr(uploaded, "size", None))
    uploaded.seek(0)
    data = uploaded.read()
    check_size(len(data))
    name = (name or getattr(uploaded, "name", "") or "").lower()
    try:
        return isolation.run(parse, data, name)
    except isolation.ParseRefused as error:
        raise ReadError(str(error)) from error


@isolation.parser
def parse(data: bytes, name: str) -> Ledger:
    """The sheet of a file's bytes; `read` runs it in a child process."""
    if not data.strip():
        raise ReadError(_("The file is empty."))
    if data[:8] == OLE2:
        raise ReadError(
            _("The file is encrypted or in the old .xls format; save it as an unprotected .xlsx.")
        )
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _read_xlsx(data)
    if name.endswith(".csv") or not name.endswith((".xlsx", ".xlsm")):
        text = _decode(data)
        if text is not None and not name.endswith((".xlsx", ".xlsm")):
            return Ledger([_read_csv(text)])
    raise ReadError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file."))


def _decode(data: bytes) -> str | None:
    """CSV from Excel in China is often GB18030; anything else is UTF-8."""
    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


SUMMARY_HEADERS = ("项目个数", "项目数", "个数", "项目数量")
SKIPPED_NAMES = (
    (re.compile(r"说明|填表|注意事项|instructions", re.IGNORECASE), "instructions"),
    (re.compile(r"代码|字典|选项|下拉|codes?$|list", re.IGNORECASE), "code list"),
    (re.compile(r"汇总|统计|分类表|summary", re.IGNORECASE), "summary"),
)


def _find_header(rows) -> tuple[int, list[Header | None]] | None:
    for number, row in rows[:HEADER_SEARCH_ROWS]:
        headers = [match_header(cell) for cell in row]
        keys = {h.key for h in headers if h is not None}
        if "name" in keys and len(keys - {"derived"}) >= 2:
            return number, headers
    return None


def _is_subheader(header_cells: tuple, below: tuple, name_index: int) -> bool:
    """Whether the row under a header is the second row of a two-row header: no project name,
    only words, at least one of them under a parent header that spans several columns."""
    if name_index < len(below) and not is_blank(below[name_index]):
        return False
    words = [(i, c) for i, c in enumerate(below) if not is_blank(c)]
    if not words or any(not isinstance(c, str) or _number_like(c) for _i, c in words):
        return False
    if any(section_meaning(c) is not None and match_header(c) is None for _i, c in words):
        return False
    return any(
        i >= len(header_cells) or is_blank(header_cells[i]) or match_header(c) for i, c in words
    )


UNIT_WORDS = re.compile(r"^[（(]?(万元|亿元|元|%|个|公里|千米|米|平方米|亩|年|月)[)）]?$")


def _is_unit_row(row: tuple) -> bool:
    """A row under the header that gives only units (万元, 亿元, %): the units of the columns."""
    values = [cell for cell in row if not is_blank(cell)]
    words = [cell.strip() for cell in values if isinstance(cell, str)]
    return (
        bool(values)
        and len(words) == len(values)
        and all(UNIT_WORDS.match(word) for word in words)
        and any("元" in word for word in words)
    )


def _number_like(text: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,，%万亿元-]+", text))


def _is_column_numbering(row: tuple) -> bool:
    """A row that numbers the columns (1 2 3 …, as official forms have under the header)."""
    values = [c for c in row if not is_blank(c)]
    if len(values) < 3:
        return False
    try:
        numbers = [int(str(v).strip().removeprefix("栏")) for v in values]
    except ValueError:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _money_unit(rows, header_row: int) -> Decimal | None:
    """单位：亿元 (or 万元) in a note above the header sets the unit of amounts."""
    for number, row in rows:
        if number >= header_row:
            break
        for cell in row:
            if isinstance(cell, str) and "单位" in cell:
                factor = unit_factor(cell.split("单位", 1)[1])
                if factor is not None:
                    return factor
    return None


def _sheet(name: str, rows: list[tuple[int, tuple]]) -> Sheet:
    if not any(any(not is_blank(cell) for cell in row) for _n, row in rows):
        raise ReadError(_("The sheet “%(sheet)s” is empty.") % {"sheet": name})
    found = _find_header(rows)
    if found is None:
        raise ReadError(
            _(
                "No header row found in the first %(rows)d rows of “%(sheet)s”: a ledger needs "
                "a column %(name)s and at least one more known column, such as %(examples)s."
            )
            % {
                "rows": HEADER_SEARCH_ROWS,
                "sheet": name,
                "name": BY_KEY["name"].header,
                "examples": "、".join(
                    BY_KEY[k].header for k in ("national_code", "region", "total_investment")
                ),
            }
        )
    header_row, headers = found
    header_cells = dict(rows)[header_row]
    texts = [str(c).strip() if not is_blank(c) else "" for c in header_cells]
    name_index = next(i for i, h in enumerate(headers) if h is not None and h.key == "name")
    body = [(number, row) for number, row in rows if number > header_row]
    if (
        body
        and body[0][0] == header_row + 1
        and _is_subheader(header_cells, body[0][1], name_index)
    ):
        below = body.pop(0)[1]
        width = max(len(header_cells), len(below))
        parent, combined, texts = None, [], []
        for index in range(width):
            above = header_cells[index] if index < len(header_cells) else None
            child = below[index] if index < len(below) else None
            if not is_blank(above):
                parent = above
            elif is_blank(child):
                parent = None
            owner = above if not is_blank(above) else parent
            combined.append(combine_headers(owner, child))
            shown = " / ".join(str(t).strip() for t in (owner, child) if not is_blank(t))
            texts.append(shown)
        headers, header_row = combined, header_row + 1
    if body and body[0][0] == header_row + 1 and _is_unit_row(body[0][1]):
        number, units = body.pop(0)
        for index, unit in enumerate(units):
            factor = unit_factor(str(unit)) if isinstance(unit, str) else None
            if factor is not None and index < len(headers) and headers[index] is not None:
                headers[index].factor, headers[index].unit_given = factor, True
        header_row = number
    while body and _is_column_numbering(body[0][1]):
        body.pop(0)
    sheet = Sheet(name, header_row, headers, body, header_texts=texts)
    sheet.money_unit = _money_unit(rows, header_row)
    sheet.meaning = (
        section_meaning(name)
        if not re.fullmatch(r"sheet\d*|csv|台账|项目表?", name.lower())
        else None
    )
    return sheet


def _detail_sheet(name: str, rows: list[tuple[int, tuple]]) -> DetailSheet | None:
    """The sheet as one of a project's details, if its header names a kind of them."""
    found = detail_columns.find_header(rows, HEADER_SEARCH_ROWS)
    if found is None:
        return None
    kind, header_row, headers, texts = found
    body = [(number, row) for number, row in rows if number > header_row]
    while body and _is_column_numbering(body[0][1]):
        body.pop(0)
    sheet = DetailSheet(name, header_row, headers, body, header_texts=texts, kind=kind.key)
    sheet.money_unit = _money_unit(rows, header_row)
    return sheet


def _is_summary(rows) -> bool:
    """A table of counts (项目个数) by unit, industry or region, not of projects."""
    return any(
        {normalise_header(c) for c in row if isinstance(c, str)} & set(SUMMARY_HEADERS)
        for _number, row in rows[:HEADER_SEARCH_ROWS]
    )


def _skip_reason(name: str) -> str:
    """Why a sheet with no header of projects is passed over, by its name."""
    for pattern, reason in SKIPPED_NAMES:
        if pattern.search(name):
            return reason
    return "no header"


def _read_csv(text: str) -> Sheet:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    max_rows = settings.DIAODU_IMPORT_MAX_ROWS
    max_columns = settings.DIAODU_IMPORT_MAX_COLUMNS
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if number > max_rows:  # as many lines as bytes would be millions of rows
            raise ReadError(
                _("The sheet “%(sheet)s” has more than %(limit)d rows; split the file.")
                % {"sheet": "CSV", "limit": max_rows}
            )
        if len(row) > max_columns and any(cell.strip() for cell in row[max_columns:]):
            raise ReadError(
                _("The sheet “%(sheet)s” has more than %(limit)d columns.")
                % {"sheet": "CSV", "limit": max_columns}
            )
        rows.append((number, tuple(read_text(cell) for cell in row[:max_columns])))
    return _sheet("CSV", rows)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        check_workbook(data)
    except ExcelError as error:
        raise ReadError(str(error)) from error
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(_("The workbook cannot be read: %(error)s") % {"error": error}) from error
    first_error, ledger = None, Ledger([])
    try:
        for worksheet in workbook.worksheets:
            try:
                rows = [
                    (number, tuple(read_text(cell) for cell in row))
                    for number, row in real_rows(worksheet)
                ]
            except ExcelError as error:
                raise ReadError(str(error)) from error
            if getattr(worksheet, "sheet_state", "visible") != "visible":
                ledger.skipped.append((worksheet.title, "hidden"))
                continue
            details = _detail_sheet(worksheet.title, rows)
            if details is not None:
                if _has_formulas(data):
                    details.formulas_without_value = _formulas_without_value(
                        data, worksheet.title, details
                    )
                ledger.details.append(details)
                continue
            if _is_summary(rows):
                ledger.skipped.append((worksheet.title, "summary"))
                continue
            try:
                sheet = _sheet(worksheet.title, rows)
            except ReadError as error:
                first_error = first_error or error
                if any(any(not is_blank(c) for c in row) for _n, row in rows):
                    ledger.skipped.append((worksheet.title, _skip_reason(worksheet.title)))
                continue
            if _has_formulas(data):
                sheet.formulas_without_value = _formulas_without_value(data, worksheet.title, sheet)
            ledger.sheets.append(sheet)
    finally:
        workbook.close()
    if ledger.sheets or ledger.details:
        return ledger
    raise first_error or ReadError(_("The workbook has no sheets."))


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as stream:  # a chunk at a time, overlapping by 3 bytes
                    tail = b""
                    while chunk := stream.read(1024 * 1024):
                        content = tail + chunk
                        if b"<f>" in content or b"<f " in content:
                            return True
                        tail = content[-3:]
    return False


def _formulas_without_value(data: bytes, title: str, sheet: Sheet) -> set[tuple[int, int]]:
    """Cells holding a formula whose value was never computed and saved (e.g. by a script)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        values = dict(sheet.rows)
        found = set()
        for number, row in real_rows(workbook[title]):
            cached = values.get(number)
            if cached is None:
                continue
            for column, cell in enumerate(row):
                if (
                    isinstance(cell, str)
                    and cell.startswith("=")
                    and (column >= len(cached) or is_blank(cached[column]))
                ):
                    found.add((number, column))
        return found
    finally:
        workbook.close()
