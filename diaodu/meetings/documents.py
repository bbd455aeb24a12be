"""The agenda and the minutes as Word documents, in the form offices send them.

The agenda (议程): a centred title, the date and place, numbered sections (一、二、…) with
tables. The minutes in the form of a 会议纪要: its number (发文字号, given once), the 纪要标志
(重点项目调度会议纪要), the
meeting in one paragraph, the decisions (议定事项) numbered, each with its responsible units
and deadline, then who attended (出席, the leaders) and who sat in (列席, the units), and
whom it is copied to (抄送). Dates are written as offices write them (2026年11月30日). The
page, fonts and helpers are shared with the bulletin, in `diaodu.core.docx`.
"""

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from diaodu.core.choices import DocumentKind
from diaodu.core.docx import (
    DOCX,
    body,
    date_text,
    font,
    imprint,
    new_document,
    none,
    number_line,
    numeral,
    paragraph,
    section,
    table,
    title,
    to_bytes,
)
from diaodu.core.models import DocumentNumber
from diaodu.core.numbering import existing, number_for
from diaodu.core.text import xml_text
from diaodu.meetings.services import can_manage
from diaodu.problems.notices import unit_names

__all__ = ["DOCX", "agenda_docx", "agenda_title", "minutes_docx", "minutes_title"]


def agenda_title(meeting) -> str:
    """2026年12月重点项目调度会议程; a title that already names its month keeps it once."""
    year, month = meeting.date.year, meeting.date.month
    title = meeting.title
    if re.search(rf"(?<!\d){month}月", title):
        return _("%(title)s agenda") % {"title": title}
    if title.startswith(f"{year}年"):
        title = title[len(f"{year}年") :]
    return _("%(year)d-%(month)02d %(title)s agenda") % {
        "year": year,
        "month": month,
        "title": title,
    }


def minutes_title(meeting) -> str:
    """The 纪要标志: 重点项目调度会 → 重点项目调度会议纪要."""
    title = meeting.title.strip()
    if title.endswith("会"):
        title += "议"
    return _("Minutes of %(title)s") % {"title": title}


def _header(document, meeting, text):
    title(document, text)
    line = _("Date: %(date)s    Place: %(place)s") % {
        "date": date_text(meeting.date),
        "place": meeting.place or "—",
    }
    paragraph(document, line, centre=True)


def agenda_docx(meeting, agenda) -> bytes:
    """The agenda (议程) as offices print it: one numbered section and table per subject."""
    document = new_document()
    _header(document, meeting, agenda_title(meeting))
    if agenda.previous is not None:
        # The day the "since the last meeting" sections count from.
        since = _("Since the last meeting (%(day)s)") % {"day": date_text(agenda.previous.date)}
        paragraph(document, since, centre=True)
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
                (m.project.name, m.name, date_text(m.planned_date), m.responsible_unit or "—")
                for m in agenda.milestones
            ],
        ),
        (
            _("Problems for this meeting to decide"),
            [_("Project"), _("Problem"), _("Responsible unit"), _("Deadline")],
            [
                (p.project.name, p.description, p.responsible_unit, date_text(p.deadline))
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
                (item.task.content, item.task.lead_unit, date_text(item.task.deadline),
                 item.state_label)
                for item in agenda.previous_tasks
            ],
        ),
    ]  # fmt: skip
    changes = agenda.changes
    if changes is not None and changes.lights_known:
        sections.append(
            (
                _("Lights changed since the last meeting"),
                [_("Project"), _("Region"), _("Before"), _("Now"), _("Reason")],
                [
                    (c.project.name, c.project.region or "—", c.before_label, c.after_label,
                     "；".join(c.reasons))
                    for c in changes.lights
                ],
            )
        )  # fmt: skip
    if changes is not None:
        sections += [
            (
                _("Problems since the last meeting"),
                [_("Project"), _("Problem"), _("What happened")],
                [(p.project.name, p.description, _("raised")) for p in changes.problems_raised]
                + [(p.project.name, p.description, _("solved")) for p in changes.problems_solved]
                + [
                    (p.project.name, p.description, _("escalated"))
                    for p in changes.problems_escalated
                ],
            ),
            (
                _("Tasks that became overdue since the last meeting"),
                [_("Task"), _("Project"), _("Lead unit"), _("Deadline")],
                [
                    (t.content, t.project.name if t.project else "—", t.lead_unit,
                     date_text(t.deadline))
                    for t in changes.tasks_overdue
                ],
            ),
            (
                _("Milestones since the last meeting"),
                [_("Project"), _("Milestone"), _("Planned date"), _("What happened")],
                [
                    (m.project.name, m.name, date_text(m.planned_date), _("met"))
                    for m in changes.milestones_met
                ]
                + [
                    (m.project.name, m.name, date_text(m.planned_date), _("missed"))
                    for m in changes.milestones_missed
                ],
            ),
            (
                _("Investment since the last meeting (10k yuan)"),
                [_("Region"), _("Investment completed (10k yuan)")],
                [(item.region, f"{item.invested:,.2f}") for item in changes.investment],
            ),
        ]  # fmt: skip
    for number, (heading, headers, rows) in enumerate(sections, start=1):
        section(document, number, heading)
        if rows:
            table(document, [_("No."), *headers], [(i, *row) for i, row in enumerate(rows, 1)])
        else:
            none(document)
    return to_bytes(document)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def decisions(meeting, tasks: Iterable) -> list[str]:
    """The 议定事项, numbered: each task set at the meeting with its units and deadline.

    The decisions typed on the meeting come first; with neither, the minutes as kept.
    """
    items = [re.sub(r"^[一二三四五六七八九十]+、|^\d+[.、．]\s*", "", line) for line in
             _lines(meeting.decisions)]  # fmt: skip
    for task in tasks:
        items.append(
            _("%(content)s (responsible: %(units)s; deadline: %(deadline)s)")
            % {
                "content": task.content.strip().rstrip("。；;"),
                "units": unit_names(task),
                "deadline": date_text(task.deadline),
            }
        )
    if not items:
        items = _lines(meeting.minutes)
    return items


def copied_to(meeting, tasks: Iterable) -> list[str]:
    """抄送: the units that act on the decisions, then the units that sat in."""
    names: dict[str, None] = {}
    for task in tasks:
        for unit in [task.lead_unit, *task.responsible_units.all()]:
            if unit is not None:
                names.setdefault(str(unit))
    for unit in meeting.attending_units.all():
        names.setdefault(str(unit))
    return list(names)


def minutes_number(meeting, user=None) -> DocumentNumber | None:
    """The minutes' number (发文字号), given when headquarters or a leader first downloads
    them, then the same for everyone; none before."""
    if user is not None and can_manage(user):
        return number_for(meeting, DocumentKind.MINUTES, meeting.date.year, user)
    return existing(meeting, DocumentKind.MINUTES)


def minutes_docx(meeting, tasks=None, user=None) -> bytes:
    """The minutes (会议纪要): the meeting, the decisions numbered with who and by when,
    出席 and 列席, 抄送."""
    if tasks is None:
        tasks = meeting.tasks.all()
    tasks = list(
        tasks.select_related("project", "lead_unit")
        .prefetch_related("responsible_units")
        .order_by("deadline", "id")
    )  # a queryset: the tasks the reader sees
    number = minutes_number(meeting, user)
    document = new_document()
    # The 纪要标志 stands where a 红头 would (GB/T 9704, 10.3), the number under it.
    title(document, minutes_title(meeting))
    if number is not None:
        number_line(document, number.text)
    paragraph(document, date_text(meeting.date), centre=True)

    chair = str(meeting.chair) if meeting.chair else ""
    opening = _("On %(date)s, %(chair)s chaired the %(title)s in %(place)s.") % {
        "date": date_text(meeting.date),
        "chair": chair or _("the office"),
        "title": meeting.title,
        "place": meeting.place or "—",
    }
    body(document, opening + _("The meeting decided as follows:"))

    items = decisions(meeting, tasks)
    for number, item in enumerate(items, start=1):
        body(document, f"{numeral(number)}、{item}")
    if not items:
        none(document)

    leaders = [chair] if chair else []
    leaders += [str(leader) for leader in meeting.attending_leaders.all() if str(leader) != chair]
    units = [str(unit) for unit in meeting.attending_units.all()]
    paragraph(document, "")
    _attendance(document, _("Attending"), leaders)
    _attendance(document, _("Sitting in"), units)
    imprint(document, copied_to=copied_to(meeting, tasks))
    return to_bytes(document)


def _attendance(document, label, names: list[str]) -> None:
    """出席 or 列席: the label in 黑体, the names in the body font (GB/T 9704, 10.3)."""
    line = document.add_paragraph()
    font(line.add_run(_("%(label)s: ") % {"label": label}), name="黑体")
    font(line.add_run(xml_text("、".join(names)) or "—"))
