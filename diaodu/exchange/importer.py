"""Importing a project ledger: check every row, then write the whole file in one transaction.

`check` reads every row against the directory (units, leaders, programmes) and the existing
projects and returns a Plan: what each row will create or change, and every problem with its
row, column and reason. Nothing is written unless the plan has no problems; `apply` then writes
it all at once (in bulk), records each change in the history and refreshes the lights.

A row matches an existing project by 项目代码, else by name and region. A blank cell never
erases anything: it leaves the field as it is.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.bulk import batches
from diaodu.core.history import plain
from diaodu.exchange import columns as cols
from diaodu.exchange.reader import Ledger, Sheet
from diaodu.org.choices import LeaderLevel, Role, UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.org.permissions import is_active, is_headquarters
from diaodu.projects.models import TAGS_MAX, ZERO, AnnualPlan, Program, Project, merge_tags
from diaodu.projects.national_code import check_national_code
from diaodu.projects.national_code import normalise as normalise_code
from diaodu.projects.services import BulkRow, bulk_refusal, do_write_projects_in_bulk

if TYPE_CHECKING:
    from diaodu.exchange.details import DetailPlan

CITY_LEVEL = {"市级", "全市", "市本级", "市直", "跨区县", "city level"}
# Project fields an import may set, in the order of the template.
FIELDS = [
    "name",
    "national_code",
    "region",
    "address",
    "category",
    "tags",
    "stage",
    "planned_start",
    "planned_completion",
    "total_investment",
    "owner",
    "lead_unit",
    "scope",
    "longitude",
    "latitude",
]
SIMPLE = {
    "national_code",
    "category",
    "tags",
    "stage",
    "total_investment",
    "scope",
    "address",
    "longitude",
    "latitude",
}
# Cells that name a project's own units, dates or code: a row with any of them is a project,
# whatever its name looks like.
IDENTITY = {
    "region",
    "national_code",
    "owner",
    "lead_unit",
    "responsible_units",
    "leaders",
    "period",
    "planned_start",
    "planned_completion",
    "scope",
    "targets",
    "longitude",
    "latitude",
}
# A county's or district's government (全州县政府, 秀峰区人民政府): the region itself.
GOVERNMENT = re.compile(r"^(?:.{2,6}?市)?(.{1,8}?(?:区|县|市|旗))(?:人民)?政府$")
# A region named in a place: the shortest unit name that could stand alone.
REGION_NAME = re.compile(r"^.{1,10}(?:区|县|市|旗|镇|乡|街道)$")
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
    sheet: str = ""  # the sheet's name, in a file of several

    def as_dict(self):
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "sheet": self.sheet,
        }


@dataclass
class Section:
    """A category row (一、基础设施, （一）交通, ——铁路) and the projects under it."""

    row: int
    depth: int
    label: str
    meaning: tuple[str, str] | None  # ("stage" or "category", value) it gives its projects
    tag: str = ""  # where it names no known stage or category: the tag it gives them
    stated: dict = field(default_factory=dict)  # key: the subtotal the row carries
    sums: dict = field(default_factory=dict)  # key: the sum of its projects' amounts
    projects: int = 0


@dataclass
class SheetReport:
    """What the dry run understood of one sheet: columns, categories and totals."""

    name: str
    header_row: int
    signature: str = ""
    columns: list[dict] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)  # rows of 合计, 小计, 其中
    projects: int = 0
    imported: dict = field(default_factory=dict)  # key: the sum of the project rows
    stated: dict = field(default_factory=dict)  # key: the file's own 合计, where it gives one
    # What the sheet's name gives its projects: a stage or category, else a tag (or nothing).
    meaning: tuple[str, str] | None = None
    tag: str = ""


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
    sheets: list[SheetReport] = field(default_factory=list)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)
    # What the sheets of projects' details will write (diaodu.exchange.details).
    details: "DetailPlan | None" = None

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
        # Region names, longest first: the one a place names is the longest it contains.
        self.region_names = sorted(self.regions, key=len, reverse=True)
        self.programs = defaultdict(set)
        self.program_names = {}
        for program in Program.objects.filter(year=year).only("name", "code"):
            self.program_names[program.pk] = program.name
            self.programs[program.name].add(program.pk)
            self.programs[program.code].add(program.pk)

    def region_in(self, place: str) -> int | None:
        """The one region a place (桂林市秀峰区甲山街道) names, or None."""
        for name in self.region_names:
            if len(name) >= 2 and name in place:
                ids = self.regions[name]
                return next(iter(ids)) if len(ids) == 1 else None
        return None

    def other_forms(self, name: str, table) -> set:
        """The units a name means when written another way: a county's or district's
        government (全州县政府, 秀峰区人民政府) is the region; 市交通运输局 is 交通运输局."""
        match = GOVERNMENT.match(name)
        if match and match.group(1) in self.regions:
            return self.regions[match.group(1)]
        if name.startswith("市") and name[1:] in table:
            return table[name[1:]]
        if f"市{name}" in table:
            return table[f"市{name}"]
        return set()


class SheetRow:
    """One row of a sheet as the check reads it: its cells by field, what kind of row it is,
    and the category rows (sections) above it."""

    def __init__(self, sheet, report, sections, number, cells):
        self.sheet, self.report, self.sections = sheet, report, sections
        self.number, self.cells = number, cells
        self.used = sheet.used

    def raw(self, key):
        index = self.used.get(key)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def cell(self, key):
        """The cell of a field; a placeholder (待定, 无, —) is read as blank, except as a name."""
        value = self.raw(key)
        return None if key != "name" and cols.is_placeholder(value) else value

    def label(self) -> str:
        """The row's name, or the first words of a row with none (a merged category cell)."""
        name = cols.text(self.cell("name"))
        if name:
            return name
        for value in self.cells:
            if isinstance(value, str) and value.strip() and not cols.is_placeholder(value):
                return value.strip()
        return ""

    def number_cell(self) -> str:
        """The row's 序号, as text ("" if the sheet has no such column)."""
        index = self.sheet.number_column
        value = self.cells[index] if index is not None and index < len(self.cells) else None
        return cols.text(value)

    def kind(self) -> str:
        """ "blank", "total" (合计, 小计, 其中), "section" (a category row) or "project"."""
        if all(cols.is_blank(value) or cols.is_placeholder(value) for value in self.cells):
            return "blank"
        label = self.label()
        if not label:
            return "project" if any(not cols.is_blank(self.cell(k)) for k in self.used) else "blank"
        if cols.TOTAL_ROW.search(label) or cols.TOTAL_ROW.search(self.number_cell()):
            return "total"
        if cols.category_mark(label) is not None:
            return "section"
        if cols.CHINESE_NUMBER.match(self.number_cell()):  # 一 or （一） in the 序号 column
            return "section"
        identity = [key for key in IDENTITY if key in self.used]
        own = any(not cols.is_blank(self.cell(key)) for key in identity)
        if not own and (
            # A numbered name is a category only where the sheet could say otherwise.
            (identity and cols.NUMBERED[1].match(label))
            or cols.COUNT.search(label)
            or not cols.text(self.cell("name"))
        ):
            return "section"
        return "project"

    def depth(self) -> int:
        label = self.label()
        depth = cols.category_mark(label)
        number = self.number_cell()
        if depth is None and cols.CHINESE_NUMBER.match(number):
            depth = 2 if number.lstrip().startswith(("（", "(")) else 1
        if depth is None and cols.NUMBERED[1].match(label):
            depth = cols.NUMBERED[0]
        return depth or 1

    def amounts(self) -> dict:
        """The amounts a total or category row states: a number, or the text it holds."""
        found = {}
        for key in ("total_investment", "annual_planned"):
            value = self.cell(key)
            if key in self.used and not cols.is_blank(value):
                try:
                    found[key] = cols.money(value, self.sheet.factor(key))
                except cols.CellError:
                    found[key] = str(value).strip()
        return found

    def add_amounts(self, values) -> None:
        """Count a project's amounts in its sheet and in every category above it."""
        for key in ("total_investment", "annual_planned"):
            if isinstance(values.get(key), Decimal):
                for totals in (self.report.imported, *(s.sums for s in self.sections)):
                    totals[key] = totals.get(key, ZERO) + values[key]

    def tags(self) -> list[str]:
        """The tags the sheet's name and the category rows above give, outermost first."""
        return merge_tags([], [self.report.tag, *(s.tag for s in self.sections)])

    def section_value(self, key: str):
        """The stage or category the nearest category row above (or the sheet's name) gives."""
        for section in reversed(self.sections):
            if section.meaning and section.meaning[0] == key:
                return section.meaning[1]
        meaning = self.sheet.meaning
        return meaning[1] if meaning and meaning[0] == key else None

    def same_as(self, first, code: bool) -> str:
        """The same project (or project code) was on an earlier row, of this sheet or another."""
        sheet, row = first
        if sheet == self.sheet.name:
            message = (
                _("The same project code is on row %(row)d.")
                if code
                else _("The same project is on row %(row)d.")
            )
        else:
            message = (
                _("The same project code is on row %(row)d of the sheet “%(sheet)s”.")
                if code
                else _("The same project is on row %(row)d of the sheet “%(sheet)s”.")
            )
        return message % {"row": row, "sheet": sheet}


def columns_understood(sheet) -> list[dict]:
    """Each column of a sheet as the dry run shows it: its header, the field it fills (or why
    it is left aside), and for amounts the unit they are read in."""
    used = sheet.used
    understood = []
    for index, header in enumerate(sheet.headers):
        text = sheet.header_texts[index] if index < len(sheet.header_texts) else ""
        text = text or (header.text if header is not None else "")
        if not text:
            continue
        entry = {"index": index, "header": text, "field": "", "unit": "", "note": ""}
        if header is None:
            entry["note"] = "unknown"
        elif header.key == "derived":
            entry["note"] = "derived"
        elif used.get(header.key) != index:
            entry["field"], entry["note"] = header.key, "repeated"
        else:
            entry["field"] = header.key
            if header.key in ("total_investment", "annual_planned"):
                factor = sheet.factor(header.key)
                entry["unit"] = "亿元" if factor == cols.TEN_THOUSAND else "万元"
            if header.year:
                entry["year"] = header.year
        understood.append(entry)
    return understood


# Ids or names per query: within what every database accepts as the parameters of one query.
CHUNK = 2000


def _named_in(ledger: Ledger) -> tuple[set[str], set[str]]:
    """The project names and 项目代码 a file's sheets give (the codes as written and as
    checked), to look up only those projects."""
    names, codes = set(), set()
    for sheet in [*ledger.sheets, *ledger.details]:
        name_at, code_at = sheet.used.get("name"), sheet.used.get("national_code")
        for _number, cells in sheet.rows:
            if name_at is not None and name_at < len(cells):
                name = cols.text(cells[name_at])
                if name:
                    names.add(name)
            if code_at is not None and code_at < len(cells):
                code = cols.text(cells[code_at])
                if code:
                    codes.update((code, normalise_code(code)))
    return names, codes


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

    def check(self, ledger: Ledger | Sheet) -> Plan:
        if isinstance(ledger, Sheet):
            ledger = Ledger([ledger])
        sheets = ledger.sheets
        plan = Plan(
            year=self.year,
            unused_headers=[text for sheet in sheets for text in sheet.unused_headers],
            skipped_sheets=list(ledger.skipped),
        )
        plan_year = next(
            (
                h.year
                for sheet in sheets
                for h in sheet.headers
                if h is not None and h.key in ("annual_planned", "targets") and h.year
            ),
            self.year,
        )
        plan.year = plan_year
        if self.program is not None and plan_year != self.program.year:
            plan.warnings.append(
                Problem(
                    0,
                    "",
                    _(
                        "The file's header gives the plans of %(file)d, the programme is of "
                        "%(program)d: the annual plans are imported for %(file)d."
                    )
                    % {"file": plan_year, "program": self.program.year},
                )
            )
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
        self._load_projects(plan_year, ledger)
        seen = ({}, {}, {})  # project codes, (name, region) and projects: the row that had them
        total, done = ledger.row_count, 0
        for sheet in sheets:
            report = SheetReport(
                sheet.name,
                sheet.header_row,
                sheet.signature,
                meaning=sheet.meaning,
                # A sheet's name is a tag where the file has several sheets of projects: the
                # one sheet of a file is named after the file, not after its projects.
                tag=cols.sheet_tag(sheet.name) if not sheet.meaning and len(sheets) > 1 else "",
                columns=columns_understood(sheet),
            )
            plan.sheets.append(report)
            sections: list[Section] = []
            for number, cells in sheet.rows:
                done += 1
                if done % 200 == 0:
                    self.progress(done, total)
                row = SheetRow(sheet, report, sections, number, cells)
                self._check_row(plan, row, seen)
            self._close_sections(plan, sheet, sections, depth=0)
            self._compare_totals(plan, sheet, report)
        self.progress(total, total)
        if ledger.details:
            self._check_details(plan, ledger)
        if not plan.rows and not plan.problems and not ledger.details:
            plan.problems.append(Problem(0, "", _("The file holds no projects to import.")))
        return plan

    def _load_projects(self, year, ledger):
        """The existing projects the file may name (by 项目代码 or by name, on any of its sheets)
        and what the check compares them with: a file of 10,000 rows reads those, not the whole
        ledger of a province."""
        names, codes = _named_in(ledger)
        self.by_code = {}
        self.by_name = defaultdict(list)
        self.projects = {}
        # Whole rows: validating a partly loaded instance would fetch the rest one by one.
        for field_name, wanted in (("national_code", codes), ("name", names)):
            for chunk in batches(sorted(wanted), CHUNK):
                for project in Project.objects.filter(**{f"{field_name}__in": chunk}):
                    self.projects.setdefault(project.pk, project)
        for project in sorted(self.projects.values(), key=lambda p: p.pk):
            if project.national_code:
                self.by_code[project.national_code] = project
            self.by_name[project.name].append(project)
        ids = sorted(self.projects)
        self.visible = None if self.user.sees_everything else set()
        self.responsible = defaultdict(set)
        self.leaders = defaultdict(set)
        self.memberships = defaultdict(set)
        self.plans, self.targets = {}, {}
        for chunk in batches(ids, CHUNK):
            if self.visible is not None:
                self.visible.update(
                    Project.objects.visible_to(self.user)
                    .filter(pk__in=chunk)
                    .values_list("pk", flat=True)
                )
            for pid, uid in Project.responsible_units.through.objects.filter(
                project_id__in=chunk
            ).values_list("project_id", "unit_id"):
                self.responsible[pid].add(uid)
            for pid, lid in Project.leaders.through.objects.filter(
                project_id__in=chunk
            ).values_list("project_id", "leader_id"):
                self.leaders[pid].add(lid)
            for pid, gid in Project.programs.through.objects.filter(
                project_id__in=chunk
            ).values_list("project_id", "program_id"):
                self.memberships[pid].add(gid)
            for pid, planned, targets in AnnualPlan.objects.filter(
                year=year, project_id__in=chunk
            ).values_list("project_id", "planned_investment", "targets"):
                self.plans[pid], self.targets[pid] = planned, targets

    def _check_row(self, plan, line, seen):
        seen_codes, seen_keys, seen_projects = seen
        sheet, used, number, cell = line.sheet, line.used, line.number, line.cell
        kind = line.kind()
        if kind == "blank":
            return
        if kind == "total":
            plan.skipped.append(number)
            self._record_total(plan, line)
            return
        if kind == "section":
            plan.skipped.append(number)
            self._open_section(plan, line)
            return
        line.report.projects += 1
        for section in line.sections:
            section.projects += 1
        name = cols.text(cell("name"))
        problems = []

        def problem(key, message):
            index = used.get(key)
            header = sheet.headers[index].text if index is not None else ""
            problems.append(Problem(number, header, str(message), index, sheet.name))

        def warning(key, message):
            index = used.get(key)
            header = sheet.headers[index].text if index is not None else ""
            plan.warnings.append(Problem(number, header, str(message), index, sheet.name))

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
            "planned_start": lambda v: cols.day(v, end=False),
            "planned_completion": lambda v: cols.day(v, end=True),
            "total_investment": lambda v: cols.money(v, sheet.factor("total_investment")),
            "annual_planned": lambda v: cols.money(v, sheet.factor("annual_planned")),
            "longitude": lambda v: cols.coordinate(v, limit=180),
            "latitude": lambda v: cols.coordinate(v, limit=90),
            "scope": cols.text,
            "targets": cols.text,
        }
        for key, reader in readers.items():
            if key in used and not cols.is_blank(cell(key)):
                try:
                    values[key] = reader(cell(key))
                except cols.CellWarning as error:
                    warning(key, error)
                except cols.CellError as error:
                    problem(key, error)
        line.add_amounts(values)
        code = cols.text(cell("national_code"))
        if code:
            try:
                checked = check_national_code(code)
                values["national_code"] = checked.code
                for message in checked.warnings:
                    warning("national_code", message)
            except ValidationError as error:
                problem("national_code", error.messages[0])
        others = []  # the second and later units of a cell that names several
        for key in UNIT_FIELDS:
            items = cols.names(cell(key))
            if not items:
                continue
            if key == "region" and len(items) > 1:
                warning(
                    "region",
                    _("Several regions are named; the project is taken as the city's own."),
                )
                values["region"] = None
                continue
            found = self._unit(key, items[0], problem, values)
            if found is not False:
                values[key] = found
            if key != "region":
                others += items[1:]
        if "region" not in values:
            region = self._region_of_government(
                [
                    *cols.names(cell("responsible_units")),
                    *cols.names(cell("lead_unit")),
                    *cols.names(cell("owner")),
                ]  # fmt: skip
            )
            if region is not None:
                values["region"] = region
        for key, kind in (("responsible_units", UnitKind.DEPARTMENT), ("leaders", "leader")):
            items = cols.names(cell(key)) + (others if key == "responsible_units" else [])
            if items:
                refs = set()
                for item in items:
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
        here = (sheet.name, number)
        if "national_code" in values:
            first = seen_codes.setdefault(values["national_code"], here)
            if first != here:
                problem("national_code", line.same_as(first, code=True))
        key = (name, region if region is not ... else None)
        first = seen_keys.setdefault(key, here) if match is None else here
        if first != here:
            problem("name", line.same_as(first, code=False))
        if match is not None:
            first = seen_projects.setdefault(match.pk, here)
            if first != here:
                problem("name", line.same_as(first, code=False))

        # A new project takes the stage and category of the category rows above it (or of
        # the sheet's name) where its own cells give none; an existing one keeps its own.
        if match is None:
            for key in ("stage", "category"):
                if key not in values and cols.is_blank(cell(key)):
                    given = line.section_value(key)
                    if given is not None:
                        values[key] = given
        # The category rows that name no known category or stage are kept as tags, added to
        # those the project has (never duplicated, never taken away).
        tags = line.tags()
        if tags:
            current = list(match.tags) if match is not None else []
            merged = merge_tags(current, tags)
            if len(merged) > TAGS_MAX:
                warning(
                    "name",
                    _("A project has at most %(limit)d tags; %(tags)s left aside.")
                    % {"limit": TAGS_MAX, "tags": "、".join(merged[TAGS_MAX:])},
                )
                merged = merged[:TAGS_MAX]
            if merged != current:
                values["tags"] = merged

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

    def _unit(self, key, raw, problem, values):
        if key != "region":
            return self._unit_by_name(key, raw, UNIT_FIELDS[key], self.directory.units, problem)
        if raw in CITY_LEVEL or raw.lower() in CITY_LEVEL:
            return None
        regions = self.directory.regions
        if raw not in regions and not GOVERNMENT.match(raw):
            # A place (建设地点): the region it names, and the place as the address.
            named = self.directory.region_in(raw)
            if named is not None:
                values["address"] = raw[:200]
                return named
            if not (self.create_missing and REGION_NAME.match(raw)):
                problem("region", _("Unknown region “%(name)s”.") % {"name": raw})
                return False
        return self._unit_by_name(key, raw, UnitKind.REGION, regions, problem)

    # The sheets of projects' details -----------------------------------------------------

    def _check_details(self, plan, ledger) -> None:
        """Check the annual plans, milestones, approvals and funding lines of the file's detail
        sheets against the projects as the project sheets leave them."""
        from diaodu.exchange.details import DetailImport  # it builds on this module

        plan.details = DetailImport(self, plan).check(ledger.details)

    # Category and total rows -----------------------------------------------------------

    def _open_section(self, plan, line) -> None:
        depth = line.depth()
        self._close_sections(plan, line.sheet, line.sections, depth)
        label = line.label()
        meaning = cols.section_meaning(label)
        section = Section(
            row=line.number,
            depth=depth,
            label=cols.category_text(label) or label,
            meaning=meaning,
            tag=cols.section_tag(label) if meaning is None else "",
            stated=line.amounts(),
        )
        line.sections.append(section)
        line.report.sections.append(section)

    def _close_sections(self, plan, sheet, sections, depth) -> None:
        """Close the category rows at `depth` and below; warn where a subtotal they state is
        not the sum of their projects."""
        while sections and sections[-1].depth >= depth:
            section = sections.pop()
            for key, stated in section.stated.items():
                self._agree(plan, sheet, section.row, key, stated, section.sums.get(key, ZERO))

    def _record_total(self, plan, line) -> None:
        line.report.totals.append(line.number)
        label = line.label()
        if re.match(r"^\s*(合计|总计|共计|全市合计|全省合计|total)", label, re.IGNORECASE):
            for key, stated in line.amounts().items():
                line.report.stated.setdefault(key, (line.number, stated))

    def _compare_totals(self, plan, sheet, report) -> None:
        for key, (row, stated) in report.stated.items():
            self._agree(plan, sheet, row, key, stated, report.imported.get(key, ZERO))

    def _agree(self, plan, sheet, row, key, stated, summed) -> None:
        """A warning where a total the file states is not the sum of its projects' amounts
        (within the rounding of the unit it is written in), or is not a number at all."""
        index = sheet.used.get(key)
        header = sheet.headers[index].text if index is not None else ""
        factor = sheet.factor(key)
        if isinstance(stated, Decimal) and abs(stated - summed) <= factor * Decimal("0.01"):
            return
        plan.warnings.append(
            Problem(
                row,
                header,
                _(
                    "The file gives %(stated)s here, but its projects add up to %(sum)s "
                    "(10k yuan); the projects' own figures are imported."
                )
                % {
                    "stated": f"{stated:,.2f}" if isinstance(stated, Decimal) else stated,
                    "sum": f"{summed:,.2f}",
                },
                index,
                sheet.name,
            )
        )

    def _region_of_government(self, names) -> int | None:
        """The region whose government (全州县政府) is among the units a row names."""
        for name in names:
            match = GOVERNMENT.match(name)
            if match:
                ids = self.directory.regions.get(match.group(1), set())
                if len(ids) == 1:
                    return next(iter(ids))
        return None

    def _unit_by_name(self, key, raw, kind, table, problem):
        ids = table.get(raw, set())
        if not ids:
            ids = self.directory.other_forms(raw, table)
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
        for key in ("planned_start", "planned_completion"):
            if key in values and "period" not in values:
                given, month_known = values[key]
                existing = getattr(project, key)
                same = existing is not None and (
                    (existing.year, existing.month) == (given.year, given.month)
                    if month_known
                    else existing.year == given.year
                )
                if creating or not same:
                    setattr(project, key, given)
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
        if "targets" in values:
            row.targets_before = None if creating else self.targets.get(project.pk)
            if (row.targets_before or "") != values["targets"]:
                row.targets = values["targets"]
        row.changes = {
            key: [before.get(key), after.get(key)]
            for key in after.keys() | before.keys()
            if before.get(key) != after.get(key)
        }
        if not creating and not row.changes and row.annual is None and row.targets is None:
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
        if plan.details is not None:  # after the projects: the file's new ones now have keys
            plan.details.apply(self.user, reason=self._reason())
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
