"""Importing a project ledger: check every row, then write the whole file in one transaction.

`check` reads every row against the directory (units, leaders, programmes) and the existing
projects and returns a Plan: what each row will create or change, and every problem with its
row, column and reason. Nothing is written unless the plan has no problems; `apply` then writes
it all at once (in bulk), records each change in the history and refreshes the lights.

A row matches an existing project by 项目代码, else by name and region. A blank cell never
erases anything: it leaves the field as it is.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.history import plain
from diaodu.exchange import columns as cols
from diaodu.exchange.reader import Sheet
from diaodu.org.choices import LeaderLevel, Role, UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.org.permissions import is_active, is_headquarters
from diaodu.projects.models import AnnualPlan, Program, Project
from diaodu.projects.national_code import check_national_code
from diaodu.projects.services import BulkRow, bulk_refusal, do_write_projects_in_bulk

CITY_LEVEL = {"市级", "全市", "市本级", "市直", "跨区县", "city level"}
# Project fields an import may set, in the order of the template.
FIELDS = [
    "name",
    "national_code",
    "region",
    "category",
    "stage",
    "planned_start",
    "planned_completion",
    "total_investment",
    "owner",
    "lead_unit",
    "scope",
]
SIMPLE = {"national_code", "category", "stage", "total_investment", "scope"}
# The column of a project field, where they differ.
COLUMN_OF = {"planned_start": "period", "planned_completion": "period"}
UNIT_FIELDS = {"region": UnitKind.REGION, "owner": UnitKind.ENTERPRISE,
               "lead_unit": UnitKind.DEPARTMENT}  # fmt: skip


@dataclass
class Problem:
    row: int  # 0: the file as a whole
    column: str  # the header as written in the file
    message: str
    index: int | None = None  # the column's position, to mark the cell

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class NewName:
    """A unit or leader the file names that does not exist yet, to be created on apply."""

    kind: str  # a UnitKind, or "leader"
    name: str

    def __str__(self):
        return self.name


@dataclass
class RowPlan(BulkRow):
    """What one row will write (see BulkRow), with its row number and the names to create."""

    row: int = 0
    refs: dict = field(default_factory=dict)  # unit fields holding a NewName


@dataclass
class Plan:
    year: int
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    to_create: set = field(default_factory=set)  # NewName
    unused_headers: list[str] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict:
        return {
            "created": self.count("create"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "skipped": len(self.skipped),
            "problems": len(self.problems),
        }

    @property
    def ok(self) -> bool:
        return not self.problems


def can_import(user) -> bool:
    """Headquarters imports any ledger; a region, the projects in its area."""
    return is_headquarters(user) or (is_active(user) and user.role == Role.REGION)


class Directory:
    """Units, leaders and programmes by every name they go by (one query each)."""

    def __init__(self, year: int):
        self.units = defaultdict(set)
        self.regions = defaultdict(set)
        self.unit_names = {}
        for unit in Unit.objects.only("name", "short_name", "aliases", "kind"):
            self.unit_names[unit.pk] = str(unit)
            for name in {unit.name, unit.short_name, *(unit.aliases or [])}:
                if name:
                    self.units[name.strip()].add(unit.pk)
                    if unit.kind == UnitKind.REGION:
                        self.regions[name.strip()].add(unit.pk)
        self.leaders = defaultdict(set)
        self.leader_names = {}
        for leader in Leader.objects.only("name", "title"):
            self.leader_names[leader.pk] = leader.name
            self.leaders[leader.name].add(leader.pk)
            if leader.title:
                for form in (f"{leader.name}（{leader.title}）", f"{leader.name}({leader.title})"):
                    self.leaders[form].add(leader.pk)
        self.programs = defaultdict(set)
        self.program_names = {}
        for program in Program.objects.filter(year=year).only("name", "code"):
            self.program_names[program.pk] = program.name
            self.programs[program.name].add(program.pk)
            self.programs[program.code].add(program.pk)


class ProjectImport:
    """One import of one file by one user; `check` first, then `apply` if it is clean."""

    def __init__(
        self, user, *, program=None, year=None, create_missing=False, progress=None, source=""
    ):
        if not can_import(user):
            raise PermissionDenied(_("You cannot import projects."))
        self.user = user
        self.program = program
        self.year = program.year if program else (year or timezone.localdate().year)
        self.create_missing = create_missing
        self.progress = progress or (lambda done, total: None)
        self.source = source

    # Checking ----------------------------------------------------------------------------

    def check(self, sheet: Sheet) -> Plan:
        plan = Plan(year=self.year, unused_headers=sheet.unused_headers)
        used = sheet.used
        headers = sheet.headers
        plan_year = next(
            (h.year for h in headers if h is not None and h.key == "annual_planned" and h.year),
            self.year,
        )
        plan.year = plan_year
        self.directory = Directory(plan_year)
        if self.create_missing and not is_headquarters(self.user):
            plan.problems.append(
                Problem(0, "", _("Only headquarters may create units and leaders by importing."))
            )
            return plan
        if self.program is not None and not is_headquarters(self.user):
            plan.problems.append(
                Problem(0, "", _("Only headquarters puts projects in programmes."))
            )
            return plan
        self._load_projects(plan_year)
        seen_codes, seen_keys, seen_projects = {}, {}, {}
        total = len(sheet.rows)
        for done, (number, cells) in enumerate(sheet.rows, start=1):
            if done % 200 == 0:
                self.progress(done, total)
            self._check_row(plan, sheet, used, number, cells, seen_codes, seen_keys, seen_projects)
        self.progress(total, total)
        if not plan.rows and not plan.problems:
            plan.problems.append(Problem(0, "", _("The file holds no projects to import.")))
        return plan

    def _load_projects(self, year):
        self.by_code = {}
        self.by_name = defaultdict(list)
        self.projects = {}
        # Whole rows: validating a partly loaded instance would fetch the rest one by one.
        for project in Project.objects.order_by("pk").iterator(chunk_size=5000):
            self.projects[project.pk] = project
            if project.national_code:
                self.by_code[project.national_code] = project
            self.by_name[project.name].append(project)
        self.visible = (
            None
            if self.user.sees_everything
            else set(Project.objects.visible_to(self.user).values_list("pk", flat=True))
        )
        self.responsible = defaultdict(set)
        for pid, uid in Project.responsible_units.through.objects.values_list(
            "project_id", "unit_id"
        ):
            self.responsible[pid].add(uid)
        self.leaders = defaultdict(set)
        for pid, lid in Project.leaders.through.objects.values_list("project_id", "leader_id"):
            self.leaders[pid].add(lid)
        self.memberships = defaultdict(set)
        for pid, gid in Project.programs.through.objects.values_list("project_id", "program_id"):
            self.memberships[pid].add(gid)
        self.plans = dict(
            AnnualPlan.objects.filter(year=year).values_list("project_id", "planned_investment")
        )

    def _check_row(self, plan, sheet, used, number, cells, seen_codes, seen_keys, seen_projects):
        def cell(key):
            index = used.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        if all(cols.is_blank(cell(key)) for key in used):
            return
        name = cols.text(cell("name"))
        others_blank = all(cols.is_blank(cell(key)) for key in used if key != "name")
        if cols.TOTAL_ROW.match(name) or (others_blank and cols.SECTION_ROW.search(name)):
            plan.skipped.append(number)
            return
        problems = []

        def problem(key, message):
            index = used.get(key)
            header = sheet.headers[index].text if index is not None else ""
            problems.append(Problem(number, header, str(message), index))

        for key, index in used.items():
            if (number, index) in sheet.formulas_without_value:
                problem(
                    key,
                    _(
                        "The cell holds a formula with no saved value; open the file in Excel "
                        "and save it, or paste the column as values."
                    ),
                )
        values = {}
        if not name:
            problem("name", _("The project name is missing."))
        elif len(name) > 200:
            problem("name", _("The project name is longer than 200 characters."))
        readers = {
            "category": cols.category,
            "stage": cols.stage,
            "period": cols.period,
            "total_investment": lambda v: cols.money(
                v, sheet.headers[used["total_investment"]].factor
            ),
            "annual_planned": lambda v: cols.money(v, sheet.headers[used["annual_planned"]].factor),
            "scope": cols.text,
        }
        for key, reader in readers.items():
            if key in used and not cols.is_blank(cell(key)):
                try:
                    values[key] = reader(cell(key))
                except cols.CellError as error:
                    problem(key, error)
        code = cols.text(cell("national_code"))
        if code:
            try:
                checked = check_national_code(code)
                values["national_code"] = checked.code
                for warning in checked.warnings:
                    index = used["national_code"]
                    plan.warnings.append(Problem(number, sheet.headers[index].text, warning, index))
            except ValidationError as error:
                problem("national_code", error.messages[0])
        for key in UNIT_FIELDS:
            raw = cols.text(cell(key))
            if raw:
                found = self._unit(key, raw, problem)
                if found is not False:
                    values[key] = found
        for key, kind in (("responsible_units", UnitKind.DEPARTMENT), ("leaders", "leader")):
            if key in used and not cols.is_blank(cell(key)):
                refs = set()
                for item in cols.names(cell(key)):
                    found = (
                        self._leader(item, problem)
                        if kind == "leader"
                        else self._unit_by_name(key, item, kind, self.directory.units, problem)
                    )
                    if found is not False:
                        refs.add(found)
                values[key] = refs
        programs = set()
        for item in cols.names(cell("programs")):
            ids = self.directory.programs.get(item, set())
            if len(ids) != 1:
                problem(
                    "programs",
                    _("There is no programme “%(name)s” in %(year)d.")
                    % {"name": item, "year": plan.year},
                )
            else:
                programs |= ids
        if self.program is not None:
            programs.add(self.program.pk)

        # Which project is this row?
        match = None
        region = values.get("region", ...)  # ...: not given
        if "national_code" in values:
            match = self.by_code.get(values["national_code"])
        if match is None and name:
            candidates = self.by_name.get(name, [])
            if region is not ...:
                rid = -1 if isinstance(region, NewName) else region  # a new region: no match
                candidates = [p for p in candidates if p.region_id == rid]
            if len(candidates) > 1:
                problem(
                    "name",
                    _(
                        "%(count)d projects are called “%(name)s”; give the region or the "
                        "project code to say which."
                    )
                    % {"count": len(candidates), "name": name},
                )
            elif candidates:
                match = candidates[0]
                if (
                    "national_code" in values
                    and match.national_code
                    and match.national_code != values["national_code"]
                ):
                    problem(
                        "national_code",
                        _(
                            "The project “%(name)s” already has the project code %(code)s; "
                            "a different code here would make it another project."
                        )
                        % {"name": name, "code": match.national_code},
                    )
                    match = None

        # Repeats within the file.
        if "national_code" in values:
            first = seen_codes.setdefault(values["national_code"], number)
            if first != number:
                problem(
                    "national_code",
                    _("The same project code is on row %(row)d.") % {"row": first},
                )
        key = (name, region if region is not ... else None)
        first = seen_keys.setdefault(key, number) if match is None else number
        if first != number:
            problem("name", _("The same project is on row %(row)d.") % {"row": first})
        if match is not None:
            first = seen_projects.setdefault(match.pk, number)
            if first != number:
                problem("name", _("The same project is on row %(row)d.") % {"row": first})

        # May this user touch it?
        if not self.user.sees_everything:
            if match is not None and match.pk not in self.visible:
                problem("name", _("This project is not in your area."))
            target_region = region if region is not ... else (match.region_id if match else None)
            if not isinstance(target_region, int) or target_region not in self.user.scope_unit_ids:
                problem("region", _("You may only import projects in your area."))

        if problems:
            plan.problems.extend(problems)
            return
        row = self._plan_row(number, name, values, programs, match, used, problem)
        refusal = bulk_refusal(self.user, row) if not problems else None
        if refusal is not None:  # the same rules as every other write of a project
            key, message = refusal
            column = COLUMN_OF.get(key, key)
            problem(column if column in used else "name", message)
        if problems:  # the model's own checks
            plan.problems.extend(problems)
            return
        plan.rows.append(row)
        for value in [*row.refs.values(), *row.m2m.get("responsible_units", ()),
                      *row.m2m.get("leaders", ())]:  # fmt: skip
            if isinstance(value, NewName):
                plan.to_create.add(value)

    def _unit(self, key, raw, problem):
        if key == "region":
            if raw in CITY_LEVEL or raw.lower() in CITY_LEVEL:
                return None
            return self._unit_by_name(key, raw, UnitKind.REGION, self.directory.regions, problem)
        return self._unit_by_name(key, raw, UNIT_FIELDS[key], self.directory.units, problem)

    def _unit_by_name(self, key, raw, kind, table, problem):
        ids = table.get(raw, set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            problem(
                key, _("“%(name)s” names more than one unit; write its full name.") % {"name": raw}
            )
            return False
        if self.create_missing:
            return NewName(kind, raw)
        problem(
            key,
            _("Unknown unit “%(name)s”; add it (or an alias) to the units first.") % {"name": raw}
            if key != "region"
            else _("Unknown region “%(name)s”.") % {"name": raw},
        )
        return False

    def _leader(self, raw, problem):
        ids = self.directory.leaders.get(raw, set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            problem(
                "leaders",
                _("More than one leader is called “%(name)s”; write the title too, as %(example)s.")
                % {"name": raw, "example": f"{raw}（副市长）"},
            )
            return False
        if self.create_missing:
            return NewName("leader", raw)
        problem("leaders", _("Unknown leader “%(name)s”.") % {"name": raw})
        return False

    def _plan_row(self, number, name, values, programs, match, used, problem):
        directory = self.directory
        creating = match is None
        project = Project(name=name) if creating else match
        before = {} if creating else self._recorded(project)
        row = RowPlan(row=number, action="create" if creating else "update", project=project)
        if not creating and name and name != project.name:
            project.name = name
        for key in SIMPLE:
            if key in values:
                setattr(project, key, values[key])
        for key in UNIT_FIELDS:
            if key in values:
                value = values[key]
                if isinstance(value, NewName):
                    row.refs[key] = value
                    setattr(project, f"{key}_id", None)
                else:
                    setattr(project, f"{key}_id", value)
        if "period" in values:
            period = values["period"]
            if creating or not period.agrees_with(
                project.planned_start, project.planned_completion
            ):
                project.planned_start, project.planned_completion = period.start, period.end
        try:
            project.clean_fields(exclude=["region", "owner", "lead_unit"])
            project.clean()
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                key = {"planned_completion": "period", "planned_start": "period"}.get(
                    field_name, field_name
                )
                for message in messages:
                    problem(key if key in used else "name", message)
        after = self._recorded(project, row.refs)
        for key in ("responsible_units", "leaders"):
            if key not in values:
                continue
            current = (
                (self.responsible if key == "responsible_units" else self.leaders).get(
                    project.pk, set()
                )
                if not creating
                else set()
            )
            new = values[key]
            if new != current:
                row.m2m[key] = new
                row.m2m_before[key] = current
                names = (
                    directory.unit_names if key == "responsible_units" else directory.leader_names
                )
                before_names = sorted(names.get(i, str(i)) for i in current)
                after_names = sorted(str(i) if isinstance(i, NewName) else names[i] for i in new)
                if before_names != after_names:
                    before[key], after[key] = before_names, after_names
        current_programs = set() if creating else self.memberships.get(project.pk, set())
        row.programs = programs - current_programs
        if row.programs:
            before["programs"] = sorted(
                directory.program_names.get(i, "") for i in current_programs
            )
            after["programs"] = sorted(
                directory.program_names.get(i, "") for i in current_programs | row.programs
            )
        if "annual_planned" in values:
            row.plan_before = None if creating else self.plans.get(project.pk)
            if row.plan_before != values["annual_planned"]:
                row.annual = values["annual_planned"]
        row.changes = {
            key: [before.get(key), after.get(key)]
            for key in after.keys() | before.keys()
            if before.get(key) != after.get(key)
        }
        if not creating and not row.changes and row.annual is None:
            row.action = "unchanged"
        return row

    def _recorded(self, project, refs=None) -> dict:
        """The import's fields of a project as the history records them."""
        names = self.directory.unit_names
        data = {}
        for key in FIELDS:
            if key in UNIT_FIELDS:
                if refs and key in refs:
                    data[key] = refs[key].name
                else:
                    uid = getattr(project, f"{key}_id")
                    data[key] = names.get(uid) if uid else None
            else:
                data[key] = plain(getattr(project, key))
        return data

    # Writing -----------------------------------------------------------------------------

    @transaction.atomic
    def apply(self, plan: Plan) -> Plan:
        """Write a clean plan: every row or, on any error, none (through the project service's
        bulk write, which checks each row against the same rules as every other write)."""
        if not plan.ok:
            raise ValueError("a plan with problems cannot be applied")
        created = self._create_missing(plan)
        rows = [row for row in plan.rows if row.action in ("create", "update")]
        for row in rows:
            for key, ref in row.refs.items():
                setattr(row.project, f"{key}_id", created[ref])
            for key, refs in row.m2m.items():
                row.m2m[key] = {created[r] if isinstance(r, NewName) else r for r in refs}
        do_write_projects_in_bulk(self.user, rows, year=plan.year, reason=self._reason())
        plan.applied = True
        return plan

    def _create_missing(self, plan) -> dict:
        created = {}
        for ref in sorted(plan.to_create, key=lambda r: (r.kind, r.name)):
            if ref.kind == "leader":
                leader = Leader.objects.create(name=ref.name, level=LeaderLevel.CITY)
                created[ref] = leader.pk
                continue
            unit = Unit.objects.filter(name=ref.name).first()
            if unit is None:
                code = "imp-" + hashlib.sha1(ref.name.encode()).hexdigest()[:12]
                unit = Unit.objects.create(name=ref.name, code=code, kind=ref.kind)
            created[ref] = unit.pk
        return created

    def _reason(self) -> str:
        return _("Imported from %(file)s") % {"file": self.source} if self.source else _("Imported")
