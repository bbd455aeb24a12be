"""A period's Excel template, and filling a period from an uploaded template.

The template round-trips: uploaded back untouched, it changes nothing. A row as already filed
is passed over, whatever its report's status, and so is a row left blank; only what differs
from the stored report is saved. The upload checks every row first; either every changed row
is saved in one transaction, or nothing is and every problem is reported with its row, column
and reason.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from diaodu.core import isolation
from diaodu.core.excel import (
    MONEY,
    ExcelError,
    new_sheet,
    open_workbook,
    read_cell_text,
    read_decimal,
    read_whole,
    real_rows,
    to_bytes,
    write_row,
)
from diaodu.core.text import xml_text
from diaodu.projects.models import Project
from diaodu.reporting import services
from diaodu.reporting.models import ProgressReport

COLUMNS = [
    ("project_id", "项目编号", 10),
    ("name", "项目名称", 36),
    ("invested", "本期完成投资（万元）", 16),
    ("physical_percent", "形象进度（%）", 12),
    ("workers", "现场施工人数", 12),
    ("physical_progress", "形象进度", 40),
    ("next_steps", "下步打算", 30),
    ("problems", "存在问题", 30),
]


# 形象进度（%） in points with the one decimal the report keeps.
PERCENT_POINTS = "0.0"
NUMBER_FORMATS = {"invested": MONEY, "physical_percent": PERCENT_POINTS}
TEXT_FIELDS = {"physical_progress", "next_steps", "problems"}


def columns_for(period) -> list[tuple]:
    """The template's columns: a progress update has no investment column."""
    if period.carries_investment:
        return COLUMNS
    return [column for column in COLUMNS if column[0] != "invested"]


@dataclass
class RowProblem:
    row: int
    column: str
    message: str


class UploadRejected(Exception):
    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Upload:
    """What an upload did: the reports it saved, and the rows it passed over, either as
    already filed (`unchanged`) or with every report cell left blank (`blank`)."""

    saved: list = field(default_factory=list)
    unchanged: int = 0
    blank: int = 0


@dataclass
class _Row:
    """A checked row to save: its number in the file, and the fields that change."""

    number: int
    project: Project
    report: ProgressReport | None
    data: dict[str, Any]


def template(period, projects) -> bytes:
    """The period's template: one row per project, with what is already filed.

    Its 序号 column, like any column it does not know, is passed over on upload; 形象进度（%）
    stays in percentage points (0-100), as it is typed in. Amounts are written as the stored
    decimals and shown with two decimals (a percentage with one), so that they come back as
    they were."""
    title = _("%(period)s progress reports") % {"period": period}
    columns = columns_for(period)
    workbook, sheet = new_sheet(
        title, [header for _key, header, _width in columns], [width for *_x, width in columns]
    )
    reports = {
        r.project_id: r for r in ProgressReport.objects.filter(period=period, project__in=projects)
    }
    for row, project in enumerate(projects, start=3):
        report = reports.get(project.pk)
        values = {"project_id": project.pk, "name": project.name}
        if report is not None:
            values.update({key: getattr(report, key) for key, *_x in columns[2:]})
        cells = write_row(sheet, row, [values.get(key) for key, *_x in columns])
        for cell, (key, *_x) in zip(cells[1:], columns, strict=True):
            if key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[key]
    return to_bytes(workbook)


def _find_header(rows):
    for index, row in enumerate(rows, start=1):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if "项目编号" in cells and "项目名称" in cells:
            return index, {header: position for position, header in enumerate(cells) if header}
        if index >= 10:
            break
    return None, None


@isolation.parser
def read_template(data: bytes, headers: list[str]) -> tuple[int, list[tuple]] | None:
    """The header row's number and, for each row below it, its values under `headers` (None
    where the file has no such column); None without a header row. Run in a child process:
    a workbook's parsing is bounded there, and only these columns come back."""
    workbook = open_workbook(ContentFile(data))  # sized: a file too large is refused unread
    try:
        rows = [row for _number, row in real_rows(workbook.worksheets[0])]
    finally:
        workbook.close()
    header_row, positions = _find_header(rows)
    if header_row is None:
        return None
    columns = [positions.get(header) for header in headers]
    return header_row, [
        tuple(row[c] if c is not None and c < len(row) else None for c in columns)
        for row in rows[header_row:]
    ]


def _cell_value(key: str, value: Any) -> Any:
    """A cell's value as the report's field reads it: amounts as the decimals Excel shows
    (2374.7 is 2374.70, not 2374.7000000000003), a count as a whole number (12.0 is 12), text
    as written (a number Excel made of it, as Excel shows it)."""
    if key == "invested":
        return read_decimal(value, 2)
    if key == "physical_percent":
        return read_decimal(value, 1)
    if key == "workers":
        return read_whole(value)
    return read_cell_text(value)


def _comparable(key: str, value: Any) -> Any:
    """A field's value as it compares with what the template wrote: text as a cell holds it
    (without what a cell cannot hold, one kind of line break, no outer spaces)."""
    if key in TEXT_FIELDS:
        text = xml_text(value or "").replace("\r\n", "\n").replace("\r", "\n")
        return text.strip()
    return value


def _changed(report: ProgressReport, data: dict[str, Any]) -> list[str]:
    """The fields whose value in the file differs from the stored report's (a value that does
    not even read as its field differs)."""
    changed = []
    for name, value in data.items():
        try:
            value = services.clean_report_values({name: value})[name]
        except ValidationError:
            changed.append(name)
            continue
        if _comparable(name, value) != _comparable(name, getattr(report, name)):
            changed.append(name)
    return changed


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _project_id(raw: Any) -> int | None:
    whole = read_whole(raw)
    return whole if isinstance(whole, int) and not isinstance(whole, bool) else None


def read_rows(uploaded, period, user, projects_by_id) -> tuple[list[_Row], Upload]:
    """Check every row of an uploaded template: the rows to save, and the count of rows passed
    over; or raise UploadRejected with every problem.

    A row whose report fields are all empty is passed over (it neither files nor clears a
    report). A row as already filed is passed over too, even when its report is submitted or
    approved; changing such a report is a problem, named at each changed cell."""
    columns = columns_for(period)
    headers = {key: header for key, header, _w in COLUMNS}
    try:
        read = isolation.run(read_template, uploaded.read(), [h for _k, h, _w in columns])
    except (ExcelError, isolation.ParseRefused) as error:
        raise UploadRejected([RowProblem(0, "", str(error))]) from error
    if read is None:
        raise UploadRejected(
            [
                RowProblem(
                    0,
                    "",
                    _(
                        "No header row found: the first rows must contain the columns "
                        "项目编号 and 项目名称 as in the downloaded template."
                    ),
                )
            ]
        )
    header_row, rows = read
    reports = {
        report.project_id: report
        for report in ProgressReport.objects.filter(
            period=period, project_id__in=list(projects_by_id)
        )
    }
    problems, accepted, seen, passed = [], [], set(), Upload()
    for number, row in enumerate(rows, start=header_row + 1):
        values = {key: value for (key, _h, _w), value in zip(columns, row, strict=True)}
        raw_id = values.pop("project_id")
        values.pop("name")
        values = {key: _cell_value(key, value) for key, value in values.items()}
        if all(_blank(v) for v in values.values()):
            if not _blank(raw_id):
                passed.blank += 1
            continue
        if _blank(raw_id):
            problems.append(RowProblem(number, "项目编号", _("The row has no project number.")))
            continue
        project_id = _project_id(raw_id)
        project = projects_by_id.get(project_id) if project_id is not None else None
        if project is None:
            problems.append(
                RowProblem(
                    number,
                    "项目编号",
                    _("Project %(id)s is not one of your projects in this period.")
                    % {"id": raw_id},
                )
            )
            continue
        if project.pk in seen:
            problems.append(
                RowProblem(
                    number,
                    "项目编号",
                    _("Project %(id)s appears twice in the file.") % {"id": raw_id},
                )
            )
            continue
        seen.add(project.pk)
        if not services.can_file(user, project):
            problems.append(
                RowProblem(number, "项目编号", _("You cannot file reports for this project."))
            )
            continue
        data = {k: ("" if v is None else v) for k, v in values.items()}
        report = reports.get(project.pk)
        if report is not None and not report.is_editable:
            changed = _changed(report, data)
            if not changed:
                passed.unchanged += 1
            for name in changed:
                problems.append(
                    RowProblem(
                        number,
                        headers[name],
                        _(
                            "The report of this project is %(status)s and cannot be changed "
                            "here: leave this cell as downloaded, or have the report returned "
                            "first."
                        )
                        % {"status": report.get_status_display()},
                    )
                )
            continue
        try:
            cleaned = services.clean_report_values(data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    problems.append(RowProblem(number, headers.get(name, name), message))
            continue
        if report is not None:
            cleaned = {name: cleaned[name] for name in _changed(report, cleaned)}
            if not cleaned:
                passed.unchanged += 1
                continue
        accepted.append(_Row(number, project, report, cleaned))
    if not accepted and not problems and not (passed.unchanged or passed.blank):
        problems.append(RowProblem(0, "", _("The file holds no rows to save.")))
    if problems:
        raise UploadRejected(problems)
    return accepted, passed


def save_upload(uploaded, period, user, projects_by_id) -> Upload:
    """Check, then save every changed row in one transaction; nothing is saved if anything
    fails. A report changed by someone else since the checks is a problem of its row."""
    if not period.is_open:
        raise UploadRejected(
            [
                RowProblem(
                    0,
                    "",
                    _("The period %(period)s is not open for reporting.") % {"period": period},
                )
            ]
        )
    accepted, upload = read_rows(uploaded, period, user, projects_by_id)
    with transaction.atomic():
        for row in accepted:
            version = row.report.version if row.report is not None else 0
            try:
                result = services.do_save_report(
                    user, row.project, period, row.data, version=version
                )
            except services.ReportConflict as error:
                raise UploadRejected([RowProblem(row.number, "项目编号", str(error))]) from error
            except (ValidationError, PermissionDenied) as error:
                message = "; ".join(getattr(error, "messages", [str(error)]))
                raise UploadRejected([RowProblem(row.number, "项目编号", message)]) from error
            upload.saved.append(result)
    return upload
