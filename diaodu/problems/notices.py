"""The 督办单 (supervision notice): the office tells a unit, in writing, which tasks it must
finish by when, and the unit answers on the reply slip (回执) at the foot of the page.

One notice is for one task, or for all the overdue tasks of one unit (lead or responsible).
It carries its number (发文字号, given once: `services.do_issue_notice`), its title, the unit
it is addressed to, the tasks with their deadlines (and how many days each is overdue), what
is asked and by when the reply is due (three working days after the notice), the issuing
office and the date; under a cut line, the 回执: the notice's number, the unit, 办理情况,
签收人 and 日期, for the unit to fill in and send back.

Who may issue one is decided in `permissions.can_issue_notice`; which tasks it covers starts
from `Task.objects.visible_to(user)`, in the views and the API alike.
"""

from collections.abc import Sequence
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.core.docx import (
    addressee,
    body,
    date_text,
    issuer_name,
    masthead,
    new_document,
    paragraph,
    signature,
    table,
    title,
    to_bytes,
)
from diaodu.core.models import DocumentNumber
from diaodu.core.pdf import document_response
from diaodu.org.models import Unit
from diaodu.problems.models import SupervisionNotice, Task
from diaodu.problems.services import NOT_AN_ISSUER, REPLY_WORKING_DAYS, do_issue_notice
from diaodu.problems.warnings import overdue

__all__ = [
    "NOTHING_OVERDUE",
    "NOT_AN_ISSUER",
    "REPLY_WORKING_DAYS",
    "notice_docx",
    "notice_response",
    "overdue_tasks_of",
]

NOTHING_OVERDUE = gettext_lazy("This unit has no overdue task that you see.")


def overdue_tasks_of(tasks, unit: Unit, today: date | None = None):
    """The tasks among `tasks` that `unit` leads or shares and that are overdue, by deadline."""
    mine = tasks.filter(Q(lead_unit=unit) | Q(responsible_units=unit)).distinct()
    return overdue(mine, today).order_by("deadline", "id")


def unit_names(task: Task) -> str:
    """The units a task falls to, lead unit first, as a document lists them (A、B); — for none."""
    units = [task.lead_unit, *task.responsible_units.all()]
    names = dict.fromkeys(str(unit) for unit in units if unit is not None)
    return "、".join(names) or "—"


def _late(task: Task, today: date) -> str:
    days = (today - task.deadline).days
    return _("%(days)d days") % {"days": days} if days > 0 else "—"


def notice_docx(notice: SupervisionNotice, number: DocumentNumber, tasks: Sequence[Task]) -> bytes:
    """The 督办单 `notice` for `tasks` (one or more), numbered `number`, with its 回执."""
    unit = notice.unit
    today = timezone.localtime(notice.issued_at).date()
    issuer = issuer_name()
    due = notice.reply_by
    document = new_document()
    masthead(document, number.text)
    title(document, _("Supervision notice"))
    addressee(document, f"{unit}：")
    if len(tasks) == 1:
        task = tasks[0]
        rows = [
            (_("Task"), task.content),
            (_("Project"), str(task.project) if task.project else "—"),
            (_("Responsible units"), unit_names(task)),
            (_("Deadline"), date_text(task.deadline)),
            (_("Overdue by"), _late(task, today)),
        ]
        if task.meeting is not None:
            rows.append((_("Set at"), f"{date_text(task.meeting.date)} {task.meeting.title}"))
        opening = _(
            "The following task is supervised by %(issuer)s. Please see that it is done by its "
            "deadline."
        ) % {"issuer": issuer}
        body(document, opening)
        table(document, [_("Supervised item"), _("Particulars")], rows, widths=[3.5, 12])
    else:
        opening = _(
            "%(count)d tasks of your unit are past their deadline and are supervised by "
            "%(issuer)s. Please finish them without delay."
        ) % {"count": len(tasks), "issuer": issuer}
        body(document, opening)
        table(
            document,
            [_("No."), _("Task"), _("Project"), _("Responsible units"), _("Deadline"),
             _("Overdue by")],
            [
                (i, t.content, str(t.project) if t.project else "—", unit_names(t),
                 date_text(t.deadline), _late(t, today))
                for i, t in enumerate(tasks, start=1)
            ],
            widths=[1.0, 4.4, 2.8, 2.5, 3.3, 1.6],
        )  # fmt: skip
    ask = _(
        "Please fill in the reply slip below and send it back to %(issuer)s by %(date)s, "
        "saying what has been done, what stands in the way and when it will be finished."
    ) % {"issuer": issuer, "date": date_text(due)}
    body(document, ask)
    signature(document, issuer, on=today)

    _reply_slip(document, number, unit, issuer, due)
    return to_bytes(document)


def _reply_slip(document, number: DocumentNumber, unit: Unit, issuer: str, due: date) -> None:
    """Under a cut line, the 回执 for the unit to fill in and send back, kept together on one
    page (moved whole to the next when it does not fit)."""
    parts = [
        paragraph(document, _("- - - - - - - - - - cut here - - - - - - - - - -"), centre=True),
        paragraph(document, _("Reply slip"), centre=True, name="黑体"),
        paragraph(
            document,
            _("Reply by %(date)s to %(issuer)s.") % {"date": date_text(due), "issuer": issuer},
            centre=True,
        ),
    ]
    slip = table(
        document,
        [_("Item"), _("To be filled in by the unit")],
        [
            (_("Notice number"), number.text),
            (_("Unit"), str(unit)),
            (_("What has been done"), "\n\n\n\n\n"),
            (_("Signed for by"), ""),
            (_("Date"), _("    year    month    day")),
        ],
        widths=[3.5, 12.1],
    )
    parts += [cell.paragraphs[0] for row in slip.rows[:-1] for cell in row.cells]
    for part in parts:
        part.paragraph_format.keep_with_next = True


def notice_response(actor, unit: Unit, tasks: Sequence[Task], as_pdf: bool = False):
    """Issue (or issue again: the same notice) the 督办单 and answer it as a download named
    by its number: 督办单-焦重办〔2026〕7号-交通运输局.docx; with `as_pdf`, the same notice as PDF
    (diaodu.core.pdf.document_response)."""
    notice, number = do_issue_notice(actor, unit, tasks)
    name = f"{_('Supervision notice')}-{number.text}-{unit}.docx"
    fallback = f"notice-{number.year}-{number.sequence}.docx"
    return document_response(notice_docx(notice, number, tasks), name, fallback, as_pdf)
