"""Enumerations of the assessment: indicators, how they score, the periods ranked."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Group(models.TextChoices):
    """Units ranked against each other: a district and a department are not comparable."""

    REGION = "region", _("Regions")
    DEPARTMENT = "department", _("Departments")


class Indicator(models.TextChoices):
    """What is measured of a unit in a period, computed from the data, never typed."""

    INVESTMENT_RATE = "investment_rate", _("Investment against the annual plan (%)")
    SCHEDULE_RATE = "schedule_rate", _("Investment against the pro-rated plan (%)")
    START_RATE = "start_rate", _("New projects started (%)")
    MILESTONE_RATE = "milestone_rate", _("Milestones met on time (%)")
    PROBLEMS_ON_TIME = "problems_on_time", _("Problems solved on time")
    PROBLEMS_LATE = "problems_late", _("Problems solved late")
    PROBLEMS_OVERDUE = "problems_overdue", _("Problems overdue")
    TASKS_ON_TIME = "tasks_on_time", _("Tasks done on time")
    TASKS_LATE = "tasks_late", _("Tasks done late")
    TASKS_OVERDUE = "tasks_overdue", _("Tasks overdue")
    CLOSURE_RATE = "closure_rate", _("Problems and tasks solved on time (%)")
    REPORTS_ON_TIME = "reports_on_time", _("Reports on time")
    REPORTS_LATE = "reports_late", _("Reports late")
    REPORTS_MISSING = "reports_missing", _("Reports missing")
    REPORTING_RATE = "reporting_rate", _("Reports on time (%)")
    INSPECTIONS = "inspections", _("Inspections")
    INSPECTION_FINDINGS = "inspection_findings", _("Inspections that found fault")
    APPROVALS_RED = "approvals_red", _("Approvals past their time limit (red)")
    APPROVALS_YELLOW = "approvals_yellow", _("Approvals near their time limit (yellow)")


# Indicators that are percentages; the others are counts.
RATES = frozenset(
    {
        Indicator.INVESTMENT_RATE,
        Indicator.SCHEDULE_RATE,
        Indicator.START_RATE,
        Indicator.MILESTONE_RATE,
        Indicator.CLOSURE_RATE,
        Indicator.REPORTING_RATE,
    }
)
# Indicators where less is better (for tie-breaks).
LOWER_IS_BETTER = frozenset(
    {
        Indicator.PROBLEMS_LATE,
        Indicator.PROBLEMS_OVERDUE,
        Indicator.TASKS_LATE,
        Indicator.TASKS_OVERDUE,
        Indicator.REPORTS_LATE,
        Indicator.REPORTS_MISSING,
        Indicator.INSPECTION_FINDINGS,
        Indicator.APPROVALS_RED,
        Indicator.APPROVALS_YELLOW,
    }
)


class Method(models.TextChoices):
    """How an indicator's value becomes points."""

    RATIO = "ratio", _("Share of the full points (rates)")
    PER_ITEM = "per_item", _("Points per item, capped (counts)")


class WhenMissing(models.TextChoices):
    """What a rate earns when there is nothing to measure (no plan, nothing due)."""

    FULL = "full", _("Full points")
    ZERO = "zero", _("No points")


class Standing(models.TextChoices):
    TOP = "top", _("Praised")
    MIDDLE = "middle", _("Middle")
    BOTTOM = "bottom", _("To be summoned")


STANDING_COLOURS: dict[str, str] = {
    Standing.TOP: "green",
    Standing.MIDDLE: "secondary",
    Standing.BOTTOM: "red",
}
