"""The agenda and the minutes as Word documents, in the form offices print them.

A centred title, the date and place, numbered sections (一、二、…) with tables, everything in
SimSun (宋体), set as the East Asian font so Word uses it for Chinese text (the helpers are
shared with the bulletin, in `diaodu.core.docx`).
"""

from django.utils.translation import gettext as _

from diaodu.core.docx import (
    DOCX,
    date_text,
    new_document,
    none,
    paragraph,
    section,
    table,
    to_bytes,
)

__all__ = ["DOCX", "agenda_docx", "agenda_title", "minutes_docx"]


def agenda_title(meeting) -> str:
    return _("%(year)d-%(month)02d %(title)s agenda") % {
        "year": meeting.date.year,
        "month": meeting.date.month,
        "title": meeting.title,
    }


def _header(document, meeting, title):
    paragraph(document, title, size=18, bold=True, centre=True)
    line = _("Date: %(date)s    Place: %(place)s") % {
        "date": date_text(meeting.date),
        "place": meeting.place or "—",
    }
    paragraph(document, line, centre=True)


def agenda_docx(meeting, agenda) -> bytes:
    """The agenda (议程) as offices print it: one numbered section and table per subject."""
    document = new_document()
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
        section(document, number, heading)
        if rows:
            table(document, [_("No."), *headers], [(i, *row) for i, row in enumerate(rows, 1)])
        else:
            none(document)
    return to_bytes(document)


def minutes_docx(meeting, tasks=None) -> bytes:
    """The minutes (会议纪要): who met, what was decided, and the tasks set."""
    document = new_document()
    _header(document, meeting, _("Minutes of %(title)s") % {"title": meeting.title})
    chair = meeting.chair or "—"
    leaders = "、".join(str(leader) for leader in meeting.attending_leaders.all()) or "—"
    units = "、".join(str(unit) for unit in meeting.attending_units.all()) or "—"
    paragraph(document, _("Chaired by: %(chair)s") % {"chair": chair})
    paragraph(document, _("Leaders attending: %(leaders)s") % {"leaders": leaders})
    paragraph(document, _("Units attending: %(units)s") % {"units": units})

    section(document, 1, _("Decisions"))
    for line in (meeting.decisions or "").splitlines() or ["—"]:
        if line.strip():
            paragraph(document, line.strip())

    section(document, 2, _("Tasks"))
    if tasks is None:
        tasks = meeting.tasks.select_related("project", "lead_unit").order_by("deadline", "id")
    tasks = list(tasks)
    if tasks:
        table(
            document,
            [_("No."), _("Task"), _("Project"), _("Responsible unit"), _("Deadline")],
            [
                (i, t.content, t.project or "—", t.lead_unit, t.deadline.isoformat())
                for i, t in enumerate(tasks, 1)
            ],
        )
    else:
        none(document)
    return to_bytes(document)
