"""Reporting periods and progress reports (调度填报).

A project files once a month, whatever programmes it is in: the monthly period (the statistics
month) belongs to no programme, and its report carries the month's investment. A programme
scheduled weekly or every two weeks also has update periods of its own, whose reports carry
physical progress, problems and next steps but no investment. So every figure of investment
comes from the one approved monthly report per project and month (see `totals.py`).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import NOTE, TEXT, MaxChars, validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.core.photos import Photo
from diaodu.core.uploads import unguessable_name
from diaodu.org.models import AnyUser
from diaodu.projects.models import Program, Project, money_field
from diaodu.reporting.choices import REPORT_STATUS_COLOURS, PeriodKind, ReportStatus


class PeriodQuerySet(SignedInQuerySet["ReportingPeriod"]):
    def open(self) -> Self:
        return self.filter(opened_at__isnull=False, closed_at__isnull=True)

    def monthly(self) -> Self:
        return self.filter(kind=PeriodKind.MONTHLY)


class ReportingPeriod(models.Model):
    """A reporting period: its dates and the date reports are due.

    A monthly period is the statistics month of every project in a programme of its year; an
    update period belongs to one weekly or biweekly programme.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTHLY
    )
    program = models.ForeignKey(
        Program,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="periods",
        null=True,
        blank=True,
        help_text=_("Only for the progress updates of a weekly or biweekly programme."),
    )
    start = models.DateField(_("start"), validators=[validate_year])
    end = models.DateField(_("end"), validators=[validate_year])
    due_date = models.DateField(_("due date"), validators=[validate_year])
    opened_at = models.DateTimeField(
        _("opened at"), null=True, blank=True, validators=[validate_year]
    )
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, validators=[validate_year]
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "kind", "program"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "start"],
                name="one_period_per_program_start",
                violation_error_message=_("This programme already has a period starting then."),
            ),
            models.UniqueConstraint(
                fields=["start"],
                condition=Q(kind="monthly"),
                name="one_monthly_period_per_month",
                violation_error_message=_("This month already has a monthly period."),
            ),
            models.CheckConstraint(
                condition=(Q(kind="monthly") & Q(program__isnull=True))
                | (Q(kind="update") & Q(program__isnull=False)),
                name="period_kind_matches_program",
                violation_error_message=_(
                    "A monthly period belongs to no programme; an update period to one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_ends_after_start",
                violation_error_message=_("A period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        if self.program is None:
            return _("Monthly report %(label)s") % {"label": self.label}
        return f"{self.program.name} {self.label}"

    @property
    def code(self) -> str:
        """A name for files: the programme's code, or "monthly"."""
        return self.program.code if self.program is not None else "monthly"

    @property
    def carries_investment(self) -> bool:
        return self.kind == PeriodKind.MONTHLY

    @property
    def year(self) -> int:
        return self.start.year

    def due_links(self) -> "models.QuerySet[Any]":
        """The programme memberships that make a project file in this period: in a programme of
        the month's year for a monthly period, in the programme for an update."""
        links = Program.projects.through.objects
        if self.program_id is not None:
            return links.filter(program_id=self.program_id)
        return links.filter(program__year=self.start.year)

    def due(self) -> models.Exists:
        """The condition on projects that they file in this period (`due_links`), as EXISTS: a
        query narrowed otherwise (an owner's projects, a region's) reads its own rows, not the
        ids of every project due (an owner of 4,469 projects: 110 ms to a few)."""
        return models.Exists(self.due_links().filter(project_id=models.OuterRef("pk")))

    def late_from(self) -> datetime:
        """The first instant at which a report of the period is late: local midnight after the
        due date (a report submitted on a later local day)."""
        day_after = self.due_date + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day_after, time.min))

    def projects_due(self) -> "models.QuerySet[Project]":
        """The projects that file in this period."""
        return Project.objects.filter(self.due())

    @property
    def label(self) -> str:
        if self.start.day == 1 and (self.end - self.start).days >= 27:
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        return f"{self.start:%m.%d}–{self.end:%m.%d}"

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None

    def is_overdue(self, today: date | None = None) -> bool:
        return (today or timezone.localdate()) > self.due_date


class ReportQuerySet(models.QuerySet["ProgressReport"]):
    def visible_to(self, user: AnyUser) -> Self:
        """A report is visible to whoever may see its project."""
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class ProgressReport(models.Model):
    """A project's report for one period: investment, physical progress, workers, next steps.

    `version` grows with every save; a save that carries an older version is refused, so two
    people editing at once never overwrite each other.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    invested = money_field(_("investment this period (10k yuan)"))
    physical_progress = models.TextField(
        _("physical progress"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )
    physical_percent = models.DecimalField(
        _("physical progress (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message=_("A percentage cannot be below 0.")),
            MaxValueValidator(Decimal("100"), message=_("A percentage cannot be above 100.")),
        ],
    )
    workers = models.PositiveIntegerField(_("workers on site"), null=True, blank=True)
    next_steps = models.TextField(
        _("next steps"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )
    problems = models.TextField(
        _("problems encountered"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(
        _("submitted at"), null=True, blank=True, validators=[validate_year]
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(
        _("reviewed at"), null=True, blank=True, validators=[validate_year]
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(
        _("reason for return"), blank=True, max_length=NOTE, validators=[MaxChars(NOTE)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period__start", "project"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="one_report_per_project_period",
                violation_error_message=_("This project already has a report for this period."),
            ),
            models.CheckConstraint(
                condition=Q(invested__gte=0),
                name="report_investment_not_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(physical_percent__isnull=True)
                | (Q(physical_percent__gte=0) & Q(physical_percent__lte=100)),
                name="report_percent_in_range",
                violation_error_message=_("The percentage must be between 0 and 100."),
            ),
        ]
        indexes = [
            # Who is behind: a period's reports by status.
            models.Index(fields=["period", "status"], name="report_period_status"),
            # Year-to-date investment: a project's approved reports; and the API's list of the
            # reports of some projects with a status, counted by period.
            models.Index(
                fields=["project", "status", "period"], name="report_project_status_period"
            ),
            # The dashboard's monthly curve: approved investment by period, from the index alone.
            models.Index(fields=["status", "period", "invested"], name="report_status_invested"),
            # The work lists: submitted reports, the longest waiting first.
            models.Index(fields=["status", "submitted_at"], name="report_status_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period.label}"

    @property
    def status_colour(self) -> str:
        return REPORT_STATUS_COLOURS.get(self.status, "secondary")

    @property
    def is_late(self) -> bool:
        if self.submitted_at is None:
            return False
        return self.submitted_at >= self.period.late_from()

    @property
    def is_editable(self) -> bool:
        return self.status in {ReportStatus.DRAFT, ReportStatus.RETURNED}


def photo_path(photo: "ReportPhoto", filename: str) -> str:
    return unguessable_name(
        f"reports/{photo.report.period.start:%Y/%m}/{photo.report_id}", filename
    )


class ReportPhoto(Photo):
    """A photo of the site attached to a report (images only, size-limited)."""

    OWNER = "report"
    TOO_OLD = _(
        "Taken %(age)d days before this period began (on %(day)s; the limit is %(limit)d days)."
    )

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)

    class Meta(Photo.Meta):
        ordering = ["report", "id"]

    def reference_day(self) -> date:
        return self.report.period.start


class InvestmentSummary(models.Model):
    """A project's year: approved investment, reports submitted and submitted on time.

    Derived data, kept current by the reporting services; `totals.refresh_summaries()` rebuilds
    it from the monthly reports. The ledger and the dashboard read it so
    that totals over tens of thousands of projects and millions of reports are one query.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="investment_summaries",
    )
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    invested = money_field(_("investment completed (10k yuan)"))
    reports_submitted = models.PositiveIntegerField(_("reports submitted"), default=0, db_default=0)
    reports_on_time = models.PositiveIntegerField(
        _("reports submitted on time"), default=0, db_default=0
    )

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("investment summary")
        verbose_name_plural = _("investment summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="one_summary_per_project_year",
                violation_error_message=_("This project already has a summary for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"


class MonthSnapshot(models.Model):
    """The close of a month: every project's state as it stood, kept so that a past month's
    bulletin, its meeting and the project's trends show the lights as they were.

    Taken at the close of the month (a scheduled task, or on demand) and again until the month
    is published (its bulletin issued); from then on it is kept as it is. A month before the
    application kept snapshots is rebuilt from the history (`rebuilt`): its figures come from
    the reports, milestones, problems and tasks dated by then; its lights from the rules
    applied to those facts as of the month's last day."""

    month = models.DateField(_("month"), unique=True, validators=[validate_year])
    taken_at = models.DateTimeField(_("taken"), validators=[validate_year])
    projects = models.PositiveIntegerField(_("projects"), default=0)
    rebuilt = models.BooleanField(_("rebuilt from the history"), default=False)
    rules_version = models.CharField(_("rules version"), max_length=20, blank=True)
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, validators=[validate_year]
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("month snapshot")
        verbose_name_plural = _("month snapshots")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ProjectSnapshotQuerySet(models.QuerySet["ProjectSnapshot"]):
    def visible_to(self, user: AnyUser) -> Self:
        """A project's month is visible to whoever may see the project."""
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class ProjectSnapshot(models.Model):
    """One project at the close of one month (one compact row per project and month)."""

    snapshot = models.ForeignKey(
        MonthSnapshot, verbose_name=_("month"), on_delete=models.CASCADE, related_name="rows"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="snapshots"
    )
    stage = models.CharField(_("stage"), max_length=20)
    light = models.CharField(_("light"), max_length=10)
    light_reasons = models.JSONField(_("light reasons"), default=list, blank=True)
    region = models.ForeignKey(
        "org.Unit",
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invested_year = money_field(_("investment this year (10k yuan)"))
    invested_total = money_field(_("investment since the start (10k yuan)"))
    planned_year = money_field(_("annual plan (10k yuan)"))
    planned_to_date = money_field(_("plan to date (10k yuan)"))
    physical_percent = models.DecimalField(
        _("physical progress (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    milestones_due = models.PositiveIntegerField(_("milestones due"), default=0)
    milestones_met = models.PositiveIntegerField(_("milestones met"), default=0)
    milestones_overdue = models.PositiveIntegerField(_("milestones overdue"), default=0)
    open_problems = models.PositiveIntegerField(_("open problems"), default=0)
    open_tasks = models.PositiveIntegerField(_("open tasks"), default=0)
    overdue_tasks = models.PositiveIntegerField(_("overdue tasks"), default=0)
    spi = models.DecimalField(
        _("schedule performance index"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    cpi = models.DecimalField(
        _("cost performance index"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    forecast_finish = models.DateField(
        _("forecast completion"), null=True, blank=True, validators=[validate_year]
    )

    objects = ProjectSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["snapshot", "project"]
        verbose_name = _("project snapshot")
        verbose_name_plural = _("project snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "project"],
                name="one_snapshot_row_per_project_month",
                violation_error_message=_("This project is already in this month's snapshot."),
            )
        ]
        indexes = [models.Index(fields=["project", "snapshot"], name="snapshot_project_month")]

    def __str__(self) -> str:
        return f"{self.project} {self.snapshot}"
