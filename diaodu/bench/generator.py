"""A synthetic province at scale, for benchmarks (`diaodu generate --projects N`).

At N = 50,000 it holds about 300 units (20 regions with their streets, 60 departments, 120
enterprises, headquarters and the inspectorate), 2,000 users, 100 leaders, 9 programmes (three
a year, monthly), 50,000 projects with their annual plans (monthly breakdown for the current
year), milestones and approvals, 1.7 million progress reports, 200,000 problems and tasks, the
investment summaries and the projects' lights. Everything scales with N; every role and kind of
unit exists even at small N.

Speed comes from writing rows, not objects: the few hundred units, users, leaders, programmes
and periods go through `bulk_create`; everything else is streamed as tuples, with COPY on
PostgreSQL and `executemany` on SQLite, in one transaction. Ids are assigned here, so children
are written without reading their parents back. The same seed on the same day gives the same
data.

Reports are filed once a month per project, in the month's period that every programme shares
(as `diaodu.reporting` files them), so the investment summaries computed here while the reports
are generated are exactly what `refresh_summaries()` would compute.
"""

import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from itertools import accumulate, islice

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.bench import names
from diaodu.core import kept
from diaodu.org.choices import LeaderLevel, Role, UnitKind
from diaodu.org.models import Leader, Unit, User
from diaodu.problems.choices import (
    ProblemLevel,
    ProblemSource,
    ProblemStatus,
    SupervisionLevel,
    TaskSource,
    TaskStatus,
)
from diaodu.problems.models import Problem, ProblemFollowUp, Task, TaskFeedback
from diaodu.projects.approval_timing import due_date
from diaodu.projects.choices import (
    ApprovalKind,
    ApprovalStatus,
    Cadence,
    Category,
    ProgramLevel,
    Stage,
)
from diaodu.projects.models import AnnualPlan, Approval, Milestone, PlanMonth, Program, Project
from diaodu.projects.national_code import iso7064_mod11_10
from diaodu.projects.schedule import TEMPLATE_BY_CATEGORY
from diaodu.projects.signals import project_set
from diaodu.reporting.calendar import period_containing
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import InvestmentSummary, ProgressReport, ReportingPeriod

SEED = 20260101
PASSWORD = "bench"
FULL = 50_000  # the number of projects at which the counts in the docstring hold
CHUNK = 20_000  # rows per executemany on SQLite
# The accounts a benchmark signs in with (password PASSWORD).
ACCOUNTS = ("hq", "region", "owner")
# The apps whose data --wipe deletes (and everything that refers to it).
WIPED_APPS = (
    "org",
    "projects",
    "reporting",
    "problems",
    "core",
    "notifications",
    "exchange",
    "meetings",
    "inspections",
    "assessment",
    "bulletins",
)
# Share of a year's investment planned for each month: slow in winter and at the Spring Festival.
MONTH_WEIGHTS = [4, 4, 8, 9, 10, 10, 10, 9, 10, 10, 9, 7]
STAGE_WEIGHTS = {
    Stage.RESERVE: 3,
    Stage.PREPARATION: 8,
    Stage.NEW: 12,
    Stage.CONTINUING: 62,
    Stage.COMPLETED: 9,
    Stage.OPERATING: 4,
    Stage.CANCELLED: 2,
}
CATEGORY_WEIGHTS = {
    Category.INDUSTRY: 30,
    Category.INFRASTRUCTURE: 12,
    Category.TRANSPORT: 8,
    Category.WATER: 6,
    Category.ENERGY: 6,
    Category.LIVELIHOOD: 8,
    Category.EDUCATION: 5,
    Category.HEALTH: 4,
    Category.URBAN_RENEWAL: 6,
    Category.ECOLOGY: 4,
    Category.TOURISM: 4,
    Category.AGRICULTURE: 4,
    Category.SERVICES: 3,
}
# Three programmes a year, all monthly; the lowest id (the provincial list) counts first.
PROGRAMS = [
    ("省重点项目", "provincial", ProgramLevel.PROVINCE),
    ("市重点项目", "city", ProgramLevel.CITY),
    ("区县重点项目", "district", ProgramLevel.DISTRICT),
]
PROGRAM_WEIGHTS = [30, 60, 10]
MILESTONES = {
    "industry": ("开工建设", "厂房主体封顶", "竣工验收"),
    "infrastructure": ("开工建设", "主体工程完工", "交工验收"),
    "building": ("开工建设", "主体结构封顶", "竣工验收"),
}
# Approvals: kind, index of the responsible department, prefix of the document number.
APPROVALS = [
    (ApprovalKind.PROJECT_APPROVAL, 0, "发改"),
    (ApprovalKind.LAND_USE_PERMIT, 2, "资规"),
    (ApprovalKind.CONSTRUCTION_PERMIT, 3, "建"),
]
# Days from the due date a report is submitted: mostly before, one in eight late.
SUBMIT_OFFSETS = [-6, -5, -4, -3, -2, -1, 0] * 3 + [1, 2, 4]


@dataclass(frozen=True)
class Scale:
    """How many of each thing N projects come with."""

    projects: int
    regions: int
    departments: int
    enterprises: int
    leaders: int
    users: dict

    @classmethod
    def of(cls, projects: int) -> "Scale":
        share = projects / FULL

        def n(full, minimum):
            return max(minimum, round(full * share))

        leaders = n(100, 6)
        return cls(
            projects=projects,
            regions=n(20, 3),
            departments=n(60, 6),
            enterprises=n(120, 6),
            leaders=leaders,
            users={
                Role.HEADQUARTERS: n(8, 1),
                Role.LEADER: min(leaders, n(40, 2)),
                Role.INSPECTOR: n(30, 1),
                Role.REGION: n(620, 3),
                Role.DEPARTMENT: n(300, 2),
                Role.OWNER: n(1000, 3),
            },
        )


def month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def has_data() -> bool:
    """Whether the database holds anything the generator would collide with."""
    usernames = [*ACCOUNTS, "u00001"]
    return (
        Project.objects.exists()
        or Unit.objects.exists()
        or User.objects.filter(username__in=usernames).exists()
    )


def wipe():
    """Delete every project, unit, user, programme, report, problem and task (and their ids)."""
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with constraint checks still pending in this transaction.
        connection.check_constraints()
    tables = sorted(
        {
            model._meta.db_table
            for label in WIPED_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        }
    )
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    # The scoring scheme is configuration, not data: a wiped database gets the default back.
    from diaodu.assessment.defaults import create_default_scheme
    from diaodu.assessment.models import ScoringRule, ScoringScheme

    create_default_scheme(ScoringScheme, ScoringRule)


class Writer:
    """Writes rows fast: COPY on PostgreSQL, executemany on SQLite.

    Values are plain Python values as the database stores them: ids, strings for dates,
    timestamps (UTC) and decimals, booleans, None; JSON as its text.
    """

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.stamps: dict = {}
        self.zone = timezone.get_current_timezone()

    def stamp(self, day: date, hour: int = 9) -> str:
        """A local hour of a day, as the database's UTC timestamp text."""
        key = (day, hour)
        text = self.stamps.get(key)
        if text is None:
            moment = datetime.combine(day, clock(hour), self.zone).astimezone(UTC)
            text = moment.strftime("%Y-%m-%d %H:%M:%S") + ("+00:00" if self.postgres else "")
            self.stamps[key] = text
        return text

    def now(self) -> str:
        text = timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return text + ("+00:00" if self.postgres else "")

    @staticmethod
    def columns(model, fields: list[str]) -> list[str]:
        """The columns of the fields, refusing to leave out a column that has no default."""
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        missing = [
            name
            for name, f in by_name.items()
            if not f.null
            and not f.primary_key
            and name not in fields
            and f.db_default is NOT_PROVIDED
        ]
        if missing:
            raise ValueError(f"{model._meta.label}: no value for NOT NULL columns {missing}")
        return [by_name[name].column for name in fields]

    def insert(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns(model, fields))
        count = 0
        if self.postgres:
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    write = copy.write_row
                    for row in rows:
                        write(row)
                        count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"
        connection.ensure_connection()
        cursor = connection.connection.cursor()
        rows = iter(rows)
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
        cursor.close()
        return count


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def bulk_models() -> list:
    """The models written row by row here rather than through the ORM."""
    return [
        Project,
        Project.programs.through,
        Project.responsible_units.through,
        Project.leaders.through,
        AnnualPlan,
        PlanMonth,
        Milestone,
        Approval,
        ProgressReport,
        InvestmentSummary,
        Problem,
        ProblemFollowUp,
        Task,
        Task.responsible_units.through,
        TaskFeedback,
    ]


class P:
    """What the generator remembers of a project while it writes the project's children."""

    __slots__ = (
        "id",
        "stage",
        "category",
        "region",
        "top",
        "owner",
        "lead",
        "leaders",
        "planned_start",
        "planned_completion",
        "actual_start",
        "actual_completion",
        "end",
        "total",
        "years",
        "monthly",
        "pace",
        "submitter",
        "reviewer",
    )


@dataclass
class Result:
    counts: dict
    seconds: float


class Generator:
    def __init__(
        self,
        projects: int = 1000,
        seed: int = SEED,
        years: int = 3,
        today: date | None = None,
        out: Callable[[str], None] | None = None,
    ):
        self.n = projects
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.year = self.today.year
        self.years = list(range(self.year - years + 1, self.year + 1))
        self.first_year = self.years[0]
        self.now_month = self.year * 12 + self.today.month - 1
        self.scale = Scale.of(projects)
        self.out = out or (lambda line: None)
        self.writer = Writer()
        self.counts: dict[str, int] = {}
        self.began = time.monotonic()

    # -- helpers ---------------------------------------------------------------------------

    def done(self, label, count: int | None = None):
        """Report a stage finished: the rows it wrote (kept for the summary), or only its name."""
        elapsed = f"{time.monotonic() - self.began:8.1f}s  {label}"
        if count is None:
            self.out(elapsed)
        else:
            self.counts[str(label)] = count
            self.out(f"{elapsed}: {count:,}")

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def person(self) -> tuple[str, str]:
        return self.rng.choice(names.SURNAMES), self.rng.choice(names.GIVEN_NAMES)

    @staticmethod
    def weighted(rng, cumulative, items):
        return items[bisect(cumulative, rng.random() * cumulative[-1])]

    # -- organisation ----------------------------------------------------------------------

    def build_units(self):
        rng, units = self.rng, []
        first_id = next_id(Unit)

        def add(name, code, kind, parent=None, short_name="", lat=None, lng=None):
            unit = Unit(
                id=first_id + len(units),
                name=name,
                short_name=short_name,
                code=code,
                kind=kind,
                parent_id=parent,
                aliases=[],
                latitude=Decimal(f"{lat:.6f}") if lat is not None else None,
                longitude=Decimal(f"{lng:.6f}") if lng is not None else None,
                sort_order=len(units) + 1,
            )
            units.append(unit)
            return unit.id

        self.hq_unit = add(
            "省重点项目建设指挥部办公室", "hq", UnitKind.HEADQUARTERS, short_name="指挥部办公室"
        )
        self.inspectorate = add(
            "省人民政府督查室", "ducha", UnitKind.INSPECTORATE, short_name="督查室"
        )
        self.regions = []  # (id, name, lat, lng)
        self.streets: dict[int, list[int]] = {}
        for i in range(self.scale.regions):
            if i < len(names.REGIONS):
                name, lat, lng = names.REGIONS[i]
            else:
                name = f"第{i + 1}开发区"
                lat, lng = 34.6 + rng.uniform(-1, 1), 113.6 + rng.uniform(-1.5, 1.5)
            code = f"r{i + 1:03d}"
            region = add(name, code, UnitKind.REGION, lat=lat, lng=lng)
            self.regions.append((region, name, lat, lng))
            streets = rng.sample(names.STREETS, rng.randint(3, 7))
            self.streets[region] = [
                add(f"{name}{street}", f"{code}-{j}", UnitKind.REGION, region, street)
                for j, street in enumerate(streets, start=1)
            ]
        self.departments = []
        for i in range(self.scale.departments):
            base = names.DEPARTMENTS[i % len(names.DEPARTMENTS)]
            level = ("市", "省")[i // len(names.DEPARTMENTS) % 2]
            copy = i // (2 * len(names.DEPARTMENTS))
            name = f"{level}{base}" + (f"第{copy + 1}分局" if copy else "")
            self.departments.append(add(name, f"d{i + 1:03d}", UnitKind.DEPARTMENT))
        self.enterprises, seen = [], set()
        for i in range(self.scale.enterprises):
            for _attempt in range(20):
                name = (
                    rng.choice(names.ENTERPRISE_PLACES)
                    + rng.choice(names.ENTERPRISE_TRADES)
                    + rng.choice(names.ENTERPRISE_SUFFIXES)
                )
                if name not in seen:
                    break
            else:
                name = f"{name[:-6]}第{i + 1}{name[-6:]}"
            seen.add(name)
            self.enterprises.append(add(name, f"e{i + 1:04d}", UnitKind.ENTERPRISE))
        Unit.objects.bulk_create(units, batch_size=1000)
        self.done(Unit._meta.verbose_name_plural, len(units))

    def build_users(self):
        rng, users = self.rng, []
        password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        first_id = next_id(User)
        self.users_of: dict[int, list[int]] = {}
        self.by_role: dict[str, list[int]] = {role: [] for role in Role.values}

        def add(username, role, unit, staff=False):
            last, first = self.person()
            user = User(
                id=first_id + len(users),
                username=username,
                password=password,
                role=role,
                unit_id=unit,
                last_name=last,
                first_name=first,
                is_staff=staff,
                phone=f"139{rng.randint(0, 99_999_999):08d}",
            )
            users.append(user)
            self.by_role[role].append(user.id)
            if unit is not None:
                self.users_of.setdefault(unit, []).append(user.id)
            return user.id

        add("hq", Role.HEADQUARTERS, self.hq_unit, staff=True)
        add("region", Role.REGION, self.regions[0][0])
        add("owner", Role.OWNER, self.enterprises[0])
        region_units = [
            unit for region, *_rest in self.regions for unit in [region, *self.streets[region]]
        ]
        cycles = {
            Role.HEADQUARTERS: [self.hq_unit],
            Role.LEADER: [None],
            Role.INSPECTOR: [self.inspectorate],
            Role.REGION: region_units,
            Role.DEPARTMENT: self.departments,
            Role.OWNER: self.enterprises,
        }
        for role, count in self.scale.users.items():
            pool = cycles[role]
            for i in range(count):
                add(f"u{len(users) - len(ACCOUNTS) + 1:05d}", role, pool[i % len(pool)])
        User.objects.bulk_create(users, batch_size=1000)
        self.done(User._meta.verbose_name_plural, len(users))

    def build_leaders(self):
        rng, leaders, seen = self.rng, [], set()
        first_id = next_id(Leader)
        self.city_leaders: list[int] = []
        self.district_leaders: dict[int, list[int]] = {}
        city = max(2, self.scale.leaders * 3 // 10)
        accounts = iter(self.by_role[Role.LEADER])
        for i in range(self.scale.leaders):
            if i < city:
                level, unit = LeaderLevel.CITY, None
                title = names.CITY_LEADER_TITLES[i % len(names.CITY_LEADER_TITLES)]
            else:
                k = i - city
                level = LeaderLevel.DISTRICT
                unit, region_name, *_pos = self.regions[k % len(self.regions)]
                title = (
                    region_name
                    + names.DISTRICT_LEADER_TITLES[
                        k // len(self.regions) % len(names.DISTRICT_LEADER_TITLES)
                    ]
                )
            while True:
                name = "".join(self.person())
                if (name, title) not in seen:
                    break
            seen.add((name, title))
            leader = Leader(
                id=first_id + i,
                name=name,
                title=title,
                level=level,
                unit_id=unit,
                user_id=next(accounts, None) if rng.random() < 0.5 or i < 2 else None,
                sort_order=i,
            )
            leaders.append(leader)
            if unit is None:
                self.city_leaders.append(leader.id)
            else:
                self.district_leaders.setdefault(unit, []).append(leader.id)
        # Every leader account is linked to a leader.
        for leader in leaders:
            if leader.user_id is None:
                leader.user_id = next(accounts, None)
        Leader.objects.bulk_create(leaders, batch_size=1000)
        self.done(Leader._meta.verbose_name_plural, len(leaders))

    def build_programs(self):
        programs, periods = [], []
        program_id, period_id = next_id(Program), next_id(ReportingPeriod)
        self.programs: dict[int, list[int]] = {}  # year -> ids in PROGRAMS order
        self.periods: dict[int, tuple] = {}  # month index -> the month's period
        w = self.writer
        for year in self.years:
            self.programs[year] = []
            for name, code, level in PROGRAMS:
                programs.append(
                    Program(
                        id=program_id,
                        name=name,
                        code=code,
                        year=year,
                        level=level,
                        cadence=Cadence.MONTHLY,
                        description=f"{year}年{name}名单",
                    )
                )
                self.programs[year].append(program_id)
                program_id += 1
            # One monthly period per month, shared by every programme.
            for month in range(1, 13):
                index = year * 12 + month - 1
                if index > self.now_month:
                    break
                dates = period_containing(Cadence.MONTHLY, date(year, month, 1))
                closed = dates.end < self.today - timedelta(days=62)
                periods.append(
                    ReportingPeriod(
                        id=period_id,
                        kind=PeriodKind.MONTHLY,
                        start=dates.start,
                        end=dates.end,
                        due_date=dates.due_date,
                        opened_at=datetime.combine(dates.start, clock(8), w.zone),
                        closed_at=datetime.combine(
                            dates.end + timedelta(days=10), clock(18), w.zone
                        )
                        if closed
                        else None,
                    )
                )
                self.periods[index] = self._period_info(period_id, dates, index)
                period_id += 1
        Program.objects.bulk_create(programs)
        ReportingPeriod.objects.bulk_create(periods, batch_size=1000)
        self.done(Program._meta.verbose_name_plural, len(programs))
        self.done(ReportingPeriod._meta.verbose_name_plural, len(periods))

    def _period_info(self, period_id, dates, index):
        """A period's id, end, and the times a report of it may be submitted and reviewed."""
        w, yesterday = self.writer, self.today - timedelta(days=1)
        submitted, reviewed = [], []
        for k, offset in enumerate(SUBMIT_OFFSETS):
            day = min(dates.due_date + timedelta(days=offset), yesterday)
            submitted.append(w.stamp(day, 9 + k % 8))
            reviewed.append(w.stamp(min(day + timedelta(days=2), yesterday), 16))
        on_time = tuple(
            min(dates.due_date + timedelta(days=offset), yesterday) <= dates.due_date
            for offset in SUBMIT_OFFSETS
        )
        return (
            period_id,
            dates.end,
            tuple(submitted),
            tuple(reviewed),
            index == self.now_month,
            index == self.now_month - 1,
            w.stamp(dates.start, 8),
            on_time,
        )

    # -- projects --------------------------------------------------------------------------

    def _dates(self, stage):
        """planned start and completion, actual start and completion, end of reporting."""
        rng, year, today, first = self.rng, self.year, self.today, self.first_year
        between = self.day_between
        actual_start = actual_completion = end = None
        if stage == Stage.CONTINUING:
            actual_start = between(date(first - 2, 1, 1), date(year - 1, 6, 30))
            planned_start = month_start(actual_start.year, actual_start.month - rng.randint(0, 1))
            planned_completion = between(date(year + 1, 1, 1), date(year + 3, 12, 31))
        elif stage == Stage.NEW:
            planned_start = month_start(year, rng.randint(1, 12))
            if planned_start <= today and rng.random() < 0.8:
                actual_start = min(planned_start + timedelta(days=rng.randint(0, 45)), today)
            planned_completion = planned_start + timedelta(days=365 * rng.randint(1, 3) - 1)
        elif stage in {Stage.PREPARATION, Stage.RESERVE}:
            ahead = rng.randint(1, 12) if stage == Stage.PREPARATION else rng.randint(13, 24)
            planned_start = month_start(year, today.month + ahead)
            planned_completion = planned_start + timedelta(days=365 * rng.randint(1, 3) - 1)
        elif stage == Stage.COMPLETED:
            actual_start = between(date(first - 3, 1, 1), date(year - 2, 12, 31))
            actual_completion = between(date(year, 1, 1), today - timedelta(days=20))
            planned_start = month_start(actual_start.year, actual_start.month)
            planned_completion = max(
                planned_start, actual_completion + timedelta(days=rng.randint(-60, 30))
            )
            end = actual_completion
        elif stage == Stage.OPERATING:
            actual_start = between(date(first - 4, 1, 1), date(first - 1, 12, 31))
            actual_completion = between(date(year - 1, 1, 1), date(year - 1, 12, 31))
            actual_completion = min(actual_completion, today - timedelta(days=60))
            planned_start = month_start(actual_start.year, actual_start.month)
            planned_completion = max(
                planned_start, actual_completion + timedelta(days=rng.randint(-60, 30))
            )
            end = actual_completion
        else:  # cancelled before it started
            planned_start = month_start(year - 1, rng.randint(1, 12))
            planned_completion = planned_start + timedelta(days=730)
            end = between(date(year - 1, 3, 1), min(date(year, 6, 30), today))
        return planned_start, planned_completion, actual_start, actual_completion, end

    def _national_code(self, planned_start, region_index, serial):
        approved = planned_start - timedelta(days=self.rng.randint(90, 400))
        # Approved before 2020: the old code, whose first group is the year.
        if approved.year < 2020:
            head = f"{approved.year}"
        else:
            head = f"{approved.year % 100:02d}{approved.month:02d}"
        division = f"41{region_index % 99 + 1:02d}{self.rng.randint(1, 29):02d}"
        department = self.rng.choice(["04", "05", "48", "55"])
        kind = self.rng.choice(["01", "01", "02"])
        number = f"{serial % 100_000:05d}"
        check = iso7064_mod11_10(f"{head}{division}{department}{kind}{number}")
        return f"{head}-{division}-{department}-{kind}-{number}{check}"

    def build_projects(self):
        rng, w = self.rng, self.writer
        first_id = next_id(Project)
        stages, stage_cum = list(STAGE_WEIGHTS), list(accumulate(STAGE_WEIGHTS.values()))
        cats, cat_cum = list(CATEGORY_WEIGHTS), list(accumulate(CATEGORY_WEIGHTS.values()))
        region_cum = list(accumulate(rng.uniform(0.5, 2.0) for _r in self.regions))
        owner_cum = list(accumulate(1 / (k + 1) ** 0.7 for k in range(len(self.enterprises))))
        lead_cum = list(accumulate(1 / (k + 1) ** 0.5 for k in range(len(self.departments))))
        regions = list(range(len(self.regions)))
        owner_users = {unit: ids[0] for unit, ids in self.users_of.items()}
        hq_users = self.by_role[Role.HEADQUARTERS]
        now = w.now()
        rows, programs, responsible, leaders = [], [], [], []
        seen_names: dict[str, int] = {}
        codes: set[str] = set()
        self.projects: list[P] = []
        for i in range(self.n):
            p = P()
            p.id = first_id + i
            p.stage = stage = self.weighted(rng, stage_cum, stages)
            p.category = category = self.weighted(rng, cat_cum, cats)
            (
                p.planned_start,
                p.planned_completion,
                p.actual_start,
                p.actual_completion,
                p.end,
            ) = self._dates(stage)
            if rng.random() < 0.12:
                p.region = p.top = None
                region_index, place = 0, "省"
                lat, lng, spread = 34.6, 113.6, 0.5
            else:
                region_index = self.weighted(rng, region_cum, regions)
                p.top, place, lat, lng = self.regions[region_index]
                p.region = rng.choice(self.streets[p.top]) if rng.random() < 0.25 else p.top
                spread = 0.08
            p.owner = self.weighted(rng, owner_cum, self.enterprises)
            p.lead = self.weighted(rng, lead_cum, self.departments)
            p.leaders = [rng.choice(self.city_leaders)]
            if p.top in self.district_leaders and rng.random() < 0.7:
                p.leaders.append(rng.choice(self.district_leaders[p.top]))
            p.total = max(50_000, min(500_000_000, int(math.exp(rng.gauss(10.0, 1.1)) * 100)))
            p.pace = rng.choice([1.0, 1.05, 1.0, 0.98, 1.1, 1.02, 0.95, 0.85, 0.7, 0.5])
            p.submitter = owner_users.get(p.owner)
            p.reviewer = (self.users_of.get(p.top) or hq_users)[0] if p.top else hq_users[0]

            # The programmes of each year the project is listed in; it reports once a month.
            p.years = []
            if stage != Stage.RESERVE:
                listed_from = self.first_year
                if stage in {Stage.NEW, Stage.PREPARATION} and rng.random() < 0.2:
                    listed_from = max(self.first_year, self.year - rng.randint(0, 1))
                primary = self.weighted(rng, [30, 90, 100], [0, 1, 2])
                for year in self.years:
                    if year < listed_from or (p.end and year > p.end.year):
                        continue
                    if rng.random() < 0.1:
                        primary = self.weighted(rng, [30, 90, 100], [0, 1, 2])
                    chosen = {self.programs[year][primary]}
                    if rng.random() < 0.35:
                        chosen.add(rng.choice(self.programs[year]))
                    p.years.append(year)
                    programs.extend((p.id, program) for program in sorted(chosen))

            subject = rng.choice(names.PROJECT_SUBJECTS[category])
            name = f"{place}{subject}{rng.choice(names.PROJECT_KINDS)}"
            repeat = seen_names.get(name, 0)
            seen_names[name] = repeat + 1
            if repeat:
                name += (
                    f"（{names.NUMERALS[repeat]}期）" if repeat < 10 else f"（第{repeat + 1}期）"
                )
            code = ""
            if stage != Stage.RESERVE and rng.random() < 0.75:
                code = self._national_code(p.planned_start, region_index, i)
                if code in codes:
                    code = ""
                codes.add(code)
            started = p.actual_start is not None
            registered = started and p.actual_start + timedelta(days=30) <= self.today
            created = self.day_between(
                date(self.first_year - 1, 3, 1), date(self.first_year, 1, 31)
            )
            rows.append(
                (
                    p.id,
                    name,
                    code,
                    names.SCOPES.get(category, names.DEFAULT_SCOPE),
                    category,
                    p.region,
                    f"{place}{rng.choice(names.ROADS)}与{rng.choice(names.ROADS)}"
                    f"{rng.choice(names.CROSSINGS)}",
                    f"{lat + rng.uniform(-spread, spread):.6f}",
                    f"{lng + rng.uniform(-spread, spread):.6f}",
                    p.owner,
                    p.lead,
                    stage,
                    p.planned_start.isoformat(),
                    p.planned_completion.isoformat(),
                    p.actual_start.isoformat() if started else None,
                    p.actual_completion.isoformat() if p.actual_completion else None,
                    money(p.total),
                    "green",
                    "[]",
                    registered,
                    (p.actual_start + timedelta(days=30)).isoformat() if registered else None,
                    w.stamp(created, 10),
                    now,
                )
            )
            others = [d for d in rng.sample(self.departments, 3) if d != p.lead][
                : rng.randint(1, 2)
            ]
            if p.top and rng.random() < 0.3:
                others.append(p.top)
            responsible.extend((p.id, unit) for unit in others)
            leaders.extend((p.id, leader) for leader in p.leaders)
            self.projects.append(p)
        fields = [
            "id",
            "name",
            "national_code",
            "scope",
            "category",
            "region_id",
            "address",
            "latitude",
            "longitude",
            "owner_id",
            "lead_unit_id",
            "stage",
            "planned_start",
            "planned_completion",
            "actual_start",
            "actual_completion",
            "total_investment",
            "light",
            "light_reasons",
            "stats_registered",
            "stats_registered_on",
            "created_at",
            "updated_at",
        ]
        self.done(Project._meta.verbose_name_plural, w.insert(Project, fields, rows))
        for field, rows_of in (
            (Project.programs, programs),
            (Project.responsible_units, responsible),
            (Project.leaders, leaders),
        ):
            through = field.through
            names_ = [f.attname for f in through._meta.concrete_fields if not f.primary_key]
            count = w.insert(through, names_, rows_of)
            self.done(
                f"{Project._meta.verbose_name} · {field.field.verbose_name}",
                count,
            )

    def build_plans(self):
        rng, w = self.rng, self.writer
        first_id = next_id(AnnualPlan)
        plans, months = [], []
        for p in self.projects:
            p.monthly = {}
            span = max(1, p.planned_completion.year - p.planned_start.year + 1)
            for year in p.years:
                started_by = p.actual_start or p.planned_start
                if started_by.year > year:
                    cents = int(p.total * 0.02 * rng.uniform(0.5, 1.5))  # land and design
                    targets = "加快办理前期手续，完成勘察设计和土地报批，力争早日开工。"
                else:
                    cents = min(p.total, int(p.total / span * rng.uniform(0.8, 1.2)))
                    if p.planned_start.year == year:
                        targets = f"{p.planned_start.month}月底前开工建设，年底前完成年度投资计划。"
                    elif p.planned_completion.year == year:
                        targets = "完成主体工程及附属设施，年底前竣工验收。"
                    else:
                        targets = "加快主体工程施工，确保完成年度投资计划和形象进度目标。"
                plan_id = first_id + len(plans)
                plans.append((plan_id, p.id, year, money(cents), targets))
                first = p.planned_start.month if p.planned_start.year == year else 1
                if p.planned_start.year > year:
                    first = 1
                weights = [wt if m >= first else 0 for m, wt in enumerate(MONTH_WEIGHTS, 1)]
                total = sum(weights)
                split = [cents * wt // total for wt in weights]
                last = max(m for m, wt in enumerate(weights) if wt)
                split[last] += cents - sum(split)  # the months add up to the plan, exactly
                p.monthly[year] = split
                if year == self.year:
                    months.extend(
                        (plan_id, m, money(amount))
                        for m, (amount, wt) in enumerate(zip(split, weights, strict=True), 1)
                        if wt
                    )
        fields = ["id", "project_id", "year", "planned_investment", "targets"]
        self.done(AnnualPlan._meta.verbose_name_plural, w.insert(AnnualPlan, fields, plans))
        fields = ["plan_id", "month", "planned_investment"]
        self.done(PlanMonth._meta.verbose_name_plural, w.insert(PlanMonth, fields, months))

    def milestone_rows(self):
        rng, today = self.rng, self.today
        for p in self.projects:
            template = MILESTONES[TEMPLATE_BY_CATEGORY.get(p.category, "building")]
            span = (p.planned_completion - p.planned_start).days
            dates = [
                p.planned_start,
                p.planned_start + timedelta(days=span * 6 // 10),
                p.planned_completion,
            ]
            for position, (name, planned) in enumerate(zip(template, dates, strict=True)):
                actual = None
                if position == 0:
                    actual = p.actual_start
                elif position == 2:
                    actual = p.actual_completion
                elif p.actual_completion:
                    actual = min(planned, p.actual_completion) - timedelta(days=rng.randint(0, 10))
                elif p.actual_start and planned < today:
                    roll = rng.random()
                    if roll < 0.8:
                        actual = planned - timedelta(days=rng.randint(0, 10))
                    elif roll < 0.88:
                        actual = min(planned + timedelta(days=rng.randint(5, 40)), today)
                day = planned.isoformat()
                yield (
                    p.id,
                    name,
                    day,
                    day,
                    actual.isoformat() if actual else None,
                    p.owner,
                    "",
                )

    def approval_rows(self):
        rng, today, departments = self.rng, self.today, self.departments
        for p in self.projects:
            anchor = p.actual_start or p.planned_start
            for position, (kind, department, office) in enumerate(APPROVALS):
                applied = completed = None
                number = ""
                if p.actual_start or (position == 0 and p.stage != Stage.RESERVE):
                    status = ApprovalStatus.DONE
                    completed = min(anchor - timedelta(days=30 * (3 - position)), today)
                    applied = completed - timedelta(days=rng.randint(5, 25))
                    number = f"豫{office}〔{completed.year}〕{rng.randint(10, 299)}号"
                elif position == 1 and p.stage in {Stage.PREPARATION, Stage.NEW}:
                    status = ApprovalStatus.IN_PROGRESS
                    applied = today - timedelta(days=rng.randint(5, 60))
                else:
                    status = ApprovalStatus.NOT_STARTED
                limit = rng.choice((5, 10, 15, 20))
                # The due date is kept for approvals in progress, as Approval.save() keeps it.
                due = due_date(applied, limit) if status == ApprovalStatus.IN_PROGRESS else None
                yield (
                    p.id,
                    kind,
                    departments[department % len(departments)],
                    status,
                    limit,
                    (anchor - timedelta(days=20 * (3 - position))).isoformat(),
                    applied.isoformat() if applied else None,
                    completed.isoformat() if completed else None,
                    number,
                    due.isoformat() if due else None,
                )

    def build_schedules(self):
        w = self.writer
        fields = [
            "project_id",
            "name",
            "planned_date",
            "baseline_date",
            "actual_date",
            "responsible_unit_id",
            "note",
        ]
        count = w.insert(Milestone, fields, self.milestone_rows())
        self.done(Milestone._meta.verbose_name_plural, count)
        fields = [
            "project_id",
            "kind",
            "responsible_department_id",
            "status",
            "time_limit_days",
            "planned_date",
            "applied_on",
            "completed_on",
            "document_number",
            "due_on",
        ]
        count = w.insert(Approval, fields, self.approval_rows())
        self.done(Approval._meta.verbose_name_plural, count)

    # -- reports ---------------------------------------------------------------------------

    def report_rows(self, first_id: int):
        """Every report of every project, and the approved investment per project and year."""
        random_ = self.rng.random
        periods, now_month = self.periods, self.now_month
        approved, submitted = ReportStatus.APPROVED, ReportStatus.SUBMITTED
        draft, returned = ReportStatus.DRAFT, ReportStatus.RETURNED
        reason = "本期投资与形象进度不匹配，请核实后重新上报。"
        steps_started = "按节点推进，确保完成下月投资计划。"
        steps_waiting = "加快办理前期手续，力争早日开工。"
        waiting = "正在办理前期手续，施工图设计已完成。"
        slow = "资金到位滞后，影响施工进度。"
        progress_texts = (
            "场地平整完成，正在进行基础施工。",
            "主体结构施工中。",
            "主体完工，正在进行装饰装修及设备安装。",
        )
        summaries = self.summaries = {}
        report_id = first_id
        n_offsets = len(SUBMIT_OFFSETS)
        for p in self.projects:
            if not p.years:
                continue
            start = p.actual_start
            start_ord = start.toordinal() if start else 0
            span = max(1, p.planned_completion.toordinal() - start_ord)
            end_month = p.end.year * 12 + p.end.month - 1 if p.end else now_month
            pace, pid = p.pace, p.id
            problems = slow if pace < 0.75 else ""
            for year in p.years:
                monthly = p.monthly[year]
                key = (pid, year)
                for month in range(12):
                    index = year * 12 + month
                    if index > now_month or index > end_month:
                        break
                    period, end, subs, revs, current, recent, opened, on_time = periods[index]
                    roll = random_()
                    if current:
                        if roll < 0.4:
                            continue  # not yet reported
                        status = draft if roll < 0.64 else submitted
                    elif roll < 0.01:
                        continue  # never reported
                    elif recent:
                        if roll < 0.82:
                            status = approved
                        elif roll < 0.92:
                            status = submitted
                        elif roll < 0.97:
                            status = returned
                        else:
                            status = draft
                    else:
                        status = approved if roll < 0.99 else returned
                    if start and start <= end:
                        invested = int(monthly[month] * pace * (0.8 + 0.4 * random_()))
                        percent = min(100.0, (end.toordinal() - start_ord) * 100 * pace / span)
                        text = progress_texts[0 if percent < 30 else 1 if percent < 70 else 2]
                        workers = 20 + int(380 * random_())
                        steps = steps_started
                    else:
                        invested, percent, text, workers, steps = 0, 0.0, waiting, 0, steps_waiting
                    k = int(random_() * n_offsets)
                    submitted_at = subs[k] if status != draft else None
                    reviewed = status is approved or status is returned
                    summary = summaries.get(key)
                    if summary is None:
                        summary = summaries[key] = [0, 0, 0]  # cents, submitted, on time
                    if status is approved:
                        summary[0] += invested
                    if submitted_at:
                        summary[1] += 1
                        summary[2] += on_time[k]
                    yield (
                        report_id,
                        pid,
                        period,
                        status,
                        money(invested),
                        text,
                        f"{percent:.1f}",
                        workers,
                        steps,
                        problems,
                        1,
                        submitted_at,
                        p.submitter if submitted_at else None,
                        revs[k] if reviewed else None,
                        p.reviewer if reviewed else None,
                        reason if status is returned else "",
                        submitted_at or opened,
                        revs[k] if reviewed else submitted_at or opened,
                    )
                    report_id += 1

    def build_reports(self):
        w = self.writer
        fields = [
            "id",
            "project_id",
            "period_id",
            "status",
            "invested",
            "physical_progress",
            "physical_percent",
            "workers",
            "next_steps",
            "problems",
            "version",
            "submitted_at",
            "submitted_by_id",
            "reviewed_at",
            "reviewed_by_id",
            "return_reason",
            "created_at",
            "updated_at",
        ]
        count = w.insert(ProgressReport, fields, self.report_rows(next_id(ProgressReport)))
        self.done(ProgressReport._meta.verbose_name_plural, count)
        # The approved investment per project and year, of the monthly reports: what
        # diaodu.reporting.totals.refresh_summaries() computes, without reading it back.
        rows = (
            (pid, year, money(cents), submitted, on_time)
            for (pid, year), (cents, submitted, on_time) in self.summaries.items()
            if cents or submitted
        )
        fields = ["project_id", "year", "invested", "reports_submitted", "reports_on_time"]
        count = w.insert(InvestmentSummary, fields, rows)
        self.done(InvestmentSummary._meta.verbose_name_plural, count)

    # -- problems and tasks ----------------------------------------------------------------

    def _progress(self, created: date):
        """A status index (0 open .. 4 verified) for something raised on `created`."""
        roll = self.rng.random()
        if (self.today - created).days > 120:
            thresholds = (0.005, 0.01, 0.02, 0.04)
        else:
            thresholds = (0.15, 0.3, 0.6, 0.8)
        return bisect(thresholds, roll)

    def _worker(self, unit):
        users = self.users_of.get(unit)
        return users[0] if users else self.by_role[Role.HEADQUARTERS][0]

    def build_problems(self):
        rng, w, today = self.rng, self.writer, self.today
        listed = [p for p in self.projects if p.years]
        first_id = next_id(Problem)
        statuses = list(ProblemStatus)  # open, accepted, in progress, reported solved, verified
        sources = list(ProblemSource)
        hq, inspectors = self.by_role[Role.HEADQUARTERS], self.by_role[Role.INSPECTOR]
        problems, follow_ups = [], []
        self.problems_of: list[tuple[int, P]] = []
        window = date(self.first_year, 1, 1)
        for i in range(2 * self.n):
            p = rng.choice(listed)
            created = self.day_between(window, min(today, p.end or today))
            category, description, department = rng.choice(names.PROBLEMS)
            roll = rng.random()
            if roll < 0.6:
                unit = self.departments[department % len(self.departments)]
            elif roll < 0.8 and p.top:
                unit = p.top
            else:
                unit = p.lead
            level, leader, escalated = ProblemLevel.UNIT, None, None
            if rng.random() < 0.08:
                if p.top in self.district_leaders and rng.random() < 0.5:
                    level, leader = ProblemLevel.DISTRICT_LEADER, self.district_leaders[p.top][0]
                else:
                    level, leader = ProblemLevel.CITY_LEADER, p.leaders[0]
                escalated = w.stamp(created + timedelta(days=5), 11)
            step = self._progress(created)
            worker = self._worker(unit)
            solved_on = min(created + timedelta(days=rng.randint(5, 60)), today)
            verified_on = min(solved_on + timedelta(days=3), today)
            solved = step >= 3
            verified = step == 4
            problem_id = first_id + i
            problems.append(
                (
                    problem_id,
                    p.id,
                    rng.choice(sources),
                    category,
                    description,
                    unit,
                    leader,
                    level,
                    (created + timedelta(days=rng.randint(15, 90))).isoformat(),
                    statuses[step],
                    p.submitter or hq[0],
                    worker if solved else None,
                    w.stamp(solved_on, 15) if solved else None,
                    rng.choice(inspectors) if verified else None,
                    w.stamp(verified_on, 17) if verified else None,
                    escalated,
                    w.stamp(created, 10),
                    w.stamp(verified_on if verified else solved_on if solved else created, 17),
                )
            )
            if step >= 2:
                follow_ups.append(
                    (
                        problem_id,
                        worker,
                        names.FOLLOW_UPS[min(step - 2, 2)],
                        w.stamp(min(created + timedelta(days=3), today), 14),
                    )
                )
            if step < 4:
                self.problems_of.append((problem_id, p))
        fields = [
            "id",
            "project_id",
            "source",
            "category",
            "description",
            "responsible_unit_id",
            "coordinating_leader_id",
            "level",
            "deadline",
            "status",
            "raised_by_id",
            "solved_by_id",
            "solved_at",
            "verified_by_id",
            "verified_at",
            "escalated_at",
            "created_at",
            "updated_at",
        ]
        self.done(Problem._meta.verbose_name_plural, w.insert(Problem, fields, problems))
        fields = ["problem_id", "author_id", "text", "created_at"]
        count = w.insert(ProblemFollowUp, fields, follow_ups)
        self.done(ProblemFollowUp._meta.verbose_name_plural, count)

    def build_tasks(self):
        rng, w, today = self.rng, self.writer, self.today
        listed = [p for p in self.projects if p.years]
        first_id = next_id(Task)
        statuses = list(TaskStatus)  # assigned, accepted, in progress, reported done, verified
        supervision = list(SupervisionLevel)
        assigners = self.by_role[Role.HEADQUARTERS] + self.by_role[Role.LEADER]
        inspectors = self.by_role[Role.INSPECTOR]
        window = date(self.first_year, 1, 1)
        tasks, units, feedback = [], [], []
        for i in range(2 * self.n):
            task_id = first_id + i
            roll = rng.random()
            problem = None
            if roll < 0.15 and self.problems_of:
                problem, p = rng.choice(self.problems_of)
                source = TaskSource.PROBLEM
            else:
                p = rng.choice(listed) if roll < 0.9 else None
                source = rng.choice(
                    (TaskSource.MEETING, TaskSource.INSTRUCTION, TaskSource.INSPECTION)
                )
            if p is None:
                lead = rng.choice(self.departments)
                created = self.day_between(window, today)
            else:
                lead = p.top if p.top and rng.random() < 0.3 else p.lead
                created = self.day_between(window, min(today, p.end or today))
            step = self._progress(created)
            worker = self._worker(lead)
            done_on = min(created + timedelta(days=rng.randint(5, 60)), today)
            verified_on = min(done_on + timedelta(days=3), today)
            fed_on = min(created + timedelta(days=7), today)
            done = step >= 3
            verified = step == 4
            source_text = (
                f"{created.year}年第{created.month}次重点项目调度会议定事项"
                if source == TaskSource.MEETING
                else ""
            )
            tasks.append(
                (
                    task_id,
                    rng.choice(names.TASK_CONTENTS),
                    p.id if p else None,
                    lead,
                    (created + timedelta(days=rng.randint(10, 90))).isoformat(),
                    source,
                    source_text,
                    rng.choice(supervision),
                    problem,
                    statuses[step],
                    rng.choice(assigners),
                    w.stamp(fed_on, 15) if step >= 2 else None,
                    worker if done else None,
                    w.stamp(done_on, 16) if done else None,
                    rng.choice(inspectors) if verified else None,
                    w.stamp(verified_on, 17) if verified else None,
                    w.stamp(created, 10),
                    w.stamp(verified_on if verified else done_on if done else created, 17),
                )
            )
            if p is not None and p.owner != lead and rng.random() < 0.5:
                units.append((task_id, p.owner))
            if step >= 2:
                feedback.append(
                    (task_id, worker, names.FEEDBACK[min(step - 2, 2)], w.stamp(fed_on, 15))
                )
        fields = [
            "id",
            "content",
            "project_id",
            "lead_unit_id",
            "deadline",
            "source",
            "source_text",
            "supervision",
            "problem_id",
            "status",
            "created_by_id",
            "last_feedback_at",
            "done_by_id",
            "done_at",
            "verified_by_id",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        self.done(Task._meta.verbose_name_plural, w.insert(Task, fields, tasks))
        through = Task.responsible_units.through
        count = w.insert(through, ["task_id", "unit_id"], units)
        self.done(f"{Task._meta.verbose_name} · {Task.responsible_units.field.verbose_name}", count)
        fields = ["task_id", "author_id", "text", "created_at"]
        count = w.insert(TaskFeedback, fields, feedback)
        self.done(TaskFeedback._meta.verbose_name_plural, count)

    # -- the whole ------------------------------------------------------------------------

    def set_aside(self):
        """Set aside the plain indexes and (PostgreSQL) foreign keys of the bulk tables.

        Building an index once over the loaded rows is faster than updating it row by row.
        Django's foreign keys are deferred: checked at commit by one trigger per row, which at
        millions of rows takes longer than writing them; added back, each is checked in one
        query over the whole table, so integrity is still verified. `finish()` restores both,
        within the same transaction.
        """
        tables = [model._meta.db_table for model in bulk_models()]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.writer.postgres:
                # A table with checks pending (the units, users ... just written) cannot be
                # altered: run them now.
                connection.check_constraints()
                cursor.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                    " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"
                    " ORDER BY 1, 2",
                    [tables],
                )
                self.foreign_keys = cursor.fetchall()
                cursor.execute(
                    "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
                    " WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique ORDER BY 1",
                    [tables],
                )
            else:
                self.foreign_keys = []
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                    f" AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks}) ORDER BY name",
                    tables,
                )
            self.indexes = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name if self.writer.postgres else quote(name)}")

    def finish(self):
        """Indexes and foreign keys back; on PostgreSQL, sequences past the ids given here and
        fresh planner statistics."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.writer.postgres:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            if self.writer.postgres:
                models = [Unit, User, Leader, Program, ReportingPeriod, *bulk_models()]
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
                cursor.execute("ANALYZE")

    def build(self) -> Result:
        self.build_units()
        self.build_users()
        self.build_leaders()
        self.build_programs()
        self.set_aside()
        self.build_projects()
        self.build_plans()
        self.build_schedules()
        self.build_reports()
        self.build_problems()
        self.build_tasks()
        self.finish()
        self.done(_("Indexes and constraints restored"))
        from diaodu.monitoring.lights import refresh_lights

        count = refresh_lights(today=self.today)
        self.done(Project._meta.get_field("light").verbose_name, count)
        return Result(counts=self.counts, seconds=time.monotonic() - self.began)


class fast_session:
    """On SQLite, for the duration of the generation: no fsync, the journal in memory, a large
    page cache and no foreign key checks (every id is assigned here). Restored afterwards.

    Only outside a transaction (SQLite ignores these within one); elsewhere a no-op.
    """

    PRAGMAS = {"synchronous": "OFF", "journal_mode": "MEMORY", "cache_size": "-262144"}

    def __enter__(self):
        self.saved = {}
        self.checks_off = False
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return self
        with connection.cursor() as cursor:
            for name, value in self.PRAGMAS.items():
                cursor.execute(f"PRAGMA {name}")
                self.saved[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {value}")
        self.checks_off = connection.disable_constraint_checking()
        return self

    def __exit__(self, *exc):
        if self.checks_off:
            connection.enable_constraint_checking()
        if self.saved:
            with connection.cursor() as cursor:
                for name, value in self.saved.items():
                    cursor.execute(f"PRAGMA {name} = {value}")
        return False


def generate(
    projects: int = 1000,
    seed: int = SEED,
    years: int = 3,
    wipe_first: bool = False,
    today: date | None = None,
    out: Callable[[str], None] | None = None,
) -> Result:
    """Fill the database with a province of `projects` projects, in one transaction."""
    generator = Generator(projects, seed, years, today, out)
    with fast_session(), transaction.atomic():
        if wipe_first:
            wipe()
            generator.done(_("Existing data deleted"))
        result = generator.build()
        # Written in bulk, with no signal: projects, units, leaders and programmes.
        project_set.changed()
        kept.CHOICES.changed()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum would in time: statistics, and the visibility map that lets the
        # dashboard's sums read covering indexes alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return result


__all__ = ["ACCOUNTS", "PASSWORD", "SEED", "Generator", "Result", "Scale", "generate", "has_data"]
