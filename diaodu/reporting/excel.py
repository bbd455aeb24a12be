"""A period's Excel template, and filling a period from an uploaded template.

The upload checks every row first; either every row is saved in one transaction, or nothing
is and every problem is reported with its row, column and reason.
"""

from dataclasses import dataclass

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
    real_rows,
    to_bytes,
    write_row,
)
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


def template(period, projects) -> bytes:
    """The period's template: one row per project, with what is already filed.

    Its 序号 column, like any column it does not know, is passed over on upload; 形象进度（%）
    stays in percentage points (0-100), as it is typed in."""
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
        cells = write_row(
            sheet,
            row,
            [
                float(value) if hasattr(value, "as_tuple") else value
                for value in (values.get(key) for key, *_x in columns)
            ],
        )
        for cell, (key, *_x) in zip(cells[1:], columns, strict=True):
            if key == "invested":
                cell.number_format = MONEY
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


def read_rows(uploaded, period, user, projects_by_id):
    """Check every row of an uploaded template; return the rows to save or raise UploadRejected."""
    columns = columns_for(period)
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
    problems, accepted, seen = [], [], set()
    for number, row in enumerate(rows, start=header_row + 1):
        values = {key: value for (key, _h, _w), value in zip(columns, row, strict=True)}
        if all(v in (None, "") for v in values.values()):
            continue
        raw_id = values.pop("project_id")
        values.pop("name")
        try:
            project = projects_by_id.get(int(raw_id))
        except (TypeError, ValueError):
            project = None
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
        existing = ProgressReport.objects.filter(project=project, period=period).first()
        if existing is not None and not existing.is_editable:
            problems.append(
                RowProblem(
                    number,
                    "项目编号",
                    _("The report of this project is %(status)s and cannot be changed.")
                    % {"status": existing.get_status_display()},
                )
            )
            continue
        data = {k: ("" if v is None else v) for k, v in values.items()}
        try:
            services.clean_report_values(data)
        except ValidationError as error:
            headers = {key: header for key, header, _w in COLUMNS}
            for field, messages in error.message_dict.items():
                for message in messages:
                    problems.append(RowProblem(number, headers.get(field, field), message))
            continue
        accepted.append((project, data))
    if not accepted and not problems:
        problems.append(RowProblem(0, "", _("The file holds no rows to save.")))
    if problems:
        raise UploadRejected(problems)
    return accepted


def save_upload(uploaded, period, user, projects_by_id) -> list:
    """Check, then save every row in one transaction; nothing is saved if anything fails."""
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
    accepted = read_rows(uploaded, period, user, projects_by_id)
    try:
        with transaction.atomic():
            return [
                services.do_save_report(user, project, period, data) for project, data in accepted
            ]
    except (ValidationError, PermissionDenied) as error:
        raise UploadRejected(
            [RowProblem(0, "", "; ".join(getattr(error, "messages", [str(error)])))]
        ) from error
