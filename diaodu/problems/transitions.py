"""What may happen to a problem or a task: for each action, the states it may start from, the
state it leads to, who may do it and what it records. One table per model, read by the
services (which check and apply it on the locked row), the pages (which offer the actions the
user may take now) and the API.

Problem: open → accepted → in progress → reported solved → verified (销号) by someone other
than its solver, or sent back to in progress; escalation raises the level at any open state.
Task: assigned → accepted → in progress (feedback) → reported done → verified, or sent back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from diaodu.org.models import AnyUser
from diaodu.problems import permissions
from diaodu.problems.choices import LEVEL_ORDER, ProblemStatus, TaskStatus
from diaodu.problems.models import Problem, SupervisedItem, Task

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What a recorded field is set to: the user acting, the moment, or nothing (cleared).
ACTOR, NOW = "actor", "now"

# What an action does with the text the user writes.
NO_TEXT, OPTIONAL, REQUIRED = "none", "optional", "required"


@dataclass(frozen=True)
class Transition:
    """One action on a problem or a task."""

    # The states it may start from, and why not from another.
    sources: frozenset[str]
    refused: "StrOrPromise"
    # Who may do it (a rule of `permissions`), and what others are told.
    allowed: Callable[..., bool]
    denied: "StrOrPromise"
    # The state it leads to (None: the state stays, as when a problem is escalated). With
    # `moves_from`, the state moves only from those states, and only for users `moves_if`
    # allows (a follow-up moves an open problem to in progress when its unit writes it).
    target: str | None = None
    moves_from: frozenset[str] | None = None
    moves_if: Callable[..., bool] | None = None
    # The fields it records: name → ACTOR, NOW or None.
    records: dict[str, str | None] = field(default_factory=dict)
    # The text the user writes: not asked, optional or required (then `missing` is said,
    # under the key `text_key`); kept as the reason in the history, and as an entry of the
    # timeline (follow-up or feedback) when `entry` says so.
    text: str = NO_TEXT
    text_key: str = "text"
    missing: "StrOrPromise" = ""
    reason: bool = True
    entry: bool = False
    # Offered on the page only while this also holds (escalation: not at the top level yet).
    offered_if: Callable[[Any], bool] | None = None

    def moves(self, user: AnyUser, item: SupervisedItem) -> bool:
        """This action, taken now by `user`, changes the item's state."""
        if self.target is None:
            return False
        if self.moves_from is not None and item.status not in self.moves_from:
            return False
        return self.moves_if is None or self.moves_if(user, item)

    def available(self, user: AnyUser, item: SupervisedItem) -> bool:
        """The user may take this action on the item as it is now."""
        return (
            item.status in self.sources
            and (self.offered_if is None or self.offered_if(item))
            and bool(self.allowed(user, item))
        )


P, T = ProblemStatus, TaskStatus
PROBLEM_OPEN = frozenset({P.OPEN, P.ACCEPTED, P.IN_PROGRESS, P.REPORTED_SOLVED})
TASK_TO_DO = frozenset({T.ASSIGNED, T.ACCEPTED, T.IN_PROGRESS})

PROBLEM_TRANSITIONS = {
    "accept": Transition(
        sources=frozenset({P.OPEN}),
        refused=_("Only an open problem can be accepted."),
        allowed=permissions.can_work_on_problem,
        denied=_("Only the responsible unit can accept it."),
        target=P.ACCEPTED,
    ),
    "follow-up": Transition(
        sources=PROBLEM_OPEN,
        refused=_("The problem is closed."),
        allowed=permissions.can_follow_up,
        denied=_("You cannot follow up this problem."),
        target=P.IN_PROGRESS,
        moves_from=frozenset({P.OPEN, P.ACCEPTED}),
        moves_if=permissions.can_work_on_problem,
        text=REQUIRED,
        missing=_("Write what was done."),
        reason=False,
        entry=True,
    ),
    "solved": Transition(
        sources=frozenset({P.OPEN, P.ACCEPTED, P.IN_PROGRESS}),
        refused=_("Only an open problem can be reported solved."),
        allowed=permissions.can_work_on_problem,
        denied=_("Only the responsible unit can report it solved."),
        target=P.REPORTED_SOLVED,
        records={"solved_by": ACTOR, "solved_at": NOW},
        text=OPTIONAL,
        entry=True,
    ),
    "verify": Transition(
        sources=frozenset({P.REPORTED_SOLVED}),
        refused=_("Only a problem reported solved can be verified."),
        allowed=permissions.can_verify_problem,
        denied=_(
            "Only headquarters, an inspector or the leader it was escalated to, "
            "and never its solver, can verify a problem."
        ),
        target=P.VERIFIED,
        records={"verified_by": ACTOR, "verified_at": NOW},
        text=OPTIONAL,
    ),
    "send-back": Transition(
        sources=frozenset({P.REPORTED_SOLVED}),
        refused=_("Only a problem reported solved can be sent back."),
        allowed=permissions.can_verify_problem,
        denied=_("You cannot send this problem back."),
        target=P.IN_PROGRESS,
        records={"solved_by": None, "solved_at": None},
        text=REQUIRED,
        text_key="reason",
        missing=_("Say why it is not solved."),
    ),
    "escalate": Transition(
        sources=PROBLEM_OPEN,
        refused=_("The problem is closed."),
        allowed=permissions.can_escalate,
        denied=_("You cannot escalate this problem."),
        text=REQUIRED,
        text_key="reason",
        missing=_("Say why the unit cannot solve it alone."),
        offered_if=lambda problem: problem.level != LEVEL_ORDER[-1],
    ),
}

TASK_TRANSITIONS = {
    "accept": Transition(
        sources=frozenset({T.ASSIGNED}),
        refused=_("Only an assigned task can be accepted."),
        allowed=permissions.can_work_on_task,
        denied=_("Only the units doing the task can accept it."),
        target=T.ACCEPTED,
        records={"last_feedback_at": NOW},
    ),
    "feedback": Transition(
        sources=TASK_TO_DO,
        refused=_("The task is reported done; wait for verification."),
        allowed=permissions.can_work_on_task,
        denied=_("Only the units doing the task give feedback."),
        target=T.IN_PROGRESS,
        moves_from=frozenset({T.ASSIGNED, T.ACCEPTED}),
        records={"last_feedback_at": NOW},
        text=REQUIRED,
        missing=_("Write what was done."),
        reason=False,
        entry=True,
    ),
    "done": Transition(
        sources=TASK_TO_DO,
        refused=_("The task is already reported done."),
        allowed=permissions.can_work_on_task,
        denied=_("Only the units doing the task can report it done."),
        target=T.REPORTED_DONE,
        records={"done_by": ACTOR, "done_at": NOW, "last_feedback_at": NOW},
        text=OPTIONAL,
        entry=True,
    ),
    "verify": Transition(
        sources=frozenset({T.REPORTED_DONE}),
        refused=_("Only a task reported done can be verified."),
        allowed=permissions.can_verify_task,
        denied=_(
            "Only headquarters, an inspector or whoever assigned it, and never the unit "
            "that did it, can verify a task."
        ),
        target=T.VERIFIED,
        records={"verified_by": ACTOR, "verified_at": NOW},
        text=OPTIONAL,
    ),
    "send-back": Transition(
        sources=frozenset({T.REPORTED_DONE}),
        refused=_("Only a task reported done can be sent back."),
        allowed=permissions.can_verify_task,
        denied=_("You cannot send this task back."),
        target=T.IN_PROGRESS,
        records={"done_by": None, "done_at": None},
        text=REQUIRED,
        text_key="reason",
        missing=_("Say why it is not done."),
    ),
}

TRANSITIONS: dict[type[SupervisedItem], dict[str, Transition]] = {
    Problem: PROBLEM_TRANSITIONS,
    Task: TASK_TRANSITIONS,
}


def table(item: SupervisedItem | type[SupervisedItem]) -> dict[str, Transition]:
    """The transitions of a problem or a task (or of its model)."""
    model = item if isinstance(item, type) else type(item)
    return TRANSITIONS[model]


def available(user: AnyUser, item: SupervisedItem) -> list[str]:
    """The actions the user may take on the item now, in the order of its table."""
    return [name for name, step in table(item).items() if step.available(user, item)]
