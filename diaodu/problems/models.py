"""Problems a project cannot solve alone (问题清单), and tasks followed until verified.

Neither is ever marked overdue by hand: the light (green, yellow, red) and its reason are
derived from the deadline and the last feedback (`warnings.py`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from diaodu.org.models import Leader, Unit
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


def _unit_scope(user):
    """(sees everything, ids of the user's unit and the units below it)."""
    if not user.is_authenticated or not user.is_active:
        return False, set()
    return user.sees_everything, user.scope_unit_ids


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
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

    def open(self):
        return self.exclude(status=ProblemStatus.VERIFIED)


class Problem(models.Model):
    """A problem a project cannot solve alone: who solves it, by when, at which level."""

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
    description = models.TextField(_("description"))
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
    deadline = models.DateField(_("deadline"))
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
    solved_at = models.DateTimeField(_("reported solved at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        ]

    def __str__(self):
        return f"{self.project}：{self.description[:30]}"

    @property
    def status_colour(self):
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_closed(self):
        return self.status == ProblemStatus.VERIFIED


class ProblemFollowUp(models.Model):
    """One entry of a problem's timeline: what was done, said or decided."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("follow-up"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return self.text[:40]

    @property
    def project(self):
        return self.problem.project


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
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

    def open(self):
        return self.exclude(status=TaskStatus.VERIFIED)


class Task(models.Model):
    """Who does what by when (督办事项), followed until someone verifies it is done."""

    content = models.TextField(_("task"))
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
    deadline = models.DateField(_("deadline"))
    source = models.CharField(
        _("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.INSTRUCTION
    )
    source_text = models.TextField(
        _("source text"), blank=True, help_text=_("The sentence or instruction it came from.")
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
    last_feedback_at = models.DateTimeField(_("last feedback"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

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
        ]

    def __str__(self):
        return self.content[:40]

    @property
    def status_colour(self):
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_closed(self):
        return self.status == TaskStatus.VERIFIED


class TaskFeedback(models.Model):
    """A progress note on a task from the unit doing it."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("feedback"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self):
        return self.text[:40]

    @property
    def project(self):
        return self.task.project
