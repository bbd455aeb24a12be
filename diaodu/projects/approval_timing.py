"""An approval's clock (联审联批): working days used and left of its legal time limit.

An approval's clock runs while it is in progress, from the day after its 受理 (acceptance) date,
in working days (diaodu.core.workdays: 节假日 and 调休 counted). Its due date is the last working
day of the limit. It is green while more than DIAODU_APPROVAL_WARNING_DAYS working days are left,
yellow from then to the due date, and red once a working day has passed beyond it.

`timing()` answers for one approval in Python (no query); `light_q()` selects the same lights in
SQL from the stored due date (`Approval.due_on`), for the list's filters and the daily reminders.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core import workdays
from diaodu.core.choices import Light
from diaodu.projects.choices import ApprovalKind, ApprovalStatus

# The limits a new approval starts with, in working days, from the national rules (each city
# usually shortens them, and headquarters sets each approval's own): 企业投资项目核准 20,
# 政府投资项目可研 20, 用地预审 20, 规划许可 20, 环评报告表 30, 节能审查 20, 水土保持 20,
# 施工图审查 20, 施工许可 7.
DEFAULT_TIME_LIMITS = {
    ApprovalKind.PROJECT_APPROVAL: 20,
    ApprovalKind.FEASIBILITY: 20,
    ApprovalKind.LAND_PRE_REVIEW: 20,
    ApprovalKind.LAND_USE_PERMIT: 20,
    ApprovalKind.LAND_GRANT: 30,
    ApprovalKind.BUILDING_PLAN_PERMIT: 20,
    ApprovalKind.ENVIRONMENTAL: 30,
    ApprovalKind.ENERGY: 20,
    ApprovalKind.SOIL_WATER: 20,
    ApprovalKind.DRAWING_REVIEW: 20,
    ApprovalKind.CONSTRUCTION_PERMIT: 7,
}


def default_time_limit(kind) -> int | None:
    return DEFAULT_TIME_LIMITS.get(kind)


def due_date(applied_on: date | None, limit: int | None) -> date | None:
    """The last working day of the limit, counted from the day after acceptance."""
    if applied_on is None or limit is None:
        return None
    return workdays.add_working_days(applied_on, limit)


@dataclass(frozen=True)
class Timing:
    """Where an approval stands against its limit on a day."""

    applied_on: date
    limit: int
    due_on: date
    used: int
    light: str
    # A year on the way is not yet in the holiday table: counted Monday to Friday.
    estimated: bool

    @property
    def left(self) -> int:
        """Working days left (0 on the due date); negative once past it."""
        return self.limit - self.used

    @property
    def over(self) -> int:
        return max(0, -self.left)

    @property
    def reason(self) -> str:
        """The light in words, without the approval's name: "超过时限3个工作日（应于…前办结）"."""
        values = {"over": self.over, "left": self.left, "limit": self.limit, "due": self.due_on}
        if self.light == Light.RED:
            return _("%(over)d working days past its limit of %(limit)d (due %(due)s).") % values
        return _("%(left)d of %(limit)d working days left (due %(due)s).") % values

    def describe(self, kind_label, department) -> str:
        """The reason with the approval's name and department, for a project's light."""
        values = {
            "approval": kind_label,
            "department": department or "—",
            "over": self.over,
            "left": self.left,
        }
        if self.light == Light.RED:
            return _("%(approval)s (%(department)s) %(over)d working days over") % values
        return _("%(approval)s (%(department)s) %(left)d working days left") % values


def timing(applied_on: date | None, limit: int | None, today: date | None = None) -> Timing | None:
    """The Timing of an approval accepted on `applied_on` with `limit` working days, or None."""
    if applied_on is None or limit is None:
        return None
    today = today or timezone.localdate()
    due_on = workdays.add_working_days(applied_on, limit)
    used = max(0, workdays.working_days_between(applied_on, today))
    left = limit - used
    if left < 0:
        light = Light.RED
    elif left <= settings.DIAODU_APPROVAL_WARNING_DAYS:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    estimated = not all(
        workdays.covers(year) for year in range(applied_on.year, max(due_on, today).year + 1)
    )
    return Timing(applied_on, limit, due_on, used, light, estimated)


def timing_of(approval, today: date | None = None) -> Timing | None:
    """The Timing of an approval whose clock runs (in progress), else None."""
    if approval.status != ApprovalStatus.IN_PROGRESS:
        return None
    return timing(approval.applied_on, approval.time_limit_days, today)


def light_q(light: str, today: date | None = None) -> Q:
    """The approvals of a light today, in SQL (from the stored due date); only running clocks.

    Red: a working day has passed beyond the due date, i.e. the due date is before the latest
    working day. Yellow: due between that day and DIAODU_APPROVAL_WARNING_DAYS working days after.
    """
    today = today or timezone.localdate()
    latest = workdays.latest_working_day(today)
    warning_from = workdays.add_working_days(latest, settings.DIAODU_APPROVAL_WARNING_DAYS)
    running = Q(
        status=ApprovalStatus.IN_PROGRESS,
        applied_on__isnull=False,
        time_limit_days__isnull=False,
        due_on__isnull=False,
    )
    if light == Light.RED:
        return running & Q(due_on__lt=latest)
    if light == Light.YELLOW:
        return running & Q(due_on__gte=latest, due_on__lte=warning_from)
    return running & Q(due_on__gt=warning_from)
