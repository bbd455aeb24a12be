"""The agenda and the minutes as Word documents, in the form offices print them.

A centred title, the date and place, numbered sections (一、二、…) with tables, everything in
SimSun (宋体), set as the East Asian font so Word uses it for Chinese text.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

FONT = "SimSun"
EAST_ASIAN_FONT = "宋体"
NUMERALS = "一二三四五六七八九十"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(run, size=None, bold=None):
    run.font.name = FONT
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


def _document():
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    return document


def _paragraph(document, text, *, size=12, bold=False, centre=False):
    paragraph = document.add_paragraph()
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size, bold)
    return paragraph


def _section(document, number, heading):
    numeral = NUMERALS[number - 1] if number <= len(NUMERALS) else str(number)
    return _paragraph(document, f"{numeral}、{heading}", size=14, bold=True)


def _table(document, headers, rows):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(header)), 11, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run("" if value is None else str(value)), 11)
    return table


def _none(document):
    _paragraph(document, _("None."))


def _bytes(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def agenda_title(meeting) -> str:
    return _("%(year)d-%(month)02d %(title)s agenda") % {
        "year": meeting.date.year,
        "month": meeting.date.month,
        "title": meeting.title,
    }


def _header(document, meeting, title):
    _paragraph(document, title, size=18, bold=True, centre=True)
    line = _("Date: %(date)s    Place: %(place)s") % {
        "date": _date(meeting.date),
        "place": meeting.place or "—",
    }
    _paragraph(document, line, centre=True)


def agenda_docx(meeting, agenda) -> bytes:
    """The agenda (议程) as offices print it: one numbered section and table per subject."""
    document = _document()
    _header(document, meeting, agenda_title(meeting))
    sections = [
        (
            _("Projects with a red or yellow warning"),
            [_("Project"), _("Region"), _("Warning"), _("Reason")],
            [
                (item.project.name, item.project.region or "—", item.light_label,
                 "；".join(item.reasons))
                for item in agenda.projects
            ],
        ),
        (
            _("Overdue milestones"),
            [_("Project"), _("Milestone"), _("Planned date"), _("Responsible unit")],
            [
                (m.project.name, m.name, m.planned_date.isoformat(), m.responsible_unit or "—")
                for m in agenda.milestones
            ],
        ),
        (
            _("Problems for this meeting to decide"),
            [_("Project"), _("Problem"), _("Responsible unit"), _("Deadline")],
            [
                (p.project.name, p.description, p.responsible_unit, p.deadline.isoformat())
                for p in agenda.problems
            ],
        ),
        (
            _("Reports late or missing"),
            [_("Project"), _("Period"), _("Filing")],
            [(r.project.name, str(r.period), r.filing_label) for r in agenda.reports],
        ),
        (
            _("Tasks since the last meeting"),
            [_("Task"), _("Lead unit"), _("Deadline"), _("State")],
            [
                (item.task.content, item.task.lead_unit, item.task.deadline.isoformat(),
                 item.state_label)
                for item in agenda.previous_tasks
            ],
        ),
    ]  # fmt: skip
    for number, (heading, headers, rows) in enumerate(sections, start=1):
        _section(document, number, heading)
        if rows:
            _table(document, [_("No."), *headers], [(i, *row) for i, row in enumerate(rows, 1)])
        else:
            _none(document)
    return _bytes(document)


def minutes_docx(meeting, tasks=None) -> bytes:
    """The minutes (会议纪要): who met, what was decided, and the tasks set."""
    document = _document()
    _header(document, meeting, _("Minutes of %(title)s") % {"title": meeting.title})
    chair = meeting.chair or "—"
    leaders = "、".join(str(leader) for leader in meeting.attending_leaders.all()) or "—"
    units = "、".join(str(unit) for unit in meeting.attending_units.all()) or "—"
    _paragraph(document, _("Chaired by: %(chair)s") % {"chair": chair})
    _paragraph(document, _("Leaders attending: %(leaders)s") % {"leaders": leaders})
    _paragraph(document, _("Units attending: %(units)s") % {"units": units})

    _section(document, 1, _("Decisions"))
    for line in (meeting.decisions or "").splitlines() or ["—"]:
        if line.strip():
            _paragraph(document, line.strip())

    _section(document, 2, _("Tasks"))
    if tasks is None:
        tasks = meeting.tasks.select_related("project", "lead_unit").order_by("deadline", "id")
    tasks = list(tasks)
    if tasks:
        _table(
            document,
            [_("No."), _("Task"), _("Project"), _("Responsible unit"), _("Deadline")],
            [
                (i, t.content, t.project or "—", t.lead_unit, t.deadline.isoformat())
                for i, t in enumerate(tasks, 1)
            ],
        )
    else:
        _none(document)
    return _bytes(document)
