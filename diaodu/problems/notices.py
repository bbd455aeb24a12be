"""The 督办单 (supervision notice): the office tells a unit, in writing, which tasks it must
finish by when, and the unit answers on the reply slip (回执) at the foot of the page.

One notice is for one task, or for all the overdue tasks of one unit (lead or responsible).
It carries its title, the unit it is addressed to, the tasks with their deadlines (and how
many days each is overdue), what is asked and by when the reply is due (three working days
after the notice), the issuing office and the date; under a cut line, the 回执: the notice's
reference, the unit, 办理情况, 签收人 and 日期, for the unit to fill in and send back.

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
    docx_response,
    issuer_name,
    new_document,
    paragraph,
    signature,
    table,
    title,
    to_bytes,
)
from diaodu.core.workdays import add_working_days
from diaodu.org.models import Unit
from diaodu.problems.models import Task
from diaodu.problems.warnings import overdue

__all__ = [
    "NOTHING_OVERDUE",
    "NOT_AN_ISSUER",
    "REPLY_WORKING_DAYS",
    "notice_docx",
    "notice_response",
    "overdue_tasks_of",
    "reply_by",
]

NOT_AN_ISSUER = gettext_lazy("Only headquarters, leaders and inspectors issue supervision notices.")
NOTHING_OVERDUE = gettext_lazy("This unit has no overdue task that you see.")

# Working days after the notice that the unit has to reply.
REPLY_WORKING_DAYS = 3


def overdue_tasks_of(tasks, unit: Unit, today: date | None = None):
    """The tasks among `tasks` that `unit` leads or shares and that are overdue, by deadline."""
    mine = tasks.filter(Q(lead_unit=unit) | Q(responsible_units=unit)).distinct()
    return overdue(mine, today).order_by("deadline", "id")


def reply_by(today: date) -> date:
    return add_working_days(today, REPLY_WORKING_DAYS)


def _units(task: Task) -> str:
    names = dict.fromkeys(str(u) for u in [task.lead_unit, *task.responsible_units.all()])
    return "、".join(names)


def _late(task: Task, today: date) -> str:
    days = (today - task.deadline).days
    return _("%(days)d days") % {"days": days} if days > 0 else "—"


def notice_docx(unit: Unit, tasks: Sequence[Task], today: date | None = None) -> bytes:
    """The 督办单 to `unit` for `tasks` (one or more), with its 回执."""
    today = today or timezone.localdate()
    issuer = issuer_name()
    due = reply_by(today)
    document = new_document()
    title(document, _("Supervision notice"))
    addressee(document, f"{unit}：")
    if len(tasks) == 1:
        task = tasks[0]
        rows = [
            (_("Task"), task.content),
            (_("Project"), str(task.project) if task.project else "—"),
            (_("Responsible units"), _units(task)),
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
                (i, t.content, str(t.project) if t.project else "—", _units(t),
                 date_text(t.deadline), _late(t, today))
                for i, t in enumerate(tasks, start=1)
            ],
            widths=[1.2, 5.5, 3, 2.8, 2.2, 1.8],
        )  # fmt: skip
    ask = _(
        "Please fill in the reply slip below and send it back to %(issuer)s by %(date)s, "
        "saying what has been done, what stands in the way and when it will be finished."
    ) % {"issuer": issuer, "date": date_text(due)}
    body(document, ask)
    signature(document, issuer, on=today)

    paragraph(document, _("- - - - - - - - - - cut here - - - - - - - - - -"), centre=True)
    paragraph(document, _("Reply slip"), centre=True, name="黑体")
    table(
        document,
        [_("Item"), _("To be filled in by the unit")],
        [
            (_("Notice of"), date_text(today)),
            (_("Unit"), str(unit)),
            (_("What has been done"), "\n\n\n\n"),
            (_("Signed for by"), ""),
            (_("Date"), _("    year    month    day")),
        ],
        widths=[3.5, 12],
    )
    paragraph(
        document, _("Reply by %(date)s to %(issuer)s.") % {"date": date_text(due), "issuer": issuer}
    )
    return to_bytes(document)


def notice_filename(unit: Unit, task: Task | None, today: date) -> tuple[str, str]:
    """The download's name (Chinese) and its ASCII fallback."""
    name = _("Supervision notice")
    if task is not None:
        return f"{name}-{unit}-{task.pk}.docx", f"notice-task-{task.pk}.docx"
    return f"{name}-{unit}-{today:%Y%m%d}.docx", f"notice-unit-{unit.pk}-{today:%Y%m%d}.docx"


def notice_response(unit: Unit, tasks: Sequence[Task], task: Task | None = None):
    today = timezone.localdate()
    name, fallback = notice_filename(unit, task, today)
    return docx_response(notice_docx(unit, tasks, today), name, fallback)
