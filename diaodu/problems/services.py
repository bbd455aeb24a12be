"""Every state change of problems and tasks: checked, written, recorded and notified.

Each transition is a row of the table in `transitions.py` (from which states, to which, who,
what it records), applied by `_transition` on the row locked; the services add what is
particular to each (whom to tell, the level of an escalation).
"""

import functools
import hashlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from diaodu.core.choices import DocumentKind
from diaodu.core.history import diff, m2m_snapshot, record, snapshot
from diaodu.core.models import Action, DocumentNumber
from diaodu.core.numbering import number_for
from diaodu.core.workdays import add_working_days
from diaodu.notifications import reminders
from diaodu.notifications.services import notify
from diaodu.org.choices import LeaderLevel, Role
from diaodu.org.models import Leader, Unit, User
from diaodu.org.permissions import require
from diaodu.problems import transitions
from diaodu.problems.choices import (
    LEVEL_ORDER,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    TaskSource,
    TaskStatus,
)
from diaodu.problems.models import (
    Problem,
    ProblemFollowUp,
    SupervisionNotice,
    Task,
    TaskFeedback,
)
from diaodu.problems.permissions import can_assign, can_issue_notice, can_raise
from diaodu.projects.models import Project
from diaodu.projects.signals import facts_changed

Item = TypeVar("Item", Problem, Task)
P = ParamSpec("P")
R = TypeVar("R")


def unit_users(*units: Unit | None) -> list[User]:
    """Everyone who acts for these units."""
    ids = [unit.pk for unit in units if unit is not None]
    return list(User.objects.filter(unit_id__in=ids, is_active=True))


def _hq_users() -> list[User]:
    return list(User.objects.filter(role=Role.HEADQUARTERS, is_active=True))


def _leader_users(problem: Problem, level: str) -> tuple[list[Leader], list[User]]:
    """The accounts of the project's leaders at an escalation level (else headquarters)."""
    wanted = LeaderLevel.DISTRICT if level == ProblemLevel.DISTRICT_LEADER else LeaderLevel.CITY
    leaders = [leader for leader in problem.project.leaders.all() if leader.level == wanted]
    users = [leader.user for leader in leaders if leader.user is not None]
    return leaders, users or _hq_users()


def state_of(item: Item) -> str:
    """The state the user saw when the page was drawn (status, and level for a problem).

    A page sends it back with an action (`seen=`); `locked` refuses the action if the item has
    moved on since, so that two people escalating from the same level raise it one level, not
    two, and nobody acts on a state they did not see.
    """
    return f"{item.status}/{getattr(item, 'level', '')}"


def _state_label(item: Item) -> str:
    level = item.get_level_display() if hasattr(item, "get_level_display") else ""
    status = item.get_status_display()
    return f"{status}（{level}）" if level else str(status)


def locked(
    function: Callable[Concatenate[User, Item, P], R],
) -> Callable[Concatenate[User, Item, P], R]:
    """A transition of a problem or a task, on its row locked and read afresh.

    Two people acting at once (verifying twice, escalating twice) are served one after the
    other, and the second finds the state the first left: it is refused, never applied twice.
    Given `seen=` (the state the user saw, `state_of`), an action on a state that has moved on
    since is refused too. The caller's object is brought up to date afterwards.
    """

    @functools.wraps(function)
    def wrapper(actor: User, item: Item, /, *args: P.args, **kwargs: P.kwargs) -> R:
        seen = kwargs.pop("seen", None)
        with transaction.atomic():
            fresh = type(item)._default_manager.select_for_update(of=("self",)).get(pk=item.pk)
            if seen and seen != state_of(fresh):
                raise ValidationError(
                    _(
                        "Someone else acted on it since you opened the page: it is now "
                        "%(state)s. Look at it again before you act."
                    )
                    % {"state": _state_label(fresh)}
                )
            result = function(actor, fresh, *args, **kwargs)
        item.refresh_from_db()
        return result

    return wrapper


def _problem_url(problem: Problem) -> str:
    return reverse("problems:problem", args=[problem.pk])


def _problem_facts(problem: Problem, reason: str = "") -> str:
    """What the unit needs to act on a problem: what, who, by when (and why, if given)."""
    facts = _("%(description)s\nResponsible unit: %(unit)s. Deadline: %(deadline)s.") % {
        "description": problem.description,
        "unit": problem.responsible_unit,
        "deadline": problem.deadline.isoformat(),
    }
    return f"{reason.strip()}\n\n{facts}" if reason.strip() else facts


def _transition(
    actor: User, item: Problem | Task, action: str, text: str = ""
) -> ProblemFollowUp | TaskFeedback | None:
    """Check and apply one action of the item's table (`transitions.py`): who may, from which
    state, the text it needs; write the timeline entry, the fields it records and the new
    state. Called by the services below, on the row `locked`. Returns the entry, if any."""
    step = transitions.table(item)[action]
    require(step.allowed(actor, item), step.denied)
    if item.status not in step.sources:
        raise ValidationError(step.refused)
    text = (text or "").strip()
    if step.text == transitions.REQUIRED and not text:
        raise ValidationError({step.text_key: step.missing})
    entry: ProblemFollowUp | TaskFeedback | None = None
    now = timezone.now()
    if step.entry and text:
        entry = item.timeline.create(author=actor, text=text)
        now = entry.created_at
    values = {transitions.ACTOR: actor, transitions.NOW: now, None: None}
    fields = {name: values[what] for name, what in step.records.items()}
    if step.target is not None and step.moves(actor, item):
        _move(actor, item, step.target, reason=text if step.reason else "", **fields)
    elif fields:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save(update_fields=[*fields, "updated_at"])
    return entry


def _move(
    actor: User, item: Problem | Task, to_status: str, *, reason: str = "", **fields: Any
) -> Problem | Task:
    before = item.status
    item.status = to_status
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    record(actor, item, Action.TRANSITION, {"status": [before, to_status]}, reason=reason)
    _relight(item)
    return item


def _relight(item: Problem | Task) -> None:
    """A problem or task changed: its project's light may have changed too."""
    if item.project_id:
        facts_changed([item.project_id])


@transaction.atomic
def do_raise_problem(
    actor: User,
    project: Project,
    *,
    description: str,
    responsible_unit: Unit,
    deadline: date,
    category: str = "other",
    source: str = ProblemSource.DIRECT,
    report: Any = None,  # the report it came from (reporting is a layer above)
    coordinating_leader: Leader | None = None,
    inspection: Any = None,  # the inspection it came from (a layer above)
) -> Problem:
    require(can_raise(actor, project), _("You cannot raise problems for this project."))
    problem = Problem(
        project=project,
        description=(description or "").strip(),
        category=category,
        responsible_unit=responsible_unit,
        deadline=deadline,
        source=source,
        report=report,
        coordinating_leader=coordinating_leader,
        inspection=inspection,
        raised_by=actor,
    )
    problem.full_clean()
    problem.save()
    record(actor, problem, Action.CREATE, diff({}, snapshot(problem)))
    notify(
        unit_users(responsible_unit),
        _("New problem for your unit: %(problem)s") % {"problem": problem},
        url=_problem_url(problem),
        body=_problem_facts(problem),
        exclude=actor,
        event="problem.assigned",
    )
    return problem


@locked
def do_accept_problem(actor: User, problem: Problem) -> Problem:
    _transition(actor, problem, "accept")
    return problem


@locked
def do_add_problem_follow_up(
    actor: User, problem: Problem, text: str
) -> ProblemFollowUp | TaskFeedback | None:
    return _transition(actor, problem, "follow-up", text)


@locked
def do_report_problem_solved(actor: User, problem: Problem, note: str = "") -> Problem:
    _transition(actor, problem, "solved", note)
    leader = problem.coordinating_leader
    leaders = [leader.user] if leader is not None and leader.user is not None else []
    notify(
        leaders + _hq_users(),
        _("Reported solved, to verify: %(problem)s") % {"problem": problem},
        url=_problem_url(problem),
        body=_problem_facts(problem, note),
        exclude=actor,
        event="problem.reported_solved",
    )
    return problem


@locked
def do_verify_problem(actor: User, problem: Problem, note: str = "") -> Problem:
    _transition(actor, problem, "verify", note)
    notify(
        unit_users(problem.responsible_unit) + [problem.raised_by],
        _("Problem verified and closed: %(problem)s") % {"problem": problem},
        url=_problem_url(problem),
        body=_problem_facts(problem, note),
        exclude=actor,
        event="problem.verified",
    )
    return problem


@locked
def do_send_back_problem(actor: User, problem: Problem, reason: str) -> Problem:
    _transition(actor, problem, "send-back", reason)
    notify(
        unit_users(problem.responsible_unit),
        _("Sent back, not solved: %(problem)s") % {"problem": problem},
        url=_problem_url(problem),
        body=_problem_facts(problem, reason),
        exclude=actor,
        event="problem.sent_back",
    )
    return problem


@locked
def do_escalate_problem(
    actor: User,
    problem: Problem,
    reason: str,
    to_level: str | None = None,
    from_level: str | None = None,
) -> Problem:
    """Raise the problem to the next level (or `to_level`) and notify that level's leaders.

    `from_level`, the level the caller saw, makes two escalations sent at once from the same
    level raise it once: the second finds it moved on and is refused."""
    if from_level and problem.level != from_level:
        raise ValidationError(
            _("Someone else escalated it already: it is now at the %(level)s level.")
            % {"level": problem.get_level_display()}
        )
    _transition(actor, problem, "escalate", reason)
    current = LEVEL_ORDER.index(problem.level)
    target = to_level or (LEVEL_ORDER[current + 1] if current + 1 < len(LEVEL_ORDER) else None)
    if target is None or LEVEL_ORDER.index(target) <= current:
        raise ValidationError(_("The problem is already at the highest level."))
    before = snapshot(problem)
    leaders, recipients = _leader_users(problem, target)
    problem.level = target
    problem.escalated_at = timezone.now()
    if leaders:
        problem.coordinating_leader = leaders[0]
    problem.save()
    record(actor, problem, Action.UPDATE, diff(before, snapshot(problem)), reason=reason)
    notify(
        recipients,
        _("Escalated to you: %(problem)s") % {"problem": problem},
        url=_problem_url(problem),
        body=_problem_facts(problem, reason),
        exclude=actor,
        event="problem.escalated",
    )
    return problem


# -- tasks ---------------------------------------------------------------------------------


def _task_url(task: Task) -> str:
    return reverse("problems:task", args=[task.pk])


def _task_facts(task: Task, reason: str = "", *, units: list[Unit] | None = None) -> str:
    """What the units need to act on a task: what, on which project, who, by when."""
    units = units if units is not None else [task.lead_unit, *task.responsible_units.all()]
    facts = _("%(content)s\nProject: %(project)s. Units: %(units)s. Deadline: %(deadline)s.") % {
        "content": task.content,
        "project": task.project.name if task.project is not None else "—",
        "units": "、".join(dict.fromkeys(str(unit) for unit in units)),
        "deadline": task.deadline.isoformat(),
    }
    return f"{reason.strip()}\n\n{facts}" if reason.strip() else facts


@transaction.atomic
def do_assign_task(
    actor: User,
    *,
    content: str,
    lead_unit: Unit,
    deadline: date,
    project: Project | None = None,
    responsible_units: Iterable[Unit] = (),
    source: str = TaskSource.INSTRUCTION,
    supervision: str = "ordinary",
    problem: Problem | None = None,
    source_text: str = "",
    meeting: Any = None,  # the meeting it was set at (a layer above)
    inspection: Any = None,  # the inspection it came from (a layer above)
) -> Task:
    require(can_assign(actor), _("Only headquarters, leaders and inspectors assign tasks."))
    if project is not None and not Project.objects.visible_to(actor).filter(pk=project.pk).exists():
        raise PermissionDenied(_("You cannot assign tasks on this project."))
    task = Task(
        content=(content or "").strip(),
        lead_unit=lead_unit,
        deadline=deadline,
        project=project,
        source=source,
        supervision=supervision,
        problem=problem,
        source_text=source_text,
        meeting=meeting,
        inspection=inspection,
        created_by=actor,
    )
    task.full_clean()
    task.save()
    task.responsible_units.set(responsible_units)
    record(actor, task, Action.CREATE, {**diff({}, snapshot(task)), **diff({}, m2m_snapshot(task))})
    notify(
        unit_users(lead_unit, *responsible_units),
        _("New task for your unit: %(task)s") % {"task": task},
        url=_task_url(task),
        body=_task_facts(task, units=[lead_unit, *responsible_units]),
        exclude=actor,
        event="task.assigned",
        key=f"task:{task.pk}:assigned",
    )
    return task


@locked
def do_accept_task(actor: User, task: Task) -> Task:
    _transition(actor, task, "accept")
    return task


@locked
def do_add_task_feedback(
    actor: User, task: Task, text: str
) -> ProblemFollowUp | TaskFeedback | None:
    return _transition(actor, task, "feedback", text)


@locked
def do_report_task_done(actor: User, task: Task, note: str = "") -> Task:
    _transition(actor, task, "done", note)
    notify(
        [task.created_by, *_hq_users()],
        _("Reported done, to verify: %(task)s") % {"task": task},
        url=_task_url(task),
        body=_task_facts(task, note),
        exclude=actor,
        event="task.reported_done",
    )
    return task


@locked
def do_verify_task(actor: User, task: Task, note: str = "") -> Task:
    _transition(actor, task, "verify", note)
    notify(
        unit_users(task.lead_unit, *task.responsible_units.all()),
        _("Task verified and closed: %(task)s") % {"task": task},
        url=_task_url(task),
        body=_task_facts(task, note),
        exclude=actor,
        event="task.verified",
    )
    return task


@locked
def do_send_back_task(actor: User, task: Task, reason: str) -> Task:
    _transition(actor, task, "send-back", reason)
    notify(
        unit_users(task.lead_unit, *task.responsible_units.all()),
        _("Sent back, not done: %(task)s") % {"task": task},
        url=_task_url(task),
        body=_task_facts(task, reason),
        exclude=actor,
        event="task.sent_back",
    )
    return task


# -- reminders -----------------------------------------------------------------------------

# Reminded while the unit still has to act: not once it has reported the work done.
PROBLEMS_TO_ACT = [ProblemStatus.OPEN, ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS]
TASKS_TO_ACT = [TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.IN_PROGRESS]


class Notice(NamedTuple):
    event: str
    key: str
    title: str


def _problem_title(when: str, days: int) -> str:
    if when == reminders.LATE:
        return ngettext(
            "Problem %(days)d day overdue: %(item)s",
            "Problem %(days)d days overdue: %(item)s",
            days,
        )
    if when == reminders.TODAY:
        return _("Problem due today: %(item)s")
    return ngettext(
        "Problem due in %(days)d day: %(item)s", "Problem due in %(days)d days: %(item)s", days
    )


def _task_title(when: str, days: int) -> str:
    if when == reminders.LATE:
        return ngettext(
            "Task %(days)d day overdue: %(item)s", "Task %(days)d days overdue: %(item)s", days
        )
    if when == reminders.TODAY:
        return _("Task due today: %(item)s")
    return ngettext(
        "Task due in %(days)d day: %(item)s", "Task due in %(days)d days: %(item)s", days
    )


def _deadline_notice(kind: str, item: Problem | Task, today: date) -> Notice | None:
    """The reminder a problem or task (`kind`) calls for today, if any.

    Near ("<kind>:<id>:near"): once, on the first run within DIAODU_WARNING_DAYS of the
    deadline, or on the day. Overdue ("<kind>:<id>:overdue:<n>"): the day after, and again
    every DIAODU_LATE_REPEAT_DAYS days while it stays open.
    """
    found = reminders.stage(item.deadline, today, settings.DIAODU_WARNING_DAYS)
    if found is None:
        return None
    when, days, round_ = found
    title = (_problem_title if kind == "problem" else _task_title)(when, days)
    title %= {"item": item, "days": days}
    if when == reminders.LATE:
        return Notice(f"{kind}.overdue", f"{kind}:{item.pk}:overdue:{round_}", title)
    return Notice(f"{kind}.near", f"{kind}:{item.pk}:near", title)


def notify_deadlines(today: date | None = None) -> int:
    """Remind the units of open problems and tasks near or past their deadline (run daily).

    Idempotent and catching up (see `diaodu.notifications.reminders`): each notice has a key,
    so a second run on a day sends nothing, and a run after days stopped sends today's notice
    once (overdue, not a stale "due in 3 days"). A problem reported solved, or a task reported
    done, is not reminded. Returns how many notifications were sent.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.DIAODU_WARNING_DAYS)
    problems = list(
        Problem.objects.filter(status__in=PROBLEMS_TO_ACT, deadline__lte=horizon)
        .select_related("project", "responsible_unit")
        .order_by("deadline", "pk")
    )
    tasks = list(
        Task.objects.filter(status__in=TASKS_TO_ACT, deadline__lte=horizon)
        .select_related("project", "lead_unit")
        .prefetch_related("responsible_units")
        .order_by("deadline", "pk")
    )
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for problem in problems:
            notice = _deadline_notice("problem", problem, today)
            if notice:
                due.append(
                    reminders.Reminder(
                        [problem.responsible_unit_id],
                        notice.title,
                        _problem_url(problem),
                        _problem_facts(problem),
                        notice.event,
                        notice.key,
                    )
                )
        for task in tasks:
            notice = _deadline_notice("task", task, today)
            if notice:
                units = [task.lead_unit, *task.responsible_units.all()]
                due.append(
                    reminders.Reminder(
                        [unit.pk for unit in units],
                        notice.title,
                        _task_url(task),
                        _task_facts(task, units=units),
                        notice.event,
                        notice.key,
                    )
                )
        return reminders.send(due)


NOT_AN_ISSUER = gettext_lazy("Only headquarters, leaders and inspectors issue supervision notices.")
# Working days after a 督办单 that its reply is due.
REPLY_WORKING_DAYS = 3


def do_issue_notice(
    actor: User, unit: Unit, tasks: Iterable[Task], *, reissue: bool = False
) -> tuple[SupervisionNotice, DocumentNumber]:
    """The 督办单 to `unit` about `tasks`, with its number (发文字号).

    Issued once per unit and set of tasks: asked again, the same notice and number come back.
    `reissue` gives it the next number, recorded (diaodu.core.numbering). The caller chooses
    the tasks among those the actor sees.
    """
    require(can_issue_notice(actor), NOT_AN_ISSUER)
    tasks = list(tasks)
    if not tasks:
        raise ValidationError(_("A supervision notice needs at least one task."))
    ids = ",".join(str(pk) for pk in sorted({task.pk for task in tasks}))
    key = hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()
    today = timezone.localdate()
    with transaction.atomic():
        notice = SupervisionNotice.objects.filter(unit=unit, key=key).first()
        if notice is None:
            try:
                with transaction.atomic():
                    notice = SupervisionNotice.objects.create(
                        unit=unit,
                        key=key,
                        reply_by=add_working_days(today, REPLY_WORKING_DAYS),
                        issued_by=actor,
                    )
                    notice.tasks.set(tasks)
                    record(actor, notice, Action.CREATE, {"tasks": [None, ids]})
            except IntegrityError:  # issued by someone else at the same moment
                notice = SupervisionNotice.objects.get(unit=unit, key=key)
        number = number_for(
            notice,
            DocumentKind.SUPERVISION,
            timezone.localtime(notice.issued_at).year,
            actor,
            reissue=reissue,
        )
    return notice, number
