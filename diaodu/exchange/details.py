"""Importing projects' details with the ledger: annual plans and their monthly breakdown,
milestones, approvals and funding lines, one sheet each (see detail_columns).

A whole city moves in one go: the project sheets of a workbook create and update projects, and
its detail sheets fill in what each project carries. `DetailImport.check` runs after the
project sheets were checked. It reads every row of the detail sheets, matches it to a project
(one the user sees, by 项目代码 or by name and region, or one the file's project sheets
create), finds repeats, and plans what to create or change; every problem names its sheet, row
and column. `DetailPlan.apply` writes it all after the projects, in the same transaction, under
the same rules as every other write (diaodu.projects.permissions, approvals'
`editable_fields`), records each change in the project's history and refreshes the lights.

As with the ledger, a blank cell leaves a field as it is, and importing the same file twice
changes nothing the second time.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from diaodu.core.history import diff, snapshot
from diaodu.core.limits import YEARS
from diaodu.core.models import Action, ChangeRecord
from diaodu.exchange import columns as cols
from diaodu.exchange.detail_columns import BY_KIND, MONTHS
from diaodu.exchange.importer import CITY_LEVEL, NewName, Problem
from diaodu.exchange.reader import DetailSheet
from diaodu.org.models import Unit
from diaodu.projects import approvals as approval_rules
from diaodu.projects.approval_timing import default_time_limit, due_date
from diaodu.projects.choices import ApprovalKind, ApprovalStatus, FundingSource
from diaodu.projects.models import (
    ZERO,
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Project,
)
from diaodu.projects.permissions import Part, allows, editable_parts, missing_part
from diaodu.projects.services import months_mismatch
from diaodu.projects.signals import facts_changed

BATCH = 500
APPROVAL_ALIASES = {
    "立项": ApprovalKind.PROJECT_APPROVAL,
    "立项审批": ApprovalKind.PROJECT_APPROVAL,
    "项目立项": ApprovalKind.PROJECT_APPROVAL,
    "审批": ApprovalKind.PROJECT_APPROVAL,
    "核准": ApprovalKind.PROJECT_APPROVAL,
    "备案": ApprovalKind.PROJECT_APPROVAL,
    "可研批复": ApprovalKind.FEASIBILITY,
    "可研": ApprovalKind.FEASIBILITY,
    "可行性研究报告批复": ApprovalKind.FEASIBILITY,
    "用地预审": ApprovalKind.LAND_PRE_REVIEW,
    "用地预审与选址意见书": ApprovalKind.LAND_PRE_REVIEW,
    "选址意见书": ApprovalKind.LAND_PRE_REVIEW,
    "建设用地规划许可证": ApprovalKind.LAND_USE_PERMIT,
    "用地规划许可证": ApprovalKind.LAND_USE_PERMIT,
    "用地规划许可": ApprovalKind.LAND_USE_PERMIT,
    "土地出让": ApprovalKind.LAND_GRANT,
    "土地划拨": ApprovalKind.LAND_GRANT,
    "土地出让/划拨": ApprovalKind.LAND_GRANT,
    "土地出让或划拨": ApprovalKind.LAND_GRANT,
    "建设工程规划许可证": ApprovalKind.BUILDING_PLAN_PERMIT,
    "工程规划许可证": ApprovalKind.BUILDING_PLAN_PERMIT,
    "工程规划许可": ApprovalKind.BUILDING_PLAN_PERMIT,
    "环评": ApprovalKind.ENVIRONMENTAL,
    "环评批复": ApprovalKind.ENVIRONMENTAL,
    "环境影响评价": ApprovalKind.ENVIRONMENTAL,
    "节能审查": ApprovalKind.ENERGY,
    "能评": ApprovalKind.ENERGY,
    "水土保持": ApprovalKind.SOIL_WATER,
    "水保": ApprovalKind.SOIL_WATER,
    "水土保持方案": ApprovalKind.SOIL_WATER,
    "施工图审查": ApprovalKind.DRAWING_REVIEW,
    "图审": ApprovalKind.DRAWING_REVIEW,
    "施工许可证": ApprovalKind.CONSTRUCTION_PERMIT,
    "施工许可": ApprovalKind.CONSTRUCTION_PERMIT,
}
STATUS_ALIASES = {
    "未办理": ApprovalStatus.NOT_STARTED,
    "未开始": ApprovalStatus.NOT_STARTED,
    "未申报": ApprovalStatus.NOT_STARTED,
    "正在办理": ApprovalStatus.IN_PROGRESS,
    "在办": ApprovalStatus.IN_PROGRESS,
    "已受理": ApprovalStatus.IN_PROGRESS,
    "已完成": ApprovalStatus.DONE,
    "已批复": ApprovalStatus.DONE,
    "已取得": ApprovalStatus.DONE,
    "办结": ApprovalStatus.DONE,
    "完成": ApprovalStatus.DONE,
    "无需办理": ApprovalStatus.NOT_APPLICABLE,
    "不需要": ApprovalStatus.NOT_APPLICABLE,
}
SOURCE_ALIASES = {
    "新增国债": FundingSource.TREASURY_BOND,
    "国债": FundingSource.TREASURY_BOND,
    "超长期特别国债": FundingSource.ULTRA_LONG_BOND,
    "超长期国债": FundingSource.ULTRA_LONG_BOND,
    "中央预算内投资": FundingSource.CENTRAL_BUDGET,
    "中央预算内": FundingSource.CENTRAL_BUDGET,
    "中央预算内资金": FundingSource.CENTRAL_BUDGET,
    "专项债": FundingSource.SPECIAL_BOND,
    "专项债券": FundingSource.SPECIAL_BOND,
    "地方专项债": FundingSource.SPECIAL_BOND,
    "政府专项债券": FundingSource.SPECIAL_BOND,
    "政策性银行贷款": FundingSource.POLICY_LOAN,
    "政策性开发性金融工具": FundingSource.POLICY_LOAN,
    "政策性金融工具": FundingSource.POLICY_LOAN,
    "省级资金": FundingSource.PROVINCIAL,
    "省级补助": FundingSource.PROVINCIAL,
    "省级财政": FundingSource.PROVINCIAL,
    "市县财政": FundingSource.LOCAL_FISCAL,
    "市级财政": FundingSource.LOCAL_FISCAL,
    "县级财政": FundingSource.LOCAL_FISCAL,
    "地方财政": FundingSource.LOCAL_FISCAL,
    "财政资金": FundingSource.LOCAL_FISCAL,
    "银行贷款": FundingSource.BANK_LOAN,
    "企业自筹": FundingSource.SELF_RAISED,
    "自筹": FundingSource.SELF_RAISED,
    "自筹资金": FundingSource.SELF_RAISED,
    "社会资本": FundingSource.PRIVATE,
    "ppp": FundingSource.PRIVATE,
}
approval_kind = cols.ChoiceReader(ApprovalKind, APPROVAL_ALIASES)
approval_status = cols.ChoiceReader(ApprovalStatus, STATUS_ALIASES)
funding_source = cols.ChoiceReader(FundingSource, SOURCE_ALIASES)
YEAR = re.compile(r"^((?:19|20)\d{2})\s*年?度?$")
# The model each kind of change is written to, and its name in diaodu.projects.permissions.
MODELS = {
    "annualplan": AnnualPlan,
    "planmonth": PlanMonth,
    "milestone": Milestone,
    "approval": Approval,
    "fundingline": FundingLine,
}
# The column of a model's field, where it differs from the field's name.
COLUMN_OF = {("milestone", "name"): "milestone"}


@dataclass
class Change:
    """One object a detail row creates or changes, with its changes as the history records
    them (field: [before, after])."""

    model: str  # a key of MODELS
    instance: models.Model
    action: str  # "create" or "update"
    changes: dict
    project: Project
    sheet: str
    row: int
    year: int | None = None  # of an annual plan or a month of one
    fields: list[str] = field(default_factory=list)  # those it sets, defaults left aside


@dataclass
class DetailPlan:
    """What the detail sheets of a file will write, and the rows that change nothing."""

    changes: list[Change] = field(default_factory=list)
    unchanged: dict = field(default_factory=lambda: defaultdict(int))  # sheet kind: rows
    applied: bool = False

    def count(self, model: str, action: str) -> int:
        return sum(1 for c in self.changes if c.model == model and c.action == action)

    def summary(self) -> dict:
        """Counts by kind, as the job keeps them, and the rows that change nothing."""
        labels = {
            "annualplan": _("Annual plans"),
            "planmonth": _("Monthly amounts"),
            "milestone": _("Milestones"),
            "approval": _("Approvals"),
            "fundingline": _("Funding lines"),
        }
        return {
            "kinds": [
                {
                    "kind": model,
                    "label": str(label),
                    "created": self.count(model, "create"),
                    "updated": self.count(model, "update"),
                }
                for model, label in labels.items()
            ],
            "changes": len(self.changes),
            "unchanged": sum(self.unchanged.values()),
        }

    def apply(self, user, *, reason: str) -> None:
        """Write every change, after the projects of the same file (which now have their
        keys), in the caller's transaction: each checked again against the user's rights."""
        for change in self.changes:
            refusal = refusal_of(user, change)
            if refusal is not None:
                raise PermissionDenied(refusal[1])
        by_model = defaultdict(list)
        for change in self.changes:
            by_model[change.model].append(change)
        plans = _existing_plans(by_model["annualplan"] + by_model["planmonth"])
        for model in ("annualplan", "planmonth", "milestone", "approval", "fundingline"):
            for change in by_model[model]:
                _attach(change, plans)
            _write(MODELS[model], by_model[model])
        types = ContentType.objects.get_for_models(*MODELS.values())
        ChangeRecord.objects.bulk_create(
            [
                ChangeRecord(
                    content_type=types[MODELS[c.model]],
                    object_id=str(c.instance.pk),
                    object_repr=str(c.instance)[:200],
                    project_id=c.project.pk,
                    action=Action.CREATE if c.action == "create" else Action.UPDATE,
                    changes=c.changes,
                    reason=reason,
                    actor=user,
                )
                for c in self.changes
            ],
            batch_size=BATCH,
        )
        facts_changed([c.project.pk for c in self.changes])
        self.applied = True


def _existing_plans(changes: list[Change]) -> dict:
    """The annual plans of the changes' projects and years as they are now, the file's project
    sheet having written its own (by project key and year)."""
    wanted = {(c.project.pk, c.year) for c in changes}
    return {
        (p.project_id, p.year): p
        for p in AnnualPlan.objects.filter(
            project_id__in={pk for pk, _year in wanted}, year__in={y for _pk, y in wanted}
        )
    }


def _attach(change: Change, plans: dict) -> None:
    """Point a change at its project (or plan) now that it has a key, and fill in what the
    model's save() would: an approval's due date and the warning its new department is owed.
    An annual plan the file's project sheet has just made is changed, not made again."""
    instance = change.instance
    if change.model in ("annualplan", "planmonth"):
        plan = instance if change.model == "annualplan" else instance.plan
        found = plans.get((change.project.pk, change.year))
        if plan.pk is None and found is not None:
            plan.pk, plan._state.adding = found.pk, False
            if change.model == "annualplan":
                change.action = "update"
    if change.model == "planmonth":
        instance.plan_id = instance.plan.pk
    else:
        instance.project_id = change.project.pk
    if change.model == "approval":
        instance.due_on = due_date(instance.applied_on, instance.time_limit_days)
        if "responsible_department" in change.changes:
            instance.notified_light = ""


def _write(model, changes: list[Change]) -> None:
    new = [c.instance for c in changes if c.instance.pk is None]
    model.objects.bulk_create(new, batch_size=BATCH)
    changed = [c for c in changes if c.action == "update"]
    if changed:
        names = {
            model._meta.get_field(name).attname
            for c in changed
            for name in c.changes
            if name != "year"
        }
        if model is Approval:
            names |= {"due_on", "notified_light"}
        model.objects.bulk_update([c.instance for c in changed], sorted(names), batch_size=BATCH)


def _field_names(change: Change) -> list[str]:
    """The fields a change sets, as diaodu.projects.permissions names them."""
    return [
        name
        for name in change.fields
        if name not in ("project", "plan", "baseline_date", "year", "month")
    ]


def refusal_of(user, change: Change) -> tuple[str, str] | None:
    """Why the user may not write this change, as (field, message); None when allowed. The
    same rules as every other write: the project's parts, and approvals' own."""
    names = _field_names(change)
    if change.model == "approval":
        if change.action == "create":
            if not approval_rules.can_create(user):
                return "kind", _("Only headquarters adds approvals to a project.")
            return None
        allowed = approval_rules.editable_fields(user, change.instance)
        if not allowed:
            return "kind", _("You cannot change this approval.")
        refused = [name for name in names if name not in allowed]
        if refused:
            labels = "、".join(
                str(capfirst(Approval._meta.get_field(name).verbose_name)) for name in refused
            )
            return refused[0], _("Only headquarters can change %(fields)s.") % {"fields": labels}
        return None
    parts = editable_parts(user, change.project)
    if not parts:
        return "name", _("You cannot change this project.")
    part = missing_part(parts, change.model, names)
    if part is None:
        return None
    refused = next(name for name in names if not allows(parts, change.model, [name]))
    if change.model == "planmonth":
        refused = f"month_{change.instance.month}"  # its column
    return refused, _("You cannot change the %(part)s of this project.") % {
        "part": Part(part).label
    }


class Row:
    """One row of a detail sheet as the check reads it: its cells by field, and its problems."""

    def __init__(self, sheet: DetailSheet, number: int, cells: tuple):
        self.sheet, self.number, self.cells = sheet, number, cells
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def cell(self, key):
        """The cell of a field; a placeholder (待定, 无, —) is read as blank."""
        index = self.sheet.used.get(key)
        value = self.cells[index] if index is not None and index < len(self.cells) else None
        return None if cols.is_placeholder(value) else value

    def given(self, key) -> bool:
        return not cols.is_blank(self.cell(key))

    def _at(self, key, message, into) -> None:
        used = self.sheet.used
        if key not in used:  # a field with no column of its own: the project's
            key = "national_code" if "name" not in used else "name"
        index = used.get(key)
        header = self.sheet.headers[index].text if index is not None else ""
        into.append(Problem(self.number, header, str(message), index, self.sheet.name))

    def problem(self, key, message) -> None:
        self._at(key, message, self.problems)

    def warning(self, key, message) -> None:
        self._at(key, message, self.warnings)

    def read(self, key, reader):
        """The cell read by `reader`; None when blank or unreadable (a problem then)."""
        if not self.given(key):
            return None
        try:
            return reader(self.cell(key))
        except cols.CellError as error:
            self.problem(key, error)
        return None

    def money(self, key):
        return self.read(key, lambda v: cols.money(v, self.sheet.factor(key)))

    def day(self, key, *, end: bool = True):
        found = self.read(key, lambda v: cols.day(v, end=end))
        return found[0] if found else None


class DetailImport:
    """The check of a file's detail sheets, after its project sheets (`importer`, the project
    import whose check has just run, and `plan`, its plan)."""

    def __init__(self, importer, plan):
        self.user, self.directory, self.plan = importer.user, importer.directory, plan
        self.today = timezone.localdate()
        self.visible = importer.visible
        self.projects = list(importer.projects.values())
        self.new_regions = {}  # id(project): the name of the region the file creates for it
        self.sheet_plans = {}  # id(project): the project sheet's annual plan (row, amount)
        for row in plan.rows:
            if row.action == "create":
                self.projects.append(row.project)
                if isinstance(row.refs.get("region"), NewName):
                    self.new_regions[id(row.project)] = row.refs["region"].name
            if row.annual is not None or row.targets is not None:
                self.sheet_plans[id(row.project)] = row
        self.by_code, self.by_name = {}, defaultdict(list)
        for project in self.projects:
            hidden = self.visible is not None and project.pk not in self.visible
            if project.pk is not None and hidden:
                continue
            if project.national_code:
                self.by_code[project.national_code] = project
            self.by_name[project.name].append(project)
        self.seen = {}  # (kind, id(project), what): (sheet, row)
        self.details = DetailPlan()

    # Checking ----------------------------------------------------------------------------

    def check(self, sheets: list[DetailSheet]) -> DetailPlan:
        """Match every row to its project, load what those projects carry, then check each
        row against it."""
        rows = []
        for sheet in sheets:
            for number, cells in sheet.rows:
                row = Row(sheet, number, cells)
                if all(cols.is_blank(c) or cols.is_placeholder(c) for c in cells):
                    continue
                label = cols.text(row.cell("name"))
                heading = cols.TOTAL_ROW.match(label) or cols.category_mark(label) is not None
                if label and heading and not row.given("national_code"):
                    continue  # 合计 or a category row (一、交通), not a project's
                rows.append((row, self._project(row)))
        self._load([project for _row, project in rows if project is not None])
        for row, project in rows:
            if project is not None:
                self._check_row(row.sheet, row, project)
            self.plan.problems.extend(row.problems)
            self.plan.warnings.extend(row.warnings)
        return self.details

    def _load(self, matched) -> None:
        """What the matched projects already carry (one query per kind), each object given its
        project as loaded, so that recording it asks nothing more."""
        projects = {p.pk: p for p in matched if p.pk is not None}
        ids = list(projects)

        def mine(objects):
            for obj in objects:
                obj.project = projects[obj.project_id]
                yield obj

        self.annual_plans = {
            (p.project_id, p.year): p
            for p in mine(AnnualPlan.objects.filter(project_id__in=ids).prefetch_related("months"))
        }
        self.milestones = {}
        milestones = Milestone.objects.filter(project_id__in=ids).select_related("responsible_unit")
        for milestone in mine(milestones.order_by("-pk")):
            self.milestones[(milestone.project_id, milestone.name)] = milestone  # the first
        approvals = Approval.objects.filter(project_id__in=ids).select_related(
            "responsible_department"
        )
        self.approvals = {(a.project_id, a.kind): a for a in mine(approvals)}
        self.funding = {
            (f.project_id, f.source): f
            for f in mine(FundingLine.objects.filter(project_id__in=ids))
        }
        self.units = {}

    def _check_row(self, sheet, row, project) -> None:
        for key, index in sheet.used.items():
            if (row.number, index) in sheet.formulas_without_value:
                row.problem(
                    key,
                    _(
                        "The cell holds a formula with no saved value; open the file in Excel "
                        "and save it, or paste the column as values."
                    ),
                )
        check = {
            "plan": self._plan_row,
            "milestone": self._milestone_row,
            "approval": self._approval_row,
            "funding": self._funding_row,
        }[sheet.kind]
        changes = check(row, project)
        if row.problems or changes is None:
            return
        for change in changes:
            refusal = refusal_of(self.user, change)
            if refusal is not None:
                name, message = refusal
                row.problem(_column_of(change.model, name, row), message)
                return
        if changes:
            self.details.changes.extend(changes)
        else:
            self.details.unchanged[sheet.kind] += 1

    def _project(self, row) -> Project | None:
        """The project a row names: by 项目代码, else by name (and region, where given)."""
        code = cols.text(row.cell("national_code"))
        name = cols.text(row.cell("name"))
        if not code and not name:
            row.problem("name", _("The project code or the project name is missing."))
            return None
        if code:
            found = self.by_code.get(code)
            if found is not None:
                return found
        candidates = self.by_name.get(name, []) if name else []
        region_text = cols.text(row.cell("region"))
        if region_text and candidates:
            candidates = self._in_region(row, region_text, candidates)
            if candidates is None:
                return None
        if code:
            candidates = [p for p in candidates if not p.national_code]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            row.problem(
                "name",
                _(
                    "%(count)d projects are called “%(name)s”; give the region or the "
                    "project code to say which."
                )
                % {"count": len(candidates), "name": name},
            )
        elif code:
            row.problem(
                "national_code",
                _(
                    "No project has the project code %(code)s; add it on a sheet of projects "
                    "or check the code."
                )
                % {"code": code},
            )
        else:
            row.problem(
                "name",
                _(
                    "There is no project called “%(name)s”; add it on a sheet of projects or "
                    "check the name."
                )
                % {"name": name},
            )
        return None

    def _in_region(self, row, text: str, candidates: list) -> list | None:
        if text in CITY_LEVEL or text.lower() in CITY_LEVEL:
            return [p for p in candidates if p.region_id is None and id(p) not in self.new_regions]
        regions = self.directory.regions
        ids = regions.get(text) or self.directory.other_forms(text, regions)
        if not ids and text not in self.new_regions.values():
            row.problem("region", _("Unknown region “%(name)s”.") % {"name": text})
            return None
        return [
            p
            for p in candidates
            if (p.region_id is not None and p.region_id in ids)
            or self.new_regions.get(id(p)) == text
        ]

    def _repeat(self, row, kind: str, project, what, key: str) -> bool:
        """Whether an earlier row had the same project and the same plan year, milestone,
        approval or source (a problem then)."""
        here = (row.sheet.name, row.number)
        first = self.seen.setdefault((kind, id(project), what), here)
        if first == here:
            return False
        index = row.sheet.used.get(key)
        row.problem(
            key,
            _(
                "This repeats row %(row)d of the sheet “%(sheet)s”: the same project and the "
                "same %(what)s."
            )
            % {
                "row": first[1],
                "sheet": first[0],
                "what": (
                    row.sheet.headers[index].text
                    if index is not None
                    else BY_KIND[row.sheet.kind].column(key).header
                ),
            },
        )
        return True

    def _change(self, model, instance, values, project, row, *, existing, year=None):
        """The change of one object, validated as its model does; None if nothing changes."""
        before = snapshot(instance)
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            # Related units come from the directory: checking that they exist would ask again.
            instance.clean_fields(
                exclude=[
                    "project",
                    "plan",
                    "responsible_unit",
                    "responsible_department",
                    "evidence",
                    "attachment",
                ]  # fmt: skip
            )
            instance.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    row.problem(_column_of(model, name, row), message)
            return None
        after = snapshot(instance)
        changes = diff(before, after)
        if existing and not changes:
            return None
        fields = list(changes)
        if not existing:
            changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [])}
        return Change(
            model,
            instance,
            "update" if existing else "create",
            changes,
            project,
            row.sheet.name,
            row.number,
            year,
            fields,
        )

    def _unit(self, row, key):
        """A unit named in a cell; None when blank or unknown (a problem then)."""
        text = cols.text(row.cell(key))
        if not text:
            return None
        units = self.directory.units
        ids = units.get(text) or self.directory.other_forms(text, units)
        if len(ids) == 1:
            pk = next(iter(ids))
            if pk not in self.units:
                self.units[pk] = Unit.objects.get(pk=pk)
            return self.units[pk]
        if ids:
            row.problem(
                key, _("“%(name)s” names more than one unit; write its full name.") % {"name": text}
            )
        else:
            row.problem(
                key,
                _("Unknown unit “%(name)s”; add it (or an alias) to the units first.")
                % {"name": text},
            )
        return None

    # One check per kind ------------------------------------------------------------------

    def _year(self, row) -> int:
        if row.given("year"):
            value = row.cell("year")
            text = cols.text(value)
            match = YEAR.match(text)
            if match and int(match.group(1)) in YEARS:
                return int(match.group(1))
            row.problem("year", _("“%(value)s” is not a year.") % {"value": text})
            return self.plan.year
        index = row.sheet.used.get("planned_investment")
        header = row.sheet.headers[index] if index is not None else None
        return header.year if header is not None and header.year else self.plan.year

    def _plan_row(self, row, project) -> list[Change] | None:
        year = self._year(row)
        planned = row.money("planned_investment")
        targets = cols.text(row.cell("targets")) or None
        months = {}
        for month in MONTHS:
            amount = row.money(f"month_{month}")
            if amount is not None:
                months[month] = amount
        if row.problems or self._repeat(row, "plan", project, year, "year"):
            return None
        if planned is None and targets is None and not months:
            return []
        existing = self.annual_plans.get((project.pk, year)) if project.pk else None
        sheet_row = self.sheet_plans.get(id(project)) if year == self.plan.year else None
        if sheet_row is not None and sheet_row.annual is not None and planned is not None:
            if sheet_row.annual != planned:
                row.problem(
                    "planned_investment",
                    _(
                        "A sheet of projects gives this project's annual plan as %(amount)s "
                        "(row %(row)d); give the same figure in both, or leave one blank."
                    )
                    % {"amount": f"{sheet_row.annual:.2f}", "row": sheet_row.row},
                )
                return None
        plan_obj = existing or AnnualPlan(project=project, year=year)
        if existing is None and sheet_row is not None:  # the project sheet creates it
            plan_obj.planned_investment = sheet_row.annual or ZERO
            plan_obj.targets = sheet_row.targets or ""
        elif sheet_row is not None:
            if sheet_row.annual is not None:
                plan_obj.planned_investment = sheet_row.annual
            if sheet_row.targets is not None:
                plan_obj.targets = sheet_row.targets
        current = {m.month: m for m in existing.months.all()} if existing else {}
        totals = {m: r.planned_investment for m, r in current.items()} | months
        total = sum(totals.values(), ZERO)
        if planned is None and months and total and not (existing or sheet_row):
            planned = total
        values = {}
        if planned is not None:
            values["planned_investment"] = planned
        if targets is not None:
            values["targets"] = targets
        known = existing is not None or sheet_row is not None
        change = self._change(
            "annualplan", plan_obj, values, project, row, existing=known, year=year
        )
        if row.problems:
            return None
        if change is not None and existing is None and sheet_row is not None:
            change.action = "update"  # the project sheet creates it; this changes it
        changes = [change] if change is not None else []
        final = plan_obj.planned_investment
        if total and total != final:
            row.warning(
                "planned_investment" if row.given("planned_investment") else "year",
                months_mismatch(total, final),
            )
        for month, amount in months.items():
            old = current.get(month)
            if old is None and not amount:
                continue
            instance = old or PlanMonth(plan=plan_obj, month=month)
            month_change = self._change(
                "planmonth",
                instance,
                {"planned_investment": amount},
                project,
                row,
                existing=old is not None,
                year=year,
            )
            if month_change is not None:
                changes.append(month_change)
        return None if row.problems else changes

    def _milestone_row(self, row, project) -> list[Change] | None:
        name = cols.text(row.cell("milestone"))
        if not name:
            row.problem("milestone", _("The milestone's name is missing."))
        planned = row.day("planned_date")
        actual = row.day("actual_date")
        if actual is not None and actual > self.today:
            row.problem("actual_date", _("A milestone cannot be met after today."))
        unit = self._unit(row, "responsible_unit")
        note = cols.text(row.cell("note")) or None
        if row.problems or self._repeat(row, "milestone", project, name, "milestone"):
            return None
        existing = self.milestones.get((project.pk, name)) if project.pk else None
        if existing is None and planned is None:
            row.problem("planned_date", _("Give the milestone's planned date."))
            return None
        values = {"name": name}
        for key, value in (("planned_date", planned), ("actual_date", actual), ("note", note)):
            if value is not None:
                values[key] = value
        if unit is not None:
            values["responsible_unit"] = unit
        instance = existing or Milestone(project=project, baseline_date=planned)
        change = self._change("milestone", instance, values, project, row, existing=bool(existing))
        return None if row.problems else [c for c in [change] if c is not None]

    def _approval_row(self, row, project) -> list[Change] | None:
        kind = self._choice(row, "kind", approval_kind)
        if kind is None and not row.problems:
            row.problem("kind", _("The approval is missing."))
        status = self._choice(row, "status", approval_status)
        department = self._unit(row, "responsible_department")
        limit = row.read("time_limit_days", _whole_number)
        planned = row.day("planned_date")
        applied = row.day("applied_on", end=False)
        completed = row.day("completed_on")
        for key, value in (("applied_on", applied), ("completed_on", completed)):
            if value is not None and value > self.today:
                row.problem(key, _("This date is in the future."))
        number = cols.text(row.cell("document_number")) or None
        if row.problems or self._repeat(row, "approval", project, kind, "kind"):
            return None
        existing = self.approvals.get((project.pk, kind)) if project.pk else None
        current = existing.status if existing else ApprovalStatus.NOT_STARTED
        if status is None and completed is not None:
            status = ApprovalStatus.DONE
        elif status is None and applied is not None and current == ApprovalStatus.NOT_STARTED:
            status = ApprovalStatus.IN_PROGRESS
        values = {"kind": kind}
        for key, value in (
            ("status", status),
            ("time_limit_days", limit),
            ("planned_date", planned),
            ("applied_on", applied),
            ("completed_on", completed),
            ("document_number", number),
        ):
            if value is not None:
                values[key] = value
        if department is not None:
            values["responsible_department"] = department
        instance = existing or Approval(project=project)
        if values.get("status", current) == ApprovalStatus.IN_PROGRESS and (
            limit is None and (existing is None or existing.time_limit_days is None)
        ):
            values["time_limit_days"] = default_time_limit(kind)
        change = self._change("approval", instance, values, project, row, existing=bool(existing))
        return None if row.problems else [c for c in [change] if c is not None]

    def _funding_row(self, row, project) -> list[Change] | None:
        source = self._choice(row, "source", funding_source)
        if source is None and not row.problems:
            row.problem("source", _("The source of funds is missing."))
        amounts = {key: row.money(key) for key in ("planned", "secured", "disbursed")}
        note = cols.text(row.cell("note")) or None
        if row.problems or self._repeat(row, "funding", project, source, "source"):
            return None
        existing = self.funding.get((project.pk, source)) if project.pk else None
        values = {"source": source}
        values.update({key: value for key, value in amounts.items() if value is not None})
        if note is not None:
            values["note"] = note
        instance = existing or FundingLine(project=project)
        change = self._change(
            "fundingline", instance, values, project, row, existing=bool(existing)
        )
        return None if row.problems else [c for c in [change] if c is not None]

    def _choice(self, row, key, reader):
        try:
            return row.read(key, reader)
        except cols.CellWarning as error:
            row.problem(key, error)
        return None


def _whole_number(value) -> int:
    text = cols.text(value)
    try:
        number = Decimal(text)
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise cols.CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(number)


def _column_of(model: str, name: str, row) -> str:
    """The column a model's field is read from, or the project's name where none is."""
    name = COLUMN_OF.get((model, name), name)
    if name in row.sheet.used:
        return name
    return "name" if "name" in row.sheet.used else "national_code"
