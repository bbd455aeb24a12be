"""Programmes, projects and what a project carries: annual plans, milestones, approvals, funding.

Modelled with OC4IDS (the Open Contracting for Infrastructure Data Standard) in mind: a project
has an identifier, a status, a sector, locations, parties with roles (owner, lead unit,
responsible units), budget lines (funding) and milestones, so that an export is a mapping.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.choices import Light
from diaodu.core.limits import TEXT, MaxChars, validate_year
from diaodu.core.models import SignedInQuerySet
from diaodu.core.uploads import Unguessable
from diaodu.org.choices import Role, UnitKind
from diaodu.org.models import AnyUser, Leader, Unit
from diaodu.projects.approval_timing import Timing, due_date, timing_of
from diaodu.projects.choices import (
    APPROVAL_STATUS_COLOURS,
    MILESTONE_STATE_COLOURS,
    STAGE_COLOURS,
    ApprovalKind,
    ApprovalStatus,
    Cadence,
    Category,
    FundingSource,
    MilestoneState,
    ProgramLevel,
    Stage,
)
from diaodu.projects.national_code import check_national_code, validate_national_code

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from diaodu.projects.permissions import Part

ZERO = Decimal("0.00")
# A project's tags: short words that say what it is about beyond its one category (数字经济,
# 新基建), kept from the category rows of an imported ledger or typed on the project's page.
TAG_LENGTH = 30
TAGS_MAX = 10


def money_field(verbose_name: "StrOrPromise", **kwargs: Any) -> "models.DecimalField[Any, Decimal]":
    """An amount in 万元 with two decimals, never negative."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(ZERO, message=_("An amount cannot be negative."))],
        **kwargs,
    )


def validate_tags(value: Any) -> None:
    """A list of at most TAGS_MAX distinct, non-blank tags without surrounding spaces, each
    of at most TAG_LENGTH characters. The codes are the validator's own: a field puts its
    generic message in place of a code it knows (blank, invalid)."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValidationError(_("Tags must be a list of words."), code="tags_not_a_list")
    if len(value) > TAGS_MAX:
        raise ValidationError(
            _("A project has at most %(limit)d tags; %(count)d are given.")
            % {"limit": TAGS_MAX, "count": len(value)},
            code="too_many_tags",
        )
    seen: set[str] = set()
    for tag in value:
        if not tag.strip() or tag != tag.strip():
            raise ValidationError(
                _("A tag cannot be blank or begin or end with a space."), code="blank_tag"
            )
        if len(tag) > TAG_LENGTH:
            raise ValidationError(
                _("The tag “%(tag)s” is longer than %(limit)d characters.")
                % {"tag": tag, "limit": TAG_LENGTH},
                code="tag_too_long",
            )
        if tag in seen:
            raise ValidationError(
                _("The tag “%(tag)s” is given twice.") % {"tag": tag}, code="repeated_tag"
            )
        seen.add(tag)


def merge_tags(current: list[str], more: Iterable[str]) -> list[str]:
    """`current` followed by the tags of `more` it does not have yet, their spaces tidied;
    blank ones left out."""
    merged = list(current)
    for tag in more:
        tag = " ".join(tag.split())
        if tag and tag not in merged:
            merged.append(tag)
    return merged


class ProgramQuerySet(SignedInQuerySet["Program"]):
    """Programmes are public lists: every signed-in user may read them."""


class Program(models.Model):
    """A named list of projects for a year (省重点, 市重点, 三十工程, 三个一批第五期 ...).

    Its cadence is how often its projects report.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50)
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    level = models.CharField(
        _("level"), max_length=20, choices=ProgramLevel.choices, default=ProgramLevel.CITY
    )
    cadence = models.CharField(
        _("reporting cadence"), max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    batch = models.PositiveIntegerField(
        _("batch"), null=True, blank=True, help_text=_("For rolling batches such as 三个一批.")
    )
    description = models.TextField(
        _("description"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "level", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "year"],
                name="one_program_code_per_year",
                violation_error_message=_("A programme with this code already exists this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The projects a user may see: the one place project visibility is decided.

        Headquarters, leaders and inspectors see everything; a region sees the projects in it
        and the units below it; a department those it leads or is responsible for; an owner
        its own. Anyone else sees nothing.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.unit_id is None:
            return self.none()
        if user.role == Role.REGION:
            return self.filter(region_id__in=user.scope_unit_ids)
        if user.role == Role.DEPARTMENT:
            return self.filter(
                Q(lead_unit_id=user.unit_id)
                | Q(
                    pk__in=Project.responsible_units.through.objects.filter(
                        unit_id=user.unit_id
                    ).values("project_id")
                )
            )
        if user.role == Role.OWNER:
            return self.filter(owner_id=user.unit_id)
        return self.none()

    def editable_by(self, user: AnyUser, part: "Part | None" = None) -> Self:
        """The projects of which the user may change `part` (any part, if none is named).

        Always within `visible_to(user)`; the rules are in `diaodu.projects.permissions`.
        """
        from diaodu.projects.permissions import editable_filter

        condition = editable_filter(user, part)
        return self.none() if condition is None else self.filter(condition)

    def with_plan_for(self, year: int) -> Self:
        """Annotate `annual_planned` with the year's planned investment (one subquery)."""
        plan = AnnualPlan.objects.filter(project=models.OuterRef("pk"), year=year)
        return self.annotate(
            annual_planned=models.Subquery(plan.order_by().values("planned_investment")[:1])
        )

    def for_ledger(self, year: int) -> Self:
        """What a ledger row shows: relations in one query each, the year's programmes only."""
        return (
            self.with_plan_for(year)
            .select_related("region", "owner", "lead_unit")
            .prefetch_related(
                models.Prefetch("programs", queryset=Program.objects.filter(year=year)),
                "leaders",
            )
        )


class Project(models.Model):
    """A key project (重点项目): a capital project the government schedules closely."""

    name = models.CharField(_("project name"), max_length=200)
    national_code = models.CharField(
        _("project code"),
        max_length=24,
        blank=True,
        validators=[validate_national_code],
        help_text=_("The code from the national investment project online approval platform."),
    )
    scope = models.TextField(
        _("construction scope"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.INDUSTRY
    )
    tags = models.JSONField(
        _("tags"),
        default=list,
        db_default=[],  # rows written without it (bulk loads, older code) have none
        blank=True,
        validators=[validate_tags],
        help_text=_("Short words beside the category, such as 数字经济."),
    )
    programs = models.ManyToManyField(
        Program, verbose_name=_("programmes"), related_name="projects", blank=True
    )
    region = models.ForeignKey(
        Unit,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_in_region",
        limit_choices_to={"kind": UnitKind.REGION},
        help_text=_("Empty for a city-level project spanning several regions."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    owner = models.ForeignKey(
        Unit,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
        db_index=False,  # project_owner below leads with it
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    responsible_units = models.ManyToManyField(
        Unit, verbose_name=_("responsible units"), related_name="responsible_for", blank=True
    )
    leaders = models.ManyToManyField(
        Leader, verbose_name=_("leaders in charge"), related_name="projects", blank=True
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARATION
    )
    planned_start = models.DateField(
        _("planned start"), null=True, blank=True, validators=[validate_year]
    )
    planned_completion = models.DateField(
        _("planned completion"), null=True, blank=True, validators=[validate_year]
    )
    actual_start = models.DateField(
        _("actual start"), null=True, blank=True, validators=[validate_year]
    )
    actual_completion = models.DateField(
        _("actual completion"), null=True, blank=True, validators=[validate_year]
    )
    total_investment = money_field(_("total investment (10k yuan)"))
    light = models.CharField(
        _("warning"),
        max_length=10,
        choices=Light.choices,
        default=Light.GREEN,
        db_index=True,
        editable=False,
    )
    light_reasons = models.JSONField(
        _("reasons for the warning"), default=list, blank=True, editable=False
    )
    light_computed_at = models.DateTimeField(
        _("warning computed at"), null=True, blank=True, editable=False
    )
    # The forecast of a project under construction (monitoring.forecast), stored with its light
    # by monitoring.lights.refresh_lights, so that the ledger sorts and filters by it and the
    # dashboard counts the projects forecast late without computing every forecast while
    # someone waits. Empty for a project not under construction or with no forecast.
    forecast_spi = models.DecimalField(
        _("schedule performance index"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    forecast_finish = models.DateField(_("forecast finish"), null=True, blank=True, editable=False)
    forecast_late_days = models.IntegerField(
        _("days forecast after the planned completion"), null=True, blank=True, editable=False
    )
    contact_person = models.CharField(
        _("contact person"), max_length=50, blank=True, default="", db_default=""
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, default="", db_default=""
    )
    stats_registered = models.BooleanField(_("registered in statistics"), default=False)
    stats_registered_on = models.DateField(
        _("registered in statistics on"), null=True, blank=True, validators=[validate_year]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        # Projects by region (city-level ones last on every database), then by name.
        ordering = [models.F("region__sort_order").asc(nulls_last=True), "name", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                fields=["national_code"],
                condition=~Q(national_code=""),
                name="unique_national_code",
                violation_error_message=_("Another project already has this project code."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__gte=0),
                name="project_investment_not_negative",
                violation_error_message=_("Total investment cannot be negative."),
            ),
        ]
        indexes = [
            # The ledger filtered by region and stage.
            models.Index(fields=["region", "stage"], name="project_region_stage"),
            # The ledger's default order: a region's projects by name.
            models.Index(fields=["region", "name", "id"], name="project_region_name"),
            # An owner's projects: its filing page counts and sorts them (region, name) from the
            # index alone on PostgreSQL, an owner of 20,000 projects in 20 ms instead of 80.
            models.Index(fields=["owner", "id"], include=["region", "name"], name="project_owner"),
            # A department's projects as lead unit; the dashboard's count by lead unit and light.
            models.Index(fields=["lead_unit", "light"], name="project_lead_unit_light"),
            # The dashboard's figures by region, from the index alone.
            models.Index(
                fields=["region", "light", "total_investment"], name="project_region_figures"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.national_code:
            try:
                self.national_code = check_national_code(self.national_code).code
            except ValidationError as error:
                errors["national_code"] = error
        pairs = [
            ("planned_start", "planned_completion", _("Planned completion is before the start.")),
            ("actual_start", "actual_completion", _("Actual completion is before the start.")),
        ]
        for start, end, message in pairs:
            if (
                getattr(self, start)
                and getattr(self, end)
                and getattr(self, end) < getattr(self, start)
            ):
                errors[end] = message
        if self.stats_registered_on and not self.stats_registered:
            self.stats_registered = True
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if errors:
            raise ValidationError(errors)

    @property
    def national_code_warnings(self) -> list[str]:
        if not self.national_code:
            return []
        try:
            return check_national_code(self.national_code).warnings
        except ValidationError:
            return []

    @property
    def stage_colour(self) -> str:
        return STAGE_COLOURS.get(self.stage, "secondary")


class AnnualPlan(models.Model):
    """A project's plan for one year: planned investment, its monthly breakdown, target tasks."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="annual_plans"
    )
    year = models.PositiveIntegerField(_("year"), validators=[validate_year])
    planned_investment = money_field(_("planned investment (10k yuan)"))
    targets = models.TextField(
        _("target tasks"), blank=True, max_length=TEXT, validators=[MaxChars(TEXT)]
    )

    class Meta:
        ordering = ["project", "-year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="one_plan_per_project_year",
                violation_error_message=_("This project already has a plan for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"

    def months_total(self) -> Decimal:
        return sum((m.planned_investment for m in self.months.all()), ZERO)


class PlanMonth(models.Model):
    """The planned investment of one month of an annual plan.

    A quarterly plan uses months 3, 6, 9 and 12.
    """

    plan = models.ForeignKey(
        AnnualPlan, verbose_name=_("annual plan"), on_delete=models.CASCADE, related_name="months"
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    planned_investment = money_field(_("planned investment (10k yuan)"))

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        indexes = [
            # The dashboard's planned curve: amounts by month, from the index alone.
            models.Index(fields=["plan", "month", "planned_investment"], name="plan_month_amount"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "month"],
                name="one_amount_per_plan_month",
                violation_error_message=_("This month already has a planned amount."),
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12),
                name="plan_month_in_range",
                violation_error_message=_("The month must be between 1 and 12."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.month}"

    @property
    def project(self) -> "Project":
        return self.plan.project


class Milestone(models.Model):
    """A dated checkpoint of a project (时间节点); the baseline keeps the first planned date."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("name"), max_length=200)
    planned_date = models.DateField(_("planned date"), validators=[validate_year])
    baseline_date = models.DateField(
        _("baseline date"), null=True, blank=True, validators=[validate_year]
    )
    actual_date = models.DateField(
        _("actual date"), null=True, blank=True, validators=[validate_year]
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    evidence = models.FileField(
        _("evidence"),
        upload_to=Unguessable("milestones"),
        blank=True,
        db_default="",
        help_text=_("A photo or document showing the milestone was met."),
    )

    class Meta:
        ordering = ["project", "planned_date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [
            # Overdue milestones: not done, planned date passed.
            models.Index(fields=["planned_date", "actual_date"], name="milestone_due"),
        ]

    def __str__(self) -> str:
        return f"{self.project}：{self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.baseline_date is None:
            self.baseline_date = self.planned_date
        super().save(*args, **kwargs)

    def state(self, today: date | None = None) -> MilestoneState:
        today = today or timezone.localdate()
        if self.actual_date:
            return (
                MilestoneState.DONE
                if self.actual_date <= self.planned_date
                else (MilestoneState.DONE_LATE)
            )
        return MilestoneState.OVERDUE if self.planned_date < today else MilestoneState.PENDING

    def get_state_display(self) -> str:
        return str(MilestoneState(self.state()).label)

    @property
    def state_colour(self) -> str:
        return MILESTONE_STATE_COLOURS[self.state()]


class ApprovalQuerySet(models.QuerySet["Approval"]):
    def visible_to(self, user: AnyUser) -> Self:
        """The approvals a user may see: those of the projects they see, and for a department
        also its own queue (the approvals it is responsible for, on whatever project)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        of_projects = Q(project__in=Project.objects.visible_to(user).values("pk"))
        if user.role == Role.DEPARTMENT and user.unit_id is not None:
            return self.filter(of_projects | Q(responsible_department_id=user.unit_id))
        return self.filter(of_projects)

    def editable_by(self, user: AnyUser) -> Self:
        """Headquarters changes every approval; a department those it is responsible for (the
        fields each may change are in diaodu.projects.approvals)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_headquarters:
            return self
        if user.role == Role.DEPARTMENT and user.unit_id is not None:
            return self.filter(responsible_department_id=user.unit_id)
        return self.none()

    def running(self) -> Self:
        """Approvals whose clock runs: in progress, with a 受理 date and a time limit."""
        return self.filter(
            status=ApprovalStatus.IN_PROGRESS,
            applied_on__isnull=False,
            time_limit_days__isnull=False,
        )


class Approval(models.Model):
    """A preliminary approval (前期手续) a project needs before it may start.

    Its department accepts the application (受理, `applied_on`) and has a legal time limit in
    working days to decide; `due_on` is the last working day of it (kept by `save()`), and
    `timing` says how many are used and left today (diaodu.projects.approval_timing).
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="approvals"
    )
    kind = models.CharField(_("approval"), max_length=30, choices=ApprovalKind.choices)
    responsible_department = models.ForeignKey(
        Unit,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.NOT_STARTED,
    )
    time_limit_days = models.PositiveIntegerField(
        _("time limit (working days)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, message=_("A time limit is at least one working day.")),
            MaxValueValidator(250, message=_("A time limit is at most 250 working days.")),
        ],
        help_text=_("The legal time limit to decide, in working days after acceptance."),
    )
    planned_date = models.DateField(
        _("planned date"), null=True, blank=True, validators=[validate_year]
    )
    applied_on = models.DateField(
        _("accepted on"),
        null=True,
        blank=True,
        help_text=_("The day the department accepted the application (受理)."),
        validators=[validate_year],
    )
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, validators=[validate_year]
    )
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=Unguessable("approvals"),
        blank=True,
        db_default="",
        help_text=_("The approval document, scanned."),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True, editable=False)
    # The light its department was last told of (yellow or red); empty since it was green.
    notified_light = models.CharField(
        _("warning notified"),
        max_length=10,
        choices=Light.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [
            # /approvals/ and the daily reminders: approvals in progress by due date.
            models.Index(fields=["status", "due_on"], name="approval_status_due"),
            # A department's queue: its approvals in progress by due date.
            models.Index(
                fields=["responsible_department", "status", "due_on"], name="approval_queue"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"],
                name="one_approval_per_kind",
                violation_error_message=_("This project already has this approval."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}：{self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.due_on = due_date(self.applied_on, self.time_limit_days)
        fields = kwargs.get("update_fields")
        if fields is not None and {"applied_on", "time_limit_days"} & set(fields):
            kwargs["update_fields"] = {*fields, "due_on"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.status == ApprovalStatus.DONE and not self.completed_on:
            raise ValidationError({"completed_on": _("Give the date an approval was completed.")})
        if self.completed_on and self.applied_on and self.completed_on < self.applied_on:
            raise ValidationError(
                {"completed_on": _("An approval cannot be completed before it was applied for.")}
            )
        if self.completed_on and self.status != ApprovalStatus.DONE:
            raise ValidationError(
                {"status": _("Mark the approval done, or clear its completion date.")}
            )
        if self.applied_on and self.status == ApprovalStatus.NOT_STARTED:
            raise ValidationError(
                {"status": _("An approval accepted on a date has started: set its status.")}
            )

    @property
    def status_colour(self) -> str:
        return APPROVAL_STATUS_COLOURS.get(self.status, "secondary")

    @cached_property
    def timing(self) -> Timing | None:
        """Working days used and left of the time limit today; None unless in progress."""
        return timing_of(self)


class FundingLine(models.Model):
    """One source of a project's funding: planned, secured (已落实) and disbursed (已到位)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="funding_lines"
    )
    source = models.CharField(_("funding source"), max_length=30, choices=FundingSource.choices)
    planned = money_field(_("planned (10k yuan)"))
    secured = money_field(_("secured (10k yuan)"))
    disbursed = money_field(_("disbursed (10k yuan)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "source"],
                name="one_funding_line_per_source",
                violation_error_message=_("This project already has a line for this source."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}：{self.get_source_display()}"

    def clean(self) -> None:
        if (
            self.disbursed is not None
            and self.secured is not None
            and (self.disbursed > self.secured)
        ):
            raise ValidationError(
                {"disbursed": _("More cannot be disbursed than has been secured.")}
            )
