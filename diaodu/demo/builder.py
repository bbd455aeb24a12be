"""Builds the demo city deterministically, dated relative to today.

The same date gives the same city: every random choice comes from one seeded generator and
the catalog is walked in order. Children of projects are bulk-created; a project's creation and
a few later edits by headquarters are recorded so that the history on a project page is real.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.history import record
from diaodu.core.models import Action
from diaodu.core.services import do_save
from diaodu.core.workdays import latest_working_day, working_days_between
from diaodu.demo import catalog
from diaodu.org.choices import LeaderLevel, Role, UnitKind
from diaodu.org.models import Leader, Unit, User
from diaodu.projects import schedule
from diaodu.projects.approval_timing import due_date
from diaodu.projects.choices import ApprovalKind, ApprovalStatus, FundingSource, Stage
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Program,
    Project,
)
from diaodu.projects.national_code import iso7064_mod11_10

SEED = 20220511
PASSWORD = "diaodu-demo"
CENT = Decimal("0.01")
# Administrative division codes of the city's districts and counties, for project codes.
DIVISIONS = {
    "jiefang": "410802",
    "zhongzhan": "410803",
    "macun": "410804",
    "shanyang": "410811",
    "xiuwu": "410821",
    "boai": "410822",
    "wuzhi": "410823",
    "wenxian": "410825",
    "qinyang": "410882",
    "mengzhou": "410883",
    "gaoxin": "410871",
    "shifan": "410872",
}
# Share of a year's investment planned for each month: slow in winter and at the Spring Festival.
MONTH_WEIGHTS = [4, 4, 8, 9, 10, 10, 10, 9, 10, 10, 9, 7]
APPROVAL_DEPARTMENTS = {
    ApprovalKind.PROJECT_APPROVAL: "fagai",
    ApprovalKind.FEASIBILITY: "fagai",
    ApprovalKind.LAND_PRE_REVIEW: "ziran",
    ApprovalKind.LAND_USE_PERMIT: "ziran",
    ApprovalKind.LAND_GRANT: "ziran",
    ApprovalKind.BUILDING_PLAN_PERMIT: "ziran",
    ApprovalKind.ENVIRONMENTAL: "shengtai",
    ApprovalKind.ENERGY: "fagai",
    ApprovalKind.SOIL_WATER: "shuili",
    ApprovalKind.DRAWING_REVIEW: "zhujian",
    ApprovalKind.CONSTRUCTION_PERMIT: "zhujian",
}
# A highway's design review and construction permit are the transport bureau's (交通运输局).
TRANSPORT_APPROVALS = {ApprovalKind.DRAWING_REVIEW, ApprovalKind.CONSTRUCTION_PERMIT}
# The milestones of backward scheduling (projects.schedule) that an approval completes.
MILESTONE_APPROVALS = {
    "完成立项备案": ApprovalKind.PROJECT_APPROVAL,
    "完成立项批复": ApprovalKind.PROJECT_APPROVAL,
    "完成可研批复": ApprovalKind.FEASIBILITY,
    "取得用地预审与选址意见": ApprovalKind.LAND_PRE_REVIEW,
    "取得用地预审与选址意见书": ApprovalKind.LAND_PRE_REVIEW,
    "取得建设用地规划许可证": ApprovalKind.LAND_USE_PERMIT,
    "完成环评批复": ApprovalKind.ENVIRONMENTAL,
    "取得建设工程规划许可证": ApprovalKind.BUILDING_PLAN_PERMIT,
    "完成施工图审查": ApprovalKind.DRAWING_REVIEW,
    "取得施工许可证": ApprovalKind.CONSTRUCTION_PERMIT,
}
ACCOUNTS = [
    # username, role, unit code, surname, given name, what they show
    ("admin", None, "hq", "系统", "管理员", _("superuser")),
    ("hq", Role.HEADQUARTERS, "hq", "李", "晓红", _("headquarters: sees and schedules everything")),
    ("leader", Role.LEADER, None, "王", "建国", _("city leader in charge of projects")),
    ("jiefang", Role.REGION, "jiefang", "赵", "磊", _("region 解放区")),
    ("gaoxin", Role.REGION, "gaoxin", "刘", "洋", _("region 高新区")),
    ("jiaotong", Role.DEPARTMENT, "jiaotong", "张", "伟", _("department 交通运输局")),
    ("owner", Role.OWNER, "touzi", "陈", "静", _("owner 市投资集团, several projects")),
    ("inspector", Role.INSPECTOR, "ducha", "黄", "海", _("inspector 督查局")),
]


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


@dataclass
class DemoCity:
    projects: int
    units: int
    users: list[tuple[str, str]]


class Builder:
    def __init__(self, today: date | None = None):
        self.today = today or timezone.localdate()
        self.year = self.today.year
        self.rng = random.Random(SEED)
        self.units: dict[str, Unit] = {}

    # -- organisation ----------------------------------------------------------------------

    def build_units(self):
        order = 0

        def add(entry, kind, parent=None):
            nonlocal order
            order += 1
            unit = Unit.objects.create(
                name=entry["name"],
                short_name=entry.get("short_name", ""),
                code=entry["code"],
                kind=kind,
                parent=parent,
                aliases=entry.get("aliases", []),
                latitude=money(entry["lat"]) if "lat" in entry else None,
                longitude=money(entry["lng"]) if "lng" in entry else None,
                sort_order=order,
            )
            self.units[unit.code] = unit
            return unit

        add(catalog.HEADQUARTERS, UnitKind.HEADQUARTERS)
        add(catalog.INSPECTORATE, UnitKind.INSPECTORATE)
        for region in catalog.REGIONS:
            parent = add(region, UnitKind.REGION)
            for i, street in enumerate(region.get("streets", []), start=1):
                add(
                    {
                        "name": f"{region['name']}{street}",
                        "short_name": street,
                        "code": f"{region['code']}-{i}",
                    },
                    UnitKind.REGION,
                    parent,
                )
        for entry in catalog.DEPARTMENTS:
            add(entry, UnitKind.DEPARTMENT)
        for entry in catalog.ENTERPRISES:
            add(entry, UnitKind.ENTERPRISE)

    def build_leaders(self):
        self.leaders = [
            Leader.objects.create(
                name=entry["name"],
                title=entry["title"],
                level=LeaderLevel(entry["level"]),
                unit=self.units.get(entry.get("region") or ""),
                sort_order=i,
            )
            for i, entry in enumerate(catalog.LEADERS)
        ]

    def build_programs(self):
        self.programs: dict[tuple[str, int], Program] = {}
        for year in (self.year - 1, self.year):
            for entry in catalog.PROGRAMS:
                program = Program.objects.create(
                    name=entry["name"],
                    code=entry["code"],
                    year=year,
                    level=entry["level"],
                    cadence=entry["cadence"],
                    batch=entry.get("batch"),
                )
                self.programs[(entry["code"], year)] = program

    def build_users(self):
        group, _created = Group.objects.get_or_create(name="指挥部办公室")
        group.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["org", "projects"])
        )
        self.users = {}
        for username, role, unit_code, last, first, _what in ACCOUNTS:
            user = User(
                username=username,
                role=role or "",
                unit=self.units.get(unit_code or ""),
                last_name=last,
                first_name=first,
                is_staff=username in {"admin", "hq"},
                is_superuser=username == "admin",
                # Everyone knows the demo password: in production it must change at sign-in.
                must_change_password=settings.DIAODU_DEMO_PASSWORD_MUST_CHANGE,
            )
            user.set_password(PASSWORD)
            user.save()
            if username == "hq":
                user.groups.add(group)
            self.users[username] = user
        leader = self.leaders[0]
        leader.user = self.users["leader"]
        leader.save(update_fields=["user"])

    # -- projects --------------------------------------------------------------------------

    def _dates(self, entry):
        """Planned and actual start and completion for a project's stage, relative to today."""
        rng, year = self.rng, self.year
        years = entry.get("years", 2)
        stage = entry["stage"]
        if stage == Stage.RESERVE:
            planned_start = month_start(year + 1, rng.randint(1, 9))
        elif stage == Stage.PREPARATION:
            planned_start = month_start(year, rng.randint(self.today.month, self.today.month + 6))
        elif stage == Stage.NEW:
            planned_start = month_start(year, rng.randint(1, 11))
        elif stage == Stage.CONTINUING:
            planned_start = month_start(
                year - rng.randint(1, max(1, years - 1)), rng.randint(2, 10)
            )
        else:  # completed, operating
            planned_start = month_start(
                year - years - (stage == Stage.OPERATING), rng.randint(2, 8)
            )
        planned_completion = planned_start + timedelta(days=365 * years - 1)
        if stage == Stage.CONTINUING and planned_completion <= self.today:
            planned_completion = month_start(year + 1, rng.randint(3, 12)) - timedelta(days=1)
        actual_start = actual_completion = None
        if stage in {Stage.CONTINUING, Stage.COMPLETED, Stage.OPERATING}:
            actual_start = planned_start + timedelta(days=rng.randint(-10, 40))
        elif stage == Stage.NEW and planned_start <= self.today and rng.random() < 0.75:
            actual_start = min(planned_start + timedelta(days=rng.randint(0, 45)), self.today)
        if stage in {Stage.COMPLETED, Stage.OPERATING}:
            actual_completion = min(
                planned_completion + timedelta(days=rng.randint(-30, 60)),
                self.today - timedelta(days=20),
            )
            if stage == Stage.COMPLETED and actual_completion.year < year:
                actual_completion = month_start(year, max(1, self.today.month - 2))
        return planned_start, planned_completion, actual_start, actual_completion

    def _national_code(self, entry, planned_start, index):
        if entry["stage"] == Stage.RESERVE or self.rng.random() < 0.15:
            return ""
        approved = planned_start - timedelta(days=self.rng.randint(90, 400))
        head = f"{approved.year % 100:02d}{approved.month:02d}"
        division = DIVISIONS.get(entry["region"] or "", "410800")
        department = self.rng.choice(["04", "05", "48", "55"])
        kind = "01" if index % 3 else "02"
        body = f"{head}{division}{department}{kind}"
        serial = f"{self.rng.randint(10000, 99999)}"
        digits = body + serial
        check = iso7064_mod11_10(digits)
        if index == 7:  # one code copied with a wrong last digit, as happens with paper forms
            check = (check + 1) % 10
        return f"{head}-{division}-{body[10:12]}-{body[12:14]}-{serial}{check}"

    def _location(self, entry):
        region = next((r for r in catalog.REGIONS if r["code"] == entry["region"]), None)
        lat, lng = (region["lat"], region["lng"]) if region else (35.215, 113.24)
        spread = 0.035 if region else 0.12
        return (
            Decimal(str(round(lat + self.rng.uniform(-spread, spread), 6))),
            Decimal(str(round(lng + self.rng.uniform(-spread, spread), 6))),
        )

    def build_projects(self):
        self.projects = []
        for index, entry in enumerate(catalog.PROJECTS):
            planned_start, planned_completion, actual_start, actual_completion = self._dates(entry)
            latitude, longitude = self._location(entry)
            region = self.units.get(entry["region"] or "")
            started = actual_start is not None
            project = Project.objects.create(
                name=entry["name"],
                national_code=self._national_code(entry, planned_start, index),
                scope=entry["scope"],
                category=entry["category"],
                region=region,
                address=(region.name if region else "焦作市")
                + self.rng.choice(["人民路与", "建设路与", "丰收路与", "山阳路与", "迎宾路与"])
                + self.rng.choice(["塔南路交叉口", "民主路交叉口", "焦东路交叉口", "世纪路西侧"]),
                latitude=latitude,
                longitude=longitude,
                owner=self.units[entry["owner"]],
                lead_unit=self.units[entry["lead_unit"]],
                stage=entry["stage"],
                planned_start=planned_start,
                planned_completion=planned_completion,
                actual_start=actual_start,
                actual_completion=actual_completion,
                total_investment=money(entry["total_investment"]),
                stats_registered=started,
                stats_registered_on=(actual_start + timedelta(days=30)) if started else None,
            )
            project.responsible_units.set([self.units[c] for c in entry["responsible_units"]])
            project.leaders.set([self.leaders[i] for i in entry["leaders"]])
            years = {self.year}
            if planned_start.year < self.year:
                years.add(self.year - 1)
            project.programs.set(
                [self.programs[(code, y)] for code in entry["programs"] for y in sorted(years)]
            )
            record(None, project, Action.CREATE)
            self.projects.append((project, entry))

    def build_plans(self):
        plans, months = [], []
        for project, _entry in self.projects:
            if project.stage in {Stage.RESERVE, Stage.CANCELLED}:
                continue
            start = project.planned_start
            end = project.actual_completion or project.planned_completion
            years = max(1, end.year - start.year + 1)
            for year in (self.year - 1, self.year):
                if not start.year <= year <= end.year:
                    continue
                share = Decimal(self.rng.uniform(0.8, 1.2)) / years
                planned = money(min(project.total_investment * share, project.total_investment))
                plan = AnnualPlan(
                    project=project,
                    year=year,
                    planned_investment=planned,
                    targets=self._targets(project, year),
                )
                plans.append(plan)
        AnnualPlan.objects.bulk_create(plans)
        for plan in plans:
            first = (
                plan.project.planned_start.month
                if plan.project.planned_start.year == plan.year
                else 1
            )
            weights = [w if m + 1 >= first else 0 for m, w in enumerate(MONTH_WEIGHTS)]
            total_weight = sum(weights)
            running = Decimal("0")
            active = [m for m, w in enumerate(weights, start=1) if w]
            for month, weight in enumerate(weights, start=1):
                if not weight:
                    continue
                if month == active[-1]:
                    amount = plan.planned_investment - running
                else:
                    amount = money(plan.planned_investment * weight / total_weight)
                running += amount
                months.append(PlanMonth(plan=plan, month=month, planned_investment=amount))
        PlanMonth.objects.bulk_create(months)

    def _targets(self, project, year):
        if project.stage == Stage.NEW and project.planned_start.year == year:
            return f"{project.planned_start.month}月底前开工建设，年底前完成年度投资计划。"
        if project.planned_completion.year == year:
            return "完成主体工程及附属设施，年底前竣工验收。"
        return "加快主体工程施工，确保完成年度投资计划和形象进度目标。"

    def build_milestones(self):
        milestones = []
        for project, entry in self.projects:
            kind = schedule.TEMPLATE_BY_CATEGORY.get(entry["category"], "building")
            template = schedule.TEMPLATES[kind]
            # Backward scheduling: the last node is the planned completion.
            dates, when = [], project.planned_completion
            for _name, days in reversed(template):
                dates.append(when)
                when -= timedelta(days=days)
            dates.reverse()
            start_index = next(
                (i for i, (name, _d) in enumerate(template) if name == "开工建设"), None
            )
            if start_index is not None:
                shift = project.planned_start - dates[start_index]
                dates = [d + shift if i <= start_index else d for i, d in enumerate(dates)]
            for (name, _days), planned in zip(template, dates, strict=True):
                actual = None
                if project.stage == Stage.RESERVE and planned < self.today:
                    continue  # a reserve project's schedule starts from now
                recent = (self.today - planned).days < 90
                if planned < self.today and project.stage != Stage.RESERVE:
                    roll = self.rng.random() if recent else self.rng.random() * 0.86
                    if roll < 0.8:
                        actual = planned - timedelta(days=self.rng.randint(0, 10))
                    elif roll < 0.86:
                        actual = min(planned + timedelta(days=self.rng.randint(5, 40)), self.today)
                if project.actual_completion and planned <= project.actual_completion:
                    actual = actual or planned
                milestones.append(
                    Milestone(
                        project=project,
                        name=name,
                        planned_date=planned,
                        baseline_date=planned,
                        actual_date=actual,
                        responsible_unit=project.owner,
                    )
                )
        Milestone.objects.bulk_create(milestones)

    def _accepted(self, clock, limit: int) -> date:
        """A 受理 date that leaves an approval in progress at a point of its clock: most with
        time left, some near the limit, a few past it."""
        used = round(clock.uniform(0, 1.15) * limit)
        accepted = self.today
        while working_days_between(accepted, self.today) < used:
            accepted -= timedelta(days=1)
        return latest_working_day(accepted)

    def build_approvals(self):
        """Approvals as the milestones say: an approval whose milestone (取得施工许可证 ...) is
        met is done on that day; one whose milestone is near or past is in progress; the
        others as the project's stage says. Clocks run in working days (approval_timing)."""
        approvals = []
        met, due = {}, {}
        for project_id, name, planned, actual in Milestone.objects.filter(
            name__in=MILESTONE_APPROVALS
        ).values_list("project_id", "name", "planned_date", "actual_date"):
            key = (project_id, MILESTONE_APPROVALS[name])
            met[key], due[key] = actual, planned
        # The clocks' own draws, so that the city's other draws stay as they were.
        clock = random.Random(SEED + 14)
        kinds = [
            ApprovalKind.PROJECT_APPROVAL,
            ApprovalKind.FEASIBILITY,
            ApprovalKind.LAND_PRE_REVIEW,
            ApprovalKind.LAND_USE_PERMIT,
            ApprovalKind.ENVIRONMENTAL,
            ApprovalKind.ENERGY,
            ApprovalKind.BUILDING_PLAN_PERMIT,
            ApprovalKind.DRAWING_REVIEW,
            ApprovalKind.CONSTRUCTION_PERMIT,
        ]
        for project, _entry in self.projects:
            started = project.actual_start is not None
            anchor = project.actual_start or project.planned_start
            for position, kind in enumerate(kinds):
                completed_on = applied_on = None
                number = ""
                if started or (project.stage == Stage.PREPARATION and position < 4):
                    status = ApprovalStatus.DONE
                    completed_on = min(
                        anchor - timedelta(days=15 * (len(kinds) - position)), self.today
                    )
                    applied_on = completed_on - timedelta(days=self.rng.randint(5, 25))
                    office = ["发改", "资规", "环审", "建"][position % 4]
                    serial = self.rng.randint(10, 299)
                    number = f"焦{office}〔{completed_on.year}〕{serial}号"
                elif project.stage in {Stage.PREPARATION, Stage.NEW} and position < 7:
                    status = ApprovalStatus.IN_PROGRESS
                    applied_on = self.today - timedelta(days=self.rng.randint(5, 60))
                elif kind == ApprovalKind.ENERGY and project.category in {
                    "education",
                    "livelihood",
                }:
                    status = ApprovalStatus.NOT_APPLICABLE
                else:
                    status = ApprovalStatus.NOT_STARTED
                # The city's promised limit (承诺时限), often shorter than the legal one.
                limit = self.rng.choice([5, 10, 15, 20])
                key = (project.pk, kind)
                if met.get(key):  # the milestone is met: the approval was done that day
                    status, completed_on = ApprovalStatus.DONE, met[key]
                    applied_on = completed_on
                    while working_days_between(applied_on, completed_on) < limit * 2 // 3:
                        applied_on -= timedelta(days=1)
                    applied_on = latest_working_day(applied_on)
                    office = ["发改", "资规", "环审", "建"][position % 4]
                    serial = 10 + (project.pk * 37 + position * 11) % 290
                    number = number or f"焦{office}〔{completed_on.year}〕{serial}号"
                elif key in due:  # not met: in progress when due within two months
                    soon = due[key] <= self.today + timedelta(days=60)
                    status = ApprovalStatus.IN_PROGRESS if soon else ApprovalStatus.NOT_STARTED
                    completed_on, number = None, ""
                    applied_on = self._accepted(clock, limit) if soon else None
                elif status == ApprovalStatus.IN_PROGRESS:
                    applied_on = self._accepted(clock, limit)
                department = APPROVAL_DEPARTMENTS[kind]
                if project.category == "transport" and kind in TRANSPORT_APPROVALS:
                    department = "jiaotong"  # highways: design review and permit by transport
                approvals.append(
                    Approval(
                        project=project,
                        kind=kind,
                        responsible_department=self.units[department],
                        status=status,
                        time_limit_days=limit,
                        planned_date=anchor - timedelta(days=10 * (len(kinds) - position)),
                        applied_on=applied_on,
                        completed_on=completed_on,
                        document_number=number,
                        due_on=due_date(applied_on, limit),
                    )
                )
        Approval.objects.bulk_create(approvals)

    def build_funding(self):
        lines = []
        public = {
            "transport",
            "water",
            "education",
            "health",
            "livelihood",
            "ecology",
            "urban_renewal",
            "infrastructure",
        }
        for project, entry in self.projects:
            if entry["category"] in public:
                mix = [
                    (FundingSource.SPECIAL_BOND, 0.4),
                    (FundingSource.LOCAL_FISCAL, 0.2),
                    (FundingSource.POLICY_LOAN, 0.25),
                    (FundingSource.CENTRAL_BUDGET, 0.15),
                ]
                if self.rng.random() < 0.3:
                    mix[-1] = (FundingSource.ULTRA_LONG_BOND, 0.15)
            else:
                mix = [
                    (FundingSource.SELF_RAISED, 0.55),
                    (FundingSource.BANK_LOAN, 0.35),
                    (FundingSource.PROVINCIAL, 0.10),
                ]
            progress = {
                Stage.RESERVE: 0.0,
                Stage.PREPARATION: 0.15,
                Stage.NEW: 0.4,
                Stage.CONTINUING: 0.7,
                Stage.COMPLETED: 1.0,
                Stage.OPERATING: 1.0,
            }
            level = progress.get(project.stage, 0.0)
            for source, share in mix:
                planned = money(project.total_investment * Decimal(share))
                secured = money(planned * Decimal(min(1.0, level + self.rng.uniform(0, 0.3))))
                disbursed = money(secured * Decimal(self.rng.uniform(0.5, 1.0) if level else 0))
                lines.append(
                    FundingLine(
                        project=project,
                        source=source,
                        planned=planned,
                        secured=secured,
                        disbursed=disbursed,
                    )
                )
        FundingLine.objects.bulk_create(lines)

    def record_some_edits(self):
        """A few edits by headquarters, so that a project's history shows real changes."""
        hq = self.users["hq"]
        for project, _entry in self.projects[:: max(1, len(self.projects) // 6)]:
            milestone = project.milestones.filter(actual_date__isnull=True).last()
            if milestone is not None:
                milestone.planned_date += timedelta(days=30)
                do_save(hq, milestone, reason="根据调度会意见顺延节点")
            project.total_investment = money(project.total_investment * Decimal("1.05"))
            do_save(hq, project, reason="概算调整")

    def build_reports(self):
        """A year of monthly reports, one per project and month: most approved, some late, some
        missing, some returned; the current updates of the weekly programmes opened."""
        from datetime import datetime, time

        from django.contrib.contenttypes.models import ContentType

        from diaodu.core.models import ChangeRecord
        from diaodu.reporting.calendar import periods_between
        from diaodu.reporting.choices import PeriodKind, ReportStatus
        from diaodu.reporting.models import ProgressReport, ReportingPeriod
        from diaodu.reporting.services import open_due_periods

        tz = timezone.get_current_timezone()
        first = month_start(self.today.year, self.today.month - 11)
        years = {year for (_code, year) in self.programs}
        periods = [
            ReportingPeriod(
                kind=PeriodKind.MONTHLY,
                start=dates.start,
                end=dates.end,
                due_date=dates.due_date,
                opened_at=datetime.combine(dates.start, time(8), tz),
                closed_at=None
                if dates.end >= self.today - timedelta(days=62)
                else datetime.combine(dates.end + timedelta(days=10), time(18), tz),
            )
            for dates in periods_between("monthly", first, self.today)
            if dates.start.year in years
        ]
        ReportingPeriod.objects.bulk_create(periods)
        open_due_periods(self.today)
        plans = {
            (plan.project_id, plan.year): {m.month: m.planned_investment for m in plan.months.all()}
            for plan in AnnualPlan.objects.prefetch_related("months")
        }
        # How each project keeps pace with its plan: most near it, a few far behind.
        pace = {
            project.pk: self.rng.choice([1.0, 1.05, 1.0, 0.98, 1.1, 1.02, 0.95, 0.85, 0.7, 0.5])
            for project, _entry in self.projects
        }
        users = self.users
        reports, returned = [], []
        # One monthly report per project in a programme of the month's year.
        by_year = {}
        for project, _entry in self.projects:
            for year in sorted({program.year for program in project.programs.all()}):
                by_year.setdefault(year, []).append(project)
        for period in sorted(periods, key=lambda p: p.start):
            current = period.end >= self.today
            for project in by_year.get(period.start.year, []):
                started = project.actual_start and project.actual_start <= period.end
                if project.stage in {Stage.RESERVE} or (
                    project.actual_completion and project.actual_completion < period.start
                ):
                    continue
                roll = self.rng.random()
                if roll < (0.35 if current else 0.03):
                    continue  # not reported
                planned = plans.get((project.pk, period.start.year), {}).get(period.start.month)
                invested = (
                    money(
                        (planned or 0)
                        * Decimal(pace[project.pk])
                        * Decimal(self.rng.uniform(0.8, 1.2))
                    )
                    if started
                    else money(0)
                )
                elapsed = 0
                if started:
                    span = max(1, (project.planned_completion - project.actual_start).days)
                    elapsed = min(
                        100, max(1, (period.end - project.actual_start).days * 100 // span)
                    )
                late = self.rng.random() < 0.12
                submitted_day = period.due_date + timedelta(
                    days=self.rng.randint(1, 6) if late else -self.rng.randint(0, 6)
                )
                status = ReportStatus.APPROVED
                if current:
                    status = self.rng.choice(
                        [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.SUBMITTED]
                    )
                    submitted_day = min(submitted_day, self.today)
                elif period.end >= self.today - timedelta(days=40) and self.rng.random() < 0.08:
                    status = ReportStatus.RETURNED
                submitted_at = (
                    datetime.combine(submitted_day, time(self.rng.randint(9, 17)), tz)
                    if status != ReportStatus.DRAFT
                    else None
                )
                report = ProgressReport(
                    project=project,
                    period=period,
                    status=status,
                    invested=invested,
                    physical_percent=Decimal(
                        min(100, int(elapsed * float(pace[project.pk]) * 0.95))
                    )
                    if started
                    else Decimal(0),
                    physical_progress=self._progress_text(project, started, elapsed),
                    workers=self.rng.randint(20, 400) if started else 0,
                    next_steps="按节点推进，确保完成下月投资计划。"
                    if started
                    else "加快办理前期手续，力争早日开工。",
                    problems="" if pace[project.pk] >= 0.75 else "资金到位滞后，影响施工进度。",
                    submitted_at=submitted_at,
                    submitted_by=users["owner"] if submitted_at else None,
                    reviewed_at=submitted_at + timedelta(days=2)
                    if status in {ReportStatus.APPROVED, ReportStatus.RETURNED}
                    else None,
                    return_reason="本期投资与形象进度不匹配，请核实后重新上报。"
                    if status == ReportStatus.RETURNED
                    else "",
                )
                reports.append(report)
                if status == ReportStatus.RETURNED:
                    returned.append(report)
        ProgressReport.objects.bulk_create(reports, batch_size=1000)
        content_type = ContentType.objects.get_for_model(ProgressReport)
        ChangeRecord.objects.bulk_create(
            [
                ChangeRecord(
                    content_type=content_type,
                    object_id=str(report.pk),
                    object_repr=str(report)[:200],
                    project=report.project,
                    action=Action.TRANSITION,
                    changes={"status": ["submitted", "returned"]},
                    reason=report.return_reason,
                    actor=users["jiefang"]
                    if report.project.region_id == self.units["jiefang"].pk
                    else users["hq"],
                )
                for report in returned
            ]
        )
        self.build_updates()

    def build_updates(self):
        """Last week's progress updates of the weekly and biweekly programmes, most filed;
        no investment in them, since investment is reported once a month."""
        from datetime import datetime, time

        from diaodu.reporting.calendar import period_containing
        from diaodu.reporting.choices import PeriodKind, ReportStatus
        from diaodu.reporting.models import ProgressReport, ReportingPeriod

        tz = timezone.get_current_timezone()
        reports = []
        for (_code, year), program in self.programs.items():
            if program.cadence == "monthly" or year != self.today.year:
                continue
            current = period_containing(program.cadence, self.today)
            dates = period_containing(program.cadence, current.start - timedelta(days=1))
            if dates.start.year != year:
                continue
            period = ReportingPeriod.objects.create(
                kind=PeriodKind.UPDATE,
                program=program,
                start=dates.start,
                end=dates.end,
                due_date=dates.due_date,
                opened_at=datetime.combine(dates.start, time(8), tz),
            )
            for project in program.projects.exclude(stage=Stage.RESERVE).order_by("pk"):
                if self.rng.random() < 0.2:
                    continue  # not reported
                submitted = datetime.combine(dates.due_date, time(self.rng.randint(9, 17)), tz)
                approved = self.rng.random() < 0.7
                reports.append(
                    ProgressReport(
                        project=project,
                        period=period,
                        status=ReportStatus.APPROVED if approved else ReportStatus.SUBMITTED,
                        physical_progress="按周计划推进，本周完成主体结构施工约一层。",
                        next_steps="下周继续推进主体施工，同步开展机电预埋。",
                        workers=self.rng.randint(20, 300),
                        submitted_at=submitted,
                        submitted_by=self.users["owner"],
                        reviewed_at=submitted + timedelta(days=1) if approved else None,
                    )
                )
        ProgressReport.objects.bulk_create(reports, batch_size=1000)

    def _progress_text(self, project, started, elapsed):
        if not started:
            return "正在办理前期手续，施工图设计已完成。"
        if elapsed < 30:
            return "场地平整完成，正在进行基础施工。"
        if elapsed < 70:
            return "主体结构施工中，累计完成工程量约" + str(elapsed) + "%。"
        return "主体完工，正在进行装饰装修及设备安装。"

    def build_problems_and_tasks(self):
        """Problems and tasks across the city: some overdue, some escalated, some verified."""
        from diaodu.problems import services as ps
        from diaodu.problems.choices import ProblemLevel, TaskSource

        users, rng, today = self.users, self.rng, self.today
        candidates = [
            (p, e)
            for p, e in self.projects
            if p.stage not in {Stage.RESERVE, Stage.COMPLETED, Stage.OPERATING}
        ]
        touzi = self.units["touzi"]
        for index, (project, _entry) in enumerate(candidates[:36]):
            template = catalog.PROBLEM_TEMPLATES[index % len(catalog.PROBLEM_TEMPLATES)]
            unit = self.units.get(template["unit"]) or project.lead_unit
            if index % 5 == 0 and project.region_id:
                unit = project.region
            raiser = users["owner"] if project.owner_id == touzi.pk else users["hq"]
            problem = ps.do_raise_problem(
                raiser,
                project,
                description=template["description"],
                category=template["category"],
                responsible_unit=unit,
                deadline=today + timedelta(days=rng.randint(-45, 40)),
                source=rng.choice(["report", "meeting", "inspection", "direct"]),
            )
            worker = (
                users["jiefang"]
                if unit.code == "jiefang"
                else (users["jiaotong"] if unit.code == "jiaotong" else users["hq"])
            )
            stage = index % 6
            if stage >= 1:
                ps.do_accept_problem(worker, problem)
            if stage >= 2:
                ps.do_add_problem_follow_up(
                    worker, problem, "已召开专题协调会，明确办理路径和时限。"
                )
            if stage in {2, 3} and index % 4 == 0:
                ps.do_escalate_problem(
                    users["hq"],
                    problem,
                    "涉及多个部门，单位层面难以协调解决。",
                    ProblemLevel.CITY_LEADER,
                )
            if stage >= 4:
                ps.do_report_problem_solved(worker, problem, "问题已解决，相关手续已办结。")
            if stage == 5:
                ps.do_verify_problem(users["inspector"], problem, "经实地核验，问题已解决。")
        # A problem a region escalates to the city leader in charge (王建国).
        mine = [p for p, _e in candidates if self.leaders[0] in p.leaders.all()]
        if mine:
            problem = ps.do_raise_problem(
                users["hq"],
                mine[0],
                description="项目用地涉及基本农田调整，需市级层面协调省自然资源厅。",
                category="land",
                responsible_unit=self.units["ziran"],
                deadline=today + timedelta(days=10),
                source="meeting",
            )
            ps.do_escalate_problem(
                users["hq"], problem, "需分包领导出面协调。", ProblemLevel.CITY_LEADER
            )
        contents = [
            "加快办理施工许可证，确保按期开工",
            "督促施工单位增加作业面和人员设备，确保完成年度投资计划",
            "完成项目征地拆迁扫尾工作",
            "落实专项债券资金拨付，保障工程款及时到位",
            "协调电力部门完成施工临时用电接入",
            "完成入库入统资料报送",
            "倒排工期，制定主体工程施工节点计划并报指挥部办公室备案",
            "对接市自然资源和规划局，完成用地预审手续",
        ]
        sources = [TaskSource.MEETING, TaskSource.INSTRUCTION, TaskSource.INSPECTION]
        for index, (project, _entry) in enumerate(candidates[5:45]):
            lead = project.lead_unit if index % 3 else (project.region or project.lead_unit)
            task = ps.do_assign_task(
                users["leader"] if index % 4 == 0 else users["hq"],
                content=contents[index % len(contents)],
                project=project,
                lead_unit=lead,
                responsible_units=[project.owner] if project.owner_id != lead.pk else [],
                deadline=today + timedelta(days=rng.randint(-30, 45)),
                source=sources[index % 3],
                supervision=["ordinary", "key", "leader"][index % 3],
            )
            worker = (
                users["jiefang"]
                if lead.code == "jiefang"
                else (users["jiaotong"] if lead.code == "jiaotong" else users["hq"])
            )
            stage = index % 5
            if stage >= 1:
                ps.do_accept_task(worker, task)
            if stage >= 2:
                ps.do_add_task_feedback(worker, task, "已制定工作方案，正在推进。")
            if stage >= 3:
                ps.do_report_task_done(worker, task, "已按要求完成。")
            if stage == 4:
                ps.do_verify_task(users["inspector"], task, "经核实已完成。")

    def build_inspections(self):
        """Inspectors' visits over the last three months, through the inspection service.

        Most find the report borne out; three see clearly less than was reported, one of them
        rated poor with a problem and a task raised on the spot; one project, overstated at
        first, is found put right when visited again (so it is no longer on the dashboard).
        """
        from diaodu.inspections import services as ins
        from diaodu.inspections.choices import Rating

        inspector, rng, today = self.users["inspector"], self.rng, self.today
        # (days ago, what the inspectors find); "revisit" goes back to the first overstated one.
        visits = [
            (84, "good"),
            (71, "overstated"),
            (58, "good"),
            (45, "ahead"),
            (33, "overstated"),
            (24, "good"),
            (19, "revisit"),
            (12, "overstated"),
            (5, "poor"),
        ]
        teams = ["黄海、周明", "黄海、李娜", "黄海、王强"]
        candidates = iter(
            p
            for p, _e in self.projects
            if p.stage == Stage.CONTINUING and p.actual_start is not None
        )

        def pct(value):
            return f"{value.normalize():f}"

        def claimed(project, day):
            """The progress the project's last report before the visit claims, if any."""
            report = ins.last_report(project, day)
            return report.physical_percent if report is not None else None

        revisit = None
        for number, (days, kind) in enumerate(visits):
            day = today - timedelta(days=days)
            if kind == "revisit":
                project = revisit
            else:  # the next project whose report claims enough to be checked
                project = next((p for p in candidates if (claimed(p, day) or 0) >= 30), None)
            if project is None:
                continue
            reported = claimed(project, day)
            problems, tasks = [], []
            if kind in {"good", "revisit"}:
                seen = reported - rng.choice([0, 1, 2, 3])
                rating = Rating.GOOD
                findings = (
                    f"现场察看，施工作业面全面展开，现场作业人员约{rng.randint(60, 300)}人，"
                    f"大型机械设备{rng.randint(4, 20)}台，形象进度与填报基本相符。"
                )
                if kind == "revisit":
                    findings = (
                        "复查：前次督查指出的问题已整改到位，现场施工恢复正常，"
                        "形象进度与填报基本相符。"
                    )
            elif kind == "ahead":
                seen, rating = min(Decimal(100), reported + 4), Rating.GOOD
                findings = "现场察看，项目实际进度略快于填报，要求建设单位及时如实填报。"
            elif kind == "overstated":
                seen, rating = max(Decimal(0), reported - rng.randint(14, 22)), Rating.FAIR
                findings = (
                    f"现场察看，形象进度与填报不符：填报形象进度{pct(reported)}%，"
                    f"现场核实约{pct(seen)}%，实际完成工程量明显少于填报；现场作业人员不足，"
                    "部分机械设备闲置。要求建设单位如实填报，倒排工期加快施工。"
                )
                if revisit is None:
                    revisit = project
            else:  # poor
                seen, rating = max(Decimal(0), reported - 25), Rating.POOR
                findings = (
                    "现场察看，项目现场基本处于停工状态，仅有少量人员进行场地清理，"
                    f"形象进度与填报严重不符（填报{pct(reported)}%，现场核实约{pct(seen)}%）。"
                )
                problems.append(
                    {
                        "description": "施工单位资金周转困难，农民工工资支付滞后，现场基本停工。",
                        "category": "funding",
                        "responsible_unit": project.owner,
                        "deadline": day + timedelta(days=15),
                    }
                )
                tasks.append(
                    {
                        "content": "督促建设单位落实建设资金，十日内全面复工，"
                        "并如实更正填报的形象进度",
                        "lead_unit": project.region or project.lead_unit,
                        "deadline": day + timedelta(days=10),
                    }
                )
            ins.do_record_inspection(
                inspector,
                project,
                date=day,
                inspectors=teams[number % len(teams)],
                findings=findings,
                rating=rating,
                verified_progress=f"现场核实形象进度约{pct(seen)}%。",
                verified_percent=seen,
                problems=problems,
                tasks=tasks,
                today=today,
            )

    def build_meetings(self):
        """Last month's scheduling meeting with the tasks it set, and this month's to come."""
        from diaodu.meetings import services as ms
        from diaodu.meetings.choices import MeetingKind, MeetingLevel
        from diaodu.problems import services as ps
        from diaodu.problems.choices import TaskSource

        users, today = self.users, self.today
        program = self.programs[("city", self.year)]
        last_month = today.replace(day=1) - timedelta(days=1)
        held = last_month.replace(day=min(15, last_month.day))
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        upcoming = min(today + timedelta(days=5), next_month - timedelta(days=1))
        departments = [
            self.units[code] for code in ("fagai", "jiaotong", "ziran") if code in self.units
        ]
        # The monthly meeting: the same room, chair, attendees and programme each month.
        monthly = {
            "kind": MeetingKind.SCHEDULING,
            "title": "重点项目调度会",
            "place": "市政府三楼第一会议室",
            "level": MeetingLevel.CITY,
            "chair": self.leaders[1],
            "attending_leaders": self.leaders[:3],
            "attending_units": departments,
            "programs": [program],
        }
        previous = ms.do_create_meeting(
            users["hq"],
            date=held,
            **monthly,
            decisions="一、各县区、各部门要倒排工期，确保完成年度投资目标。\n"
            "二、对逾期未办结的前期手续，由市发改委牵头集中会商。",
        )
        projects = [p for p, _e in self.projects if program in p.programs.all()][:4]
        settings = [
            ("完成施工临时用电接入，保障主体工程施工", -6, 0),
            ("加快征地拆迁扫尾，月底前交付全部施工用地", 12, 2),
            ("落实专项债券资金拨付，保障工程款及时到位", 20, 1),
            ("完成入库入统资料报送", -3, 3),
        ]
        minutes = []
        for project, (content, days, stage) in zip(projects, settings, strict=False):
            sentence = f"{project.name}：{project.lead_unit}牵头，{content}。"
            minutes.append(sentence)
            task = ps.do_assign_task(
                users["hq"],
                content=content,
                project=project,
                lead_unit=project.lead_unit,
                deadline=today + timedelta(days=days),
                source=TaskSource.MEETING,
                source_text=sentence,
                meeting=previous,
            )
            if stage >= 1:
                ps.do_accept_task(users["hq"], task)
            if stage >= 2:
                ps.do_add_task_feedback(users["hq"], task, "已制定工作方案，正在推进。")
            if stage >= 3:
                ps.do_report_task_done(users["hq"], task, "已按要求完成。")
        previous.minutes = "\n".join(minutes)
        previous.save(update_fields=["minutes"])
        ms.do_create_meeting(users["hq"], date=upcoming, **monthly)

    def build_assessment(self):
        """The last three months' rankings published, and last month's bulletin issued, as the
        office does after each monthly meeting."""
        from diaodu.assessment import services as assessment
        from diaodu.assessment.periods import Window
        from diaodu.bulletins.services import do_issue_bulletin

        last = Window.month_of(self.today).previous()
        for window in (last.previous().previous(), last.previous(), last):
            assessment.do_publish_period(self.users["hq"], window, self.today)
        do_issue_bulletin(self.users["hq"], last, self.today)

    @transaction.atomic
    def build_snapshots(self):
        """Every month from the first with reports to last month, rebuilt from the history,
        and this month's, taken today: the lights and figures as they were, month by month
        (in January too, when last month is of the year before)."""
        from diaodu.monitoring import snapshots
        from diaodu.reporting.models import ProgressReport, ReportingPeriod
        from diaodu.reporting.snapshots import last_closed_month

        first = (
            ReportingPeriod.objects.monthly()
            .filter(Exists(ProgressReport.objects.filter(period=OuterRef("pk"))))
            .order_by("start")
            .values_list("start", flat=True)
            .first()
        )
        closed = last_closed_month(self.today)
        if first is not None and first <= closed:
            snapshots.rebuild(first, closed, today=self.today)
        snapshots.take(self.today, today=self.today)

    def build(self) -> DemoCity:
        from diaodu.monitoring.lights import refresh_lights
        from diaodu.monitoring.receivers import refresh_stored_lights
        from diaodu.projects.signals import project_facts_changed
        from diaodu.reporting.totals import refresh_summaries

        # Each of the hundreds of changes below would relight its project at once; the lights
        # are lit once instead, on the demo's today, when the projects' facts are all there.
        uid = "monitoring.refresh_lights"
        project_facts_changed.disconnect(dispatch_uid=uid)
        try:
            self.build_units()
            self.build_leaders()
            self.build_programs()
            self.build_users()
            self.build_projects()
            self.build_plans()
            self.build_milestones()
            self.build_approvals()
            self.build_funding()
            self.record_some_edits()
            self.build_reports()
            self.build_problems_and_tasks()
            self.build_inspections()
            self.build_meetings()
        finally:
            project_facts_changed.connect(refresh_stored_lights, dispatch_uid=uid)
        refresh_summaries()
        refresh_lights(today=self.today)
        self.build_snapshots()
        self.build_assessment()
        return DemoCity(
            projects=len(self.projects),
            units=len(self.units),
            users=[(username, what) for username, _r, _u, _l, _f, what in ACCOUNTS],
        )


def reset():
    """Remove everything the demo builds (all projects, units, leaders, programmes, users)."""
    from diaodu.assessment.models import Ranking
    from diaodu.bulletins.models import Bulletin
    from diaodu.core.models import ChangeRecord, DocumentNumber
    from diaodu.exchange.models import ImportJob
    from diaodu.meetings.models import Meeting
    from diaodu.problems.models import SupervisionNotice
    from diaodu.reporting.models import MonthSnapshot, ReportingPeriod

    with transaction.atomic():
        for bulletin in Bulletin.objects.all():
            bulletin.document.delete(save=False)
        Bulletin.objects.all().delete()
        Ranking.objects.all().delete()
        ChangeRecord.objects.all().delete()
        ImportJob.objects.all().delete()
        SupervisionNotice.objects.all().delete()  # its unit is protected
        DocumentNumber.objects.all().delete()  # the documents numbered are gone
        Meeting.objects.all().delete()
        Project.objects.all().delete()
        ReportingPeriod.objects.all().delete()
        MonthSnapshot.objects.all().delete()
        Program.objects.all().delete()
        Leader.objects.all().delete()
        User.objects.all().delete()
        Unit.objects.filter(parent__isnull=False).delete()
        Unit.objects.all().delete()


def build(today: date | None = None) -> DemoCity:
    return Builder(today).build()
