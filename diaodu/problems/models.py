"""Problems a project cannot solve alone (问题清单), and tasks followed until verified.

Neither is ever marked overdue by hand: the light (green, yellow, red) and its reason are
derived from the deadline and the last feedback (`warnings.py`).
"""

from datetime import datetime
from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import MINUTES, NOTE, TEXT, MaxChars, validate_year
from diaodu.org.models import AnyUser, Leader, Unit
from diaodu.problems.choices import (
    STATUS_COLOURS,
    ProblemCategory,
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    SupervisionLevel,
    TaskSource,
    TaskStatus,
)
from diaodu.projects.models import Project

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


def _unit_scope(user: AnyUser) -> tuple[bool, set[int]]:
    """(sees everything, ids of the user's unit and the units below it)."""
    if not user.is_authenticated or not user.is_active:
        return False, set()
    return user.sees_everything, user.scope_unit_ids


_Item = TypeVar("_Item", bound="SupervisedItem")


class SupervisedQuerySet(models.QuerySet[_Item]):
    def open(self) -> Self:
        """Not yet verified and closed."""
        return self.exclude(status=self.model.CLOSED)


class SupervisedItem(models.Model):
    """What a problem and a task share: a unit must settle it by a deadline, and it is
    followed until someone other than whoever did the work verifies it (销号).

    Each concrete model names its states (`status`, closed at `CLOSED`), the field that says
    who reported the work done (`DOER`), its timeline of entries (`timeline`), and the fields
    that say when it was last heard of (`QUIET_SINCE`, the first one set counts): an item that
    has them goes stale, its light yellow after a long silence. What may happen to it, from which
    state, by whom, and what is recorded is its table in `diaodu.problems.transitions`.
    """

    CLOSED: str
    DOER: str
    status: str  # the concrete model's field
    project: Project | None  # the concrete model's field (a task may have no project)
    QUIET_SINCE: tuple[str, ...] = ()

    deadline = models.DateField(_("deadline"), validators=[validate_year])
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(
        _("verified at"), null=True, blank=True, validators=[validate_year]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_closed(self) -> bool:
        return self.status == self.CLOSED

    @property
    def quiet_since(self) -> datetime | None:
        """Since when nothing was heard of it (for the light of items that go stale)."""
        return next(filter(None, (getattr(self, name) for name in self.QUIET_SINCE)), None)


def verifier_is_not_doer(doer: str, name: str) -> models.CheckConstraint:
    """Whoever reported the work done (`doer`) never verifies it: the database refuses it."""
    return models.CheckConstraint(
        condition=Q(verified_by__isnull=True)
        | Q(**{f"{doer}__isnull": True})
        | ~Q(verified_by=F(doer)),
        name=name,
        violation_error_message=_("Whoever reported the work done cannot verify it."),
    )


class TimelineEntry(models.Model):
    """One entry of a problem's or a task's timeline: what was done, said or decided."""

    ITEM: str
    text: str  # the concrete model's field

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def item(self) -> SupervisedItem:
        item: SupervisedItem = getattr(self, self.ITEM)
        return item

    @property
    def project(self) -> Project | None:
        return self.item.project


class ProblemQuerySet(SupervisedQuerySet["Problem"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Problems of projects the user sees, and problems assigned to the user's unit."""
        everything, units = _unit_scope(user)
        if everything:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(project__in=Project.objects.visible_to(user).values("pk"))
            | Q(responsible_unit_id__in=units)
        )


class Problem(SupervisedItem):
    """A problem a project cannot solve alone: who solves it, by when, at which level."""

    CLOSED = ProblemStatus.VERIFIED
    DOER = "solved_by"

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="problems"
    )
    source = models.CharField(
        _("raised in"), max_length=20, choices=ProblemSource.choices, default=ProblemSource.DIRECT
    )
    report = models.ForeignKey(
        "reporting.ProgressReport",
        verbose_name=_("progress report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_problems",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        help_text=_("The inspection that found it, when one did."),
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=ProblemCategory.choices,
        default=ProblemCategory.OTHER,
    )
    description = models.TextField(_("description"), max_length=TEXT, validators=[MaxChars(TEXT)])
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    coordinating_leader = models.ForeignKey(
        Leader,
        verbose_name=_("coordinating leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
    )
    level = models.CharField(
        _("level"), max_length=20, choices=ProblemLevel.choices, default=ProblemLevel.UNIT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported solved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    solved_at = models.DateTimeField(
        _("reported solved at"), null=True, blank=True, validators=[validate_year]
    )
    escalated_at = models.DateTimeField(
        _("escalated at"), null=True, blank=True, validators=[validate_year]
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            # A unit's inbox and the counts per unit.
            models.Index(fields=["responsible_unit", "status"], name="problem_unit_status"),
            # Overdue problems: open ones by deadline.
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            # The list's order: a page of problems by deadline without sorting them all.
            models.Index(fields=["deadline", "id"], name="problem_deadline_order"),
        ]
        constraints = [verifier_is_not_doer("solved_by", "problem_verifier_not_solver")]

    def __str__(self) -> str:
        return f"{self.project}：{self.description[:30]}"

    @property
    def timeline(self) -> "RelatedManager[ProblemFollowUp]":
        return self.follow_ups


class ProblemFollowUp(TimelineEntry):
    """One entry of a problem's timeline: what was done, said or decided."""

    ITEM = "problem"

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    text = models.TextField(_("follow-up"), max_length=NOTE, validators=[MaxChars(NOTE)])

    class Meta(TimelineEntry.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


class TaskQuerySet(SupervisedQuerySet["Task"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Tasks of projects the user sees, and tasks its unit leads or is responsible for."""
        everything, units = _unit_scope(user)
        if everything:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(project__in=Project.objects.visible_to(user).values("pk"))
            | Q(lead_unit_id__in=units)
            | Q(
                pk__in=Task.responsible_units.through.objects.filter(unit_id__in=units).values(
                    "task_id"
                )
            )
        )


class Task(SupervisedItem):
    """Who does what by when (督办事项), followed until someone verifies it is done."""

    CLOSED = TaskStatus.VERIFIED
    DOER = "done_by"
    QUIET_SINCE = ("last_feedback_at", "created_at")

    content = models.TextField(_("task"), max_length=TEXT, validators=[MaxChars(TEXT)])
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    responsible_units = models.ManyToManyField(
        Unit, verbose_name=_("responsible units"), related_name="tasks", blank=True
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.INSTRUCTION
    )
    source_text = models.TextField(
        _("source text"),
        blank=True,
        help_text=_("The sentence or instruction it came from."),
        max_length=MINUTES,
        validators=[MaxChars(MINUTES)],
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        help_text=_("The meeting that set it, when it came from one."),
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        help_text=_("The inspection that set it, when one did."),
    )
    supervision = models.CharField(
        _("supervision level"),
        max_length=20,
        choices=SupervisionLevel.choices,
        default=SupervisionLevel.ORDINARY,
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem it resolves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_feedback_at = models.DateTimeField(
        _("last feedback"), null=True, blank=True, validators=[validate_year]
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(
        _("reported done at"), null=True, blank=True, validators=[validate_year]
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # A unit's inbox and the counts per unit.
            models.Index(fields=["lead_unit", "status"], name="task_unit_status"),
            # Overdue tasks: open ones by deadline.
            models.Index(fields=["status", "deadline"], name="task_status_deadline"),
            # The list's order: a page of tasks by deadline without sorting them all.
            models.Index(fields=["deadline", "id"], name="task_deadline_order"),
        ]
        constraints = [verifier_is_not_doer("done_by", "task_verifier_not_doer")]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def timeline(self) -> "RelatedManager[TaskFeedback]":
        return self.feedback


class TaskFeedback(TimelineEntry):
    """A progress note on a task from the unit doing it."""

    ITEM = "task"

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="feedback"
    )
    text = models.TextField(_("feedback"), max_length=NOTE, validators=[MaxChars(NOTE)])

    class Meta(TimelineEntry.Meta):
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")


class SupervisionNotice(models.Model):
    """A 督办单 issued to a unit about one task or about its overdue tasks.

    A notice is issued once for a unit and a set of tasks (`key`, the tasks' ids): asked for
    again, the same notice comes back, with its number (发文字号, a DocumentNumber of kind
    "supervision"), its date and the date its reply is due. A new set of overdue tasks makes a
    new notice.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="supervision_notices"
    )
    tasks = models.ManyToManyField(Task, verbose_name=_("tasks"), related_name="notices")
    # The tasks' ids, sorted and joined, hashed (SHA-1): the same set gives the same notice.
    key = models.CharField(_("tasks covered"), max_length=40)
    reply_by = models.DateField(_("reply due"), validators=[validate_year])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "key"],
                name="one_notice_per_unit_and_tasks",
                violation_error_message=_("This notice has already been issued."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.issued_at:%Y-%m-%d}"
