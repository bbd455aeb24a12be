"""The import template, and a rejected file given back with its bad cells marked."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from diaodu.core.excel import (
    HEADER_FILL,
    HEADER_ROW,
    NUMBER_WIDTH,
    new_sheet,
    number_header,
    print_ready,
    to_bytes,
    write_cell,
    write_row,
)
from diaodu.exchange import detail_columns
from diaodu.exchange.columns import COLUMNS
from diaodu.exchange.reader import Ledger, Sheet

BAD_FILL = PatternFill("solid", fgColor="F8D7DA")
NOTE_FONT = Font(color="9C0006")


def template() -> bytes:
    """An empty ledger: the header with the unit in it, and one example row to overwrite."""
    workbook, sheet = new_sheet(
        _("Key project ledger (delete the example row before importing)"),
        [column.header for column in COLUMNS],
        [column.width for column in COLUMNS],
    )
    for cell in write_row(sheet, 3, [column.example for column in COLUMNS]):
        cell.font = Font(italic=True, color="808080")
    notes = workbook.create_sheet(_("Instructions"))
    lines = [
        _("One row per project; the header may sit below a title row, as here."),
        _("Amounts are in 10k yuan; a header with 亿元 is converted."),
        _("建设起止年限 as 2023-2025 or 2023.03-2025.12."),
        _("Several units or leaders in one cell are separated by 、 or a comma."),
        _("A row matches an existing project by 项目代码, else by name and region."),
        _("A blank cell leaves the field as it is; nothing is erased."),
        _("Every row is checked first: the file goes in whole, or not at all."),
    ]
    for number, line in enumerate(lines, start=1):
        write_cell(notes, number, 1, line)
    notes.column_dimensions["A"].width = 90
    return to_bytes(workbook)


def city_template() -> bytes:
    """The sheets of projects' details, to send with the ledger or alone: annual plans with
    their months, milestones, approvals and funding lines, each with its header as the reader
    expects it and one example row to overwrite, and an instructions sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    year = timezone.localdate().year
    for kind in detail_columns.KINDS:
        sheet = workbook.create_sheet(str(kind.title))
        title = _("%(sheet)s (delete the example row before importing)") % {"sheet": kind.title}
        write_cell(sheet, 1, 1, title).font = Font(bold=True, size=14)
        headers = [(number_header(), NUMBER_WIDTH, 1)] + [
            (column.header, column.width, year if column.key == "year" else column.example)
            for column in kind.columns
        ]
        for position, (header, width, example) in enumerate(headers, start=1):
            cell = write_cell(sheet, HEADER_ROW, position, header)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            sheet.column_dimensions[get_column_letter(position)].width = width
            if example != "":
                cell = write_cell(sheet, HEADER_ROW + 1, position, example)
                cell.font = Font(italic=True, color="808080")
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        print_ready(sheet, len(headers))
    notes = workbook.create_sheet(_("Instructions"))
    lines = [
        _("Send these sheets with the project ledger in one workbook, or alone."),
        _(
            "Each row names its project by 项目代码, or by 项目名称 and 所在县区: a project "
            "already in Diaodu, or one the same workbook's project sheet creates."
        ),
        _("Annual plans: one row per project and year; 1月 to 12月 are the monthly amounts."),
        _("Months that do not add up to the annual plan are imported, with a warning."),
        _("Milestones: one row per milestone; the name says which milestone a row changes."),
        _("Approvals: one row per approval, named as in the list of approvals (环评批复 ...)."),
        _("Funding: one row per source of funds (地方政府专项债券, 企业自筹 ...)."),
        _("Amounts are in 10k yuan; a header with 亿元 is converted."),
        _("A blank cell leaves the field as it is; nothing is erased."),
        _("Every row is checked first: the file goes in whole, or not at all."),
    ]
    for number, line in enumerate(lines, start=1):
        write_cell(notes, number, 1, line)
    notes.column_dimensions["A"].width = 100
    return to_bytes(workbook)


def _mark(workbook, sheet: Sheet, problems: list[dict], file_problems: list[dict], count: int):
    """One sheet of the file, its bad cells marked."""
    by_row: dict[int, list[dict]] = {}
    for problem in problems:
        by_row.setdefault(problem["row"], []).append(problem)
    index_of = {h.text: i for i, h in enumerate(sheet.headers) if h is not None}
    out = workbook.create_sheet((sheet.name or _("Marked"))[:31])
    width = len(sheet.headers)
    note_column = width + 1
    header_texts = [h.text if h is not None else "" for h in sheet.headers]
    write_cell(
        out,
        1,
        1,
        _("%(count)d problems; fix the red cells and import the file again.") % {"count": count},
    ).font = Font(bold=True, color="9C0006")
    for message in file_problems:
        write_cell(out, 1, 2, message["message"])
    for position, text in enumerate(header_texts, start=1):
        write_cell(out, sheet.header_row, position, text).font = Font(bold=True)
    write_cell(out, sheet.header_row, note_column, _("Import problems")).font = Font(bold=True)
    for number, cells in sheet.rows:
        for position, value in enumerate(cells[:width], start=1):
            if value is not None:
                write_cell(out, number, position, value)
        row_problems = by_row.get(number, [])
        for problem in row_problems:
            index = index_of.get(problem["column"])
            if index is not None:
                cell = out.cell(row=number, column=index + 1)
                cell.fill = BAD_FILL
                cell.comment = Comment(problem["message"], "Diaodu")
        if row_problems:
            notes = "；".join(
                f"{p['column']}：{p['message']}" if p["column"] else p["message"]
                for p in row_problems
            )
            write_cell(out, number, note_column, notes).font = NOTE_FONT
    for position in range(1, note_column + 1):
        out.column_dimensions[get_column_letter(position)].width = 18
    out.column_dimensions[get_column_letter(note_column)].width = 60
    out.freeze_panes = out.cell(row=sheet.header_row + 1, column=1)
    # The file's own columns, on its own rows (no 序号 added), set up for print.
    print_ready(out, note_column, header_row=sheet.header_row)


def marked(ledger: Ledger, problems: list[dict]) -> bytes:
    """The file as read, sheet by sheet on the same row numbers, with every bad cell red and
    explained, and every problem listed on a last sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    file_problems = [p for p in problems if not p["row"]]
    single = len(ledger.sheets) + len(ledger.details) == 1
    for sheet in [*ledger.sheets, *ledger.details]:
        own = [p for p in problems if p["row"] and (single or p.get("sheet") == sheet.name)]
        _mark(workbook, sheet, own, file_problems, len(problems))
    listing = workbook.create_sheet(_("Problems"))
    headers = [_("Sheet"), _("Row"), _("Column"), _("Problem")]
    for position, header in enumerate(headers, start=1):
        write_cell(listing, 1, position, header).font = Font(bold=True)
    for number, problem in enumerate(problems, start=2):
        write_cell(listing, number, 1, problem.get("sheet", ""))
        write_cell(listing, number, 2, problem["row"] or "")
        write_cell(listing, number, 3, problem["column"])
        write_cell(listing, number, 4, problem["message"])
    listing.column_dimensions["A"].width = 16
    listing.column_dimensions["D"].width = 80
    listing.freeze_panes = "A2"
    return to_bytes(workbook)
