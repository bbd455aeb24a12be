"""Every change to a project and its parts: checked, written, recorded, and its light refreshed.

Pages, the API, the admin, backward scheduling and the Excel import all write projects, their
milestones, funding lines, annual plans and programme membership through these functions. Each
checks who may make the change (`diaodu.projects.permissions`, field by field), validates it,
writes it in one transaction, records it in the project's history (who, when, before, after,
why), and refreshes the project's stored light. Approvals have their own services.

A service raises PermissionDenied when the user may not make the change, and ValidationError
(with a message per field) when the change is not valid; nothing is written in either case.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.history import diff, plain, record, snapshot
from diaodu.core.models import Action, ChangeRecord
from diaodu.core.uploads import check_photo
from diaodu.org.models import User
from diaodu.org.permissions import is_active, is_headquarters, require
from diaodu.projects.choices import Stage
from diaodu.projects.models import (
    ZERO,
    AnnualPlan,
    FundingLine,
    Milestone,
    PlanMonth,
    Program,
    Project,
)
from diaodu.projects.permissions import (
    PROPOSAL_STAGES,
    Part,
    allows,
    can_create,
    can_edit,
    editable_parts,
    missing_part,
)
from diaodu.projects.signals import facts_changed, project_set

# Sent on commit when projects move in or out of programmes (动态调整), with `project_ids`:
# what is counted per programme (reporting's summaries) may listen and recompute.
programs_changed = Signal()

# The fields each service accepts; anything else is a programming error.
PROJECT_FIELDS = frozenset(
    {
        "name",
        "national_code",
        "scope",
        "category",
        "tags",
        "region",
        "address",
        "latitude",
        "longitude",
        "owner",
        "lead_unit",
        "responsible_units",
        "leaders",
        "programs",
        "stage",
        "planned_start",
        "planned_completion",
        "actual_start",
        "actual_completion",
        "total_investment",
        "contact_person",
        "contact_phone",
        "stats_registered",
        "stats_registered_on",
    }
)
MILESTONE_FIELDS = frozenset(
    {"name", "planned_date", "responsible_unit", "note", "actual_date", "evidence"}
)
FUNDING_FIELDS = frozenset({"source", "planned", "secured", "disbursed", "note"})
PLAN_FIELDS = frozenset({"planned_investment", "targets"})
# Fields that say which object a part belongs to, never a change of their own.
OWNING_FIELDS = {"project", "plan"}
# Evidence of a milestone met: a photo (checked as photos are), or a PDF document.
DOCUMENT_EXTENSIONS = (".pdf",)

# Bulk writes bypass core.history.record(): their summary goes to the same log.
changes_logger = logging.getLogger("diaodu.changes")

M = TypeVar("M", bound=models.Model)


# -- helpers -------------------------------------------------------------------------------


def _only(values: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"fields not accepted here: {sorted(unknown)}")


def _snapshot(instance: models.Model) -> dict[str, Any]:
    """The recorded fields (a file as its stored name, see core.history.plain)."""
    return snapshot(instance)


def _names(objects: Iterable[object]) -> list[str]:
    return sorted(str(obj) for obj in objects)


def _blank_like(instance: M) -> M:
    """A new instance of the same model, belonging to the same project or plan."""
    model = type(instance)
    fields = {f.name for f in model._meta.concrete_fields}
    return model(**{name: getattr(instance, name) for name in OWNING_FIELDS & fields})


def _refuse(actor: User, project: Project, model_name: str, names: Iterable[str]) -> NoReturn:
    parts = editable_parts(actor, project)
    part = missing_part(parts, model_name, names) if parts else None
    if part is None:
        raise PermissionDenied(_("You cannot change this project."))
    raise PermissionDenied(
        _("You cannot change the %(part)s of this project.") % {"part": Part(part).label}
    )


def _require(actor: User, project: Project, part: Part) -> None:
    if not can_edit(actor, project, part):
        if not can_edit(actor, project):
            raise PermissionDenied(_("You cannot change this project."))
        raise PermissionDenied(
            _("You cannot change the %(part)s of this project.") % {"part": Part(part).label}
        )


def _locked(model: type[M], pk: Any) -> M:
    return model._default_manager.select_for_update().get(pk=pk)


LIGHT_FIELDS = ["light", "light_reasons", "light_computed_at"]


def _relight(project: Project) -> None:
    """Store the project's light afresh, and read it back into the instance."""
    facts_changed([project.pk])
    project.refresh_from_db(fields=LIGHT_FIELDS)


def _reason_error() -> ValidationError:
    return ValidationError({"reason": _("Say why the project moves in or out of a programme.")})


def _save(
    actor: User,
    instance: models.Model,
    values: dict[str, Any],
    *,
    project: Project,
    reason: str = "",
    exempt: Iterable[str] = (),
    needs_reason: Iterable[str] = (),
) -> dict[str, list[Any]]:
    """Apply `values` to `instance` (new, or loaded for update), check, validate, save, record.

    Permission is checked field by field for every field given, against the project as it was
    and as it will be (a region cannot move a project out of its area); `exempt` fields are
    checked by the caller. Returns the changes recorded (empty when nothing changed).
    """
    model = type(instance)
    model_name = model._meta.model_name or ""  # None only before the model is set up
    creating = instance._state.adding
    is_project = model is Project
    allowed = editable_parts(actor, project) if not (creating and is_project) else None
    if allowed is not None and not allowed:
        raise PermissionDenied(_("You cannot change this project."))
    many = [name for name in values if model._meta.get_field(name).many_to_many]
    base = _snapshot(_blank_like(instance) if creating else instance)
    for name in many:
        base[name] = [] if creating else _names(getattr(instance, name).all())
    for name, value in values.items():
        if name not in many:
            setattr(instance, name, value)
    after = _snapshot(instance)
    for name in many:
        after[name] = _names(values[name])
    changes = diff(base, after)
    names = (set(values) | set(changes)) - OWNING_FIELDS - set(exempt)
    now_allowed = editable_parts(actor, project)  # the project as it will be
    allowed = now_allowed if allowed is None else allowed & now_allowed
    if not allows(allowed, model_name, names):
        _refuse(actor, project, model_name, names)
    if not creating and not changes:
        return {}
    if set(needs_reason) & set(changes) and not (reason or "").strip():
        raise _reason_error()
    instance.full_clean()
    instance.save()
    for name in many:
        getattr(instance, name).set(values[name])
    final = _snapshot(instance)
    for name in many:
        final[name] = after[name]
    if creating:
        changes = {k: v for k, v in diff({}, final).items() if v[1] not in (None, "", [])}
        record(actor, instance, Action.CREATE, changes, project=project, reason=reason)
    else:
        changes = diff({**base}, final)
        record(actor, instance, Action.UPDATE, changes, project=project, reason=reason)
    return changes


def _delete(
    actor: User, instance: models.Model, *, project: Project, part: Part, reason: str = ""
) -> None:
    _require(actor, project, part)
    gone = {name: [value, None] for name, value in _snapshot(instance).items() if value}
    record(actor, instance, Action.DELETE, gone, project=project, reason=reason)
    instance.delete()


def check_evidence(upload: "File[Any]") -> "File[Any]":
    """Refuse evidence that is neither a photo nor a PDF, or larger than the limits.

    A photo is checked as every photo is (`core.uploads.check_photo`); a PDF must be within
    DIAODU_UPLOAD_MAX_MB and start as a PDF does. Returns the file to store.
    """
    if (upload.name or "").lower().endswith(DOCUMENT_EXTENSIONS):
        limit = settings.DIAODU_UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit)d MB.")
                % {"size": upload.size / 1024 / 1024, "limit": limit}
            )
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError(_("This file is not a PDF document."))
        return upload
    try:
        return check_photo(upload)
    except ValidationError as error:
        if upload.size > settings.DIAODU_PHOTO_MAX_MB * 1024 * 1024:
            raise
        raise ValidationError(
            _("Only a photo (JPEG, PNG, WebP or GIF) or a PDF document is accepted.")
        ) from error


def _check_met_date(values: dict[str, Any]) -> None:
    actual = values.get("actual_date")
    if actual and actual > timezone.localdate():
        raise ValidationError({"actual_date": _("A milestone cannot be met after today.")})


# -- projects ------------------------------------------------------------------------------


@transaction.atomic
def do_create_project(actor: User, values: dict[str, Any], *, reason: str = "") -> Project:
    """Create a project. Headquarters creates anywhere; a region proposes one in its area, in
    the reserve or preparation stage, and headquarters puts it in programmes."""
    _only(values, PROJECT_FIELDS)
    if not can_create(actor):
        raise PermissionDenied(_("You cannot create projects."))
    exempt: tuple[str, ...] = ()
    if not is_headquarters(actor):
        region = values.get("region")
        if region is None or region.pk not in actor.scope_unit_ids:
            raise ValidationError({"region": _("Choose a region in your area.")})
        if values.get("stage", Stage.PREPARATION) not in PROPOSAL_STAGES:
            raise ValidationError(
                {
                    "stage": _(
                        "A region proposes projects in the reserve or preparation stage; "
                        "headquarters moves them on."
                    )
                }
            )
        exempt = ("stage",)
    project = Project()
    _save(
        actor,
        project,
        values,
        project=project,
        reason=reason,
        exempt=exempt,
        needs_reason=("programs",),
    )
    _relight(project)
    if "programs" in values:
        _announce_programs([project.pk])
    return project


@transaction.atomic
def do_update_project(
    actor: User, project: Project, values: dict[str, Any], *, reason: str = ""
) -> Project:
    """Change any of a project's own fields; each field is checked against its part."""
    _only(values, PROJECT_FIELDS)
    current = _locked(Project, project.pk)
    changes = _save(
        actor, current, values, project=current, reason=reason, needs_reason=("programs",)
    )
    if changes:
        _relight(current)
        if "programs" in changes:
            _announce_programs([current.pk])
    return current


def do_set_stage(actor: User, project: Project, stage: str, *, reason: str = "") -> Project:
    """Move a project to another stage (headquarters)."""
    return do_update_project(actor, project, {"stage": stage}, reason=reason)


def do_record_actual_dates(
    actor: User,
    project: Project,
    *,
    actual_start: date | None = None,
    actual_completion: date | None = None,
) -> Project:
    """Record when construction actually started and was completed (the owner)."""
    return do_update_project(
        actor,
        project,
        {"actual_start": actual_start, "actual_completion": actual_completion},
    )


def do_update_contacts(
    actor: User, project: Project, *, contact_person: str = "", contact_phone: str = ""
) -> Project:
    """Change the project's contact person and phone (the owner)."""
    return do_update_project(
        actor,
        project,
        {"contact_person": contact_person, "contact_phone": contact_phone},
    )


@transaction.atomic
def do_delete_project(actor: User, project: Project, *, reason: str = "") -> None:
    """Delete a project and everything it carries (headquarters); the deletion is recorded."""
    require(is_headquarters(actor), _("Only headquarters can delete a project."))
    current = _locked(Project, project.pk)
    gone = {name: [value, None] for name, value in _snapshot(current).items() if value}
    record(actor, current, Action.DELETE, gone, reason=reason)
    current.delete()


# -- programme membership (动态调整) ------------------------------------------------------


def _announce_programs(project_ids: Iterable[int]) -> None:
    transaction.on_commit(
        lambda: programs_changed.send(sender=Project, project_ids=list(project_ids))
    )


@transaction.atomic
def do_add_to_program(actor: User, project: Project, program: Program, *, reason: str) -> Project:
    """Put a project in a programme (headquarters), saying why."""
    current = _locked(Project, project.pk)
    _require(actor, current, Part.PROGRAMS)
    programs = list(current.programs.all())
    if program in programs:
        raise ValidationError({"program": _("The project is already in this programme.")})
    return do_update_project(actor, current, {"programs": [*programs, program]}, reason=reason)


@transaction.atomic
def do_remove_from_program(
    actor: User, project: Project, program: Program, *, reason: str
) -> Project:
    """Take a project out of a programme (headquarters), saying why."""
    current = _locked(Project, project.pk)
    _require(actor, current, Part.PROGRAMS)
    programs = list(current.programs.all())
    if program not in programs:
        raise ValidationError({"program": _("The project is not in this programme.")})
    remaining = [p for p in programs if p.pk != program.pk]
    return do_update_project(actor, current, {"programs": remaining}, reason=reason)


# -- milestones ----------------------------------------------------------------------------


@transaction.atomic
def do_add_milestone(
    actor: User, project: Project, values: dict[str, Any], *, reason: str = ""
) -> Milestone:
    """Add a milestone to a project (its region or headquarters)."""
    _only(values, MILESTONE_FIELDS)
    _require(actor, project, Part.MILESTONES)
    _check_met_date(values)
    values = _with_evidence(values)
    milestone = Milestone(project=project)
    _save(actor, milestone, values, project=project, reason=reason)
    _relight(project)
    return milestone


@transaction.atomic
def do_update_milestone(
    actor: User, milestone: Milestone, values: dict[str, Any], *, reason: str = ""
) -> Milestone:
    """Change a milestone: its name and planned date (region, headquarters), or when it was met
    and the evidence (the owner, headquarters)."""
    _only(values, MILESTONE_FIELDS)
    current = _locked(Milestone, milestone.pk)
    project = current.project
    if not can_edit(actor, project):
        raise PermissionDenied(_("You cannot change this project."))
    _check_met_date(values)
    values = _with_evidence(values)
    changes = _save(actor, current, values, project=project, reason=reason)
    if changes:
        _relight(project)
    return current


def do_mark_milestone_met(
    actor: User,
    milestone: Milestone,
    *,
    actual_date: date | None,
    evidence: "File[Any] | None" = None,
    note: str | None = None,
) -> Milestone:
    """Record that a milestone was met: the date, and a photo or document showing it."""
    project = milestone.project
    _require(actor, project, Part.MILESTONES_MET)
    if not actual_date:
        raise ValidationError({"actual_date": _("Give the date the milestone was met.")})
    values: dict[str, Any] = {"actual_date": actual_date}
    if evidence:
        values["evidence"] = evidence
    if note is not None:
        values["note"] = note
    return do_update_milestone(actor, milestone, values)


@transaction.atomic
def do_delete_milestone(actor: User, milestone: Milestone, *, reason: str = "") -> None:
    current = _locked(Milestone, milestone.pk)
    project = current.project
    _delete(actor, current, project=project, part=Part.MILESTONES, reason=reason)
    _relight(project)


@transaction.atomic
def do_set_milestone_dates(
    actor: User, project: Project, dates: Iterable[tuple[str, date]], *, reason: str = ""
) -> int:
    """Set the planned dates of milestones by name, adding those missing (backward scheduling).

    `dates` is a list of (name, planned date). A milestone already met keeps its date. Returns
    how many milestones were added or changed; the light is refreshed once.
    """
    _require(actor, project, Part.MILESTONES)
    existing = {
        m.name: m
        for m in Milestone.objects.select_for_update().filter(project=project).order_by("pk")
    }
    changed = 0
    for name, planned_date in dates:
        milestone = existing.get(name) or Milestone(project=project, name=name)
        if milestone.actual_date or milestone.planned_date == planned_date:
            continue
        _save(actor, milestone, {"planned_date": planned_date}, project=project, reason=reason)
        changed += 1
    if changed:
        _relight(project)
    return changed


def _with_evidence(values: dict[str, Any]) -> dict[str, Any]:
    """The values with a new evidence file checked (False or None: the file removed)."""
    if "evidence" not in values:
        return values
    upload = values["evidence"]
    if not upload:
        return {**values, "evidence": ""}
    if isinstance(upload, models.fields.files.FieldFile):  # the file already stored
        return values
    try:
        return {**values, "evidence": check_evidence(upload)}
    except ValidationError as error:
        raise ValidationError({"evidence": error.messages}) from error


# -- funding -------------------------------------------------------------------------------


@transaction.atomic
def do_add_funding_line(
    actor: User, project: Project, values: dict[str, Any], *, reason: str = ""
) -> FundingLine:
    """Add a source of funding. The planned amount is the region's or headquarters'; an owner
    may add a source it has secured or received funds from."""
    _only(values, FUNDING_FIELDS)
    if not can_edit(actor, project, Part.FUNDING) and not can_edit(actor, project, Part.FUNDS):
        _require(actor, project, Part.FUNDING)
    line = FundingLine(project=project)
    _save(actor, line, values, project=project, reason=reason)
    return line


@transaction.atomic
def do_update_funding_line(
    actor: User, line: FundingLine, values: dict[str, Any], *, reason: str = ""
) -> FundingLine:
    """Change a funding line: planned (region, headquarters); secured and disbursed (owner)."""
    _only(values, FUNDING_FIELDS)
    current = _locked(FundingLine, line.pk)
    _save(actor, current, values, project=current.project, reason=reason)
    return current


@transaction.atomic
def do_delete_funding_line(actor: User, line: FundingLine, *, reason: str = "") -> None:
    current = _locked(FundingLine, line.pk)
    _delete(actor, current, project=current.project, part=Part.FUNDING, reason=reason)


# -- annual plans --------------------------------------------------------------------------


def _months_of(months: dict[Any, Any]) -> dict[int, Decimal]:
    clean: dict[int, Decimal] = {}
    for month, amount in months.items():
        try:
            month = int(month)
        except (TypeError, ValueError):
            month = 0
        if not 1 <= month <= 12:
            raise ValidationError({"months": _("The month must be between 1 and 12.")})
        amount = Decimal(amount or 0)
        if amount < 0:
            raise ValidationError({"months": _("An amount cannot be negative.")})
        clean[month] = amount
    return clean


def months_mismatch(total: Decimal, planned: Decimal) -> str:
    return _("The months add up to %(total)s, not the planned investment %(planned)s.") % {
        "total": plain(Decimal(total)),
        "planned": plain(Decimal(planned)),
    }


@transaction.atomic
def do_save_annual_plan(
    actor: User,
    project: Project,
    year: int,
    values: dict[str, Any],
    *,
    months: dict[Any, Any] | None = None,
    reason: str = "",
) -> AnnualPlan:
    """Create or change a project's plan for a year, and its monthly amounts (region, HQ).

    `months` maps a month (1-12) to its planned amount; a month left out plans nothing. The
    months must add up to the planned investment; with the investment left blank, it is their
    sum.
    """
    _only(values, PLAN_FIELDS)
    _require(actor, project, Part.PLAN)
    plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).order_by(
        "pk"
    ).first() or AnnualPlan(project=project, year=year)
    existing = {} if plan._state.adding else {m.month: m for m in plan.months.all()}
    values = dict(values)
    amounts = (
        _months_of(months)
        if months is not None
        else {m: row.planned_investment for m, row in existing.items()}
    )
    total = sum(amounts.values(), ZERO)
    if values.get("planned_investment") is None:
        if months is not None and total:
            values["planned_investment"] = total
        else:
            values.pop("planned_investment", None)
    planned = values.get("planned_investment", plan.planned_investment)
    if total and planned != total:
        raise ValidationError({"planned_investment": months_mismatch(total, planned)})
    changed = bool(_save(actor, plan, values, project=project, reason=reason))
    if months is not None:
        for month in range(1, 13):
            amount = amounts.get(month, ZERO)
            row = existing.get(month)
            if amount:
                row = row or PlanMonth(plan=plan, month=month)
                values = {"planned_investment": amount}
                changed |= bool(_save(actor, row, values, project=project, reason=reason))
            elif row is not None:
                _delete(actor, row, project=project, part=Part.PLAN, reason=reason)
                changed = True
    if changed:
        _relight(project)
    return plan


@transaction.atomic
def do_delete_annual_plan(actor: User, plan: AnnualPlan, *, reason: str = "") -> None:
    current = _locked(AnnualPlan, plan.pk)
    project = current.project
    _delete(actor, current, project=project, part=Part.PLAN, reason=reason)
    _relight(project)


# -- the importer's bulk write --------------------------------------------------------------


@dataclass
class BulkRow:
    """One project of a bulk write (the Excel import), planned and checked by its caller.

    `changes` are the project's changes as the history records them (field: [before, after]);
    `m2m` the new sets of ids of responsible units and leaders, with `m2m_before` the current
    ones; `programs` the ids of programmes to add; `annual` the year's planned investment and
    `targets` its target tasks (None: left as they are), with what they were before.
    """

    project: Project
    action: str  # "create", "update" or "unchanged"
    changes: dict[str, list[Any]] = field(default_factory=dict)
    m2m: dict[str, set[int]] = field(default_factory=dict)
    m2m_before: dict[str, set[int]] = field(default_factory=dict)
    programs: set[int] = field(default_factory=set)
    annual: Decimal | None = None
    plan_before: Decimal | None = None
    targets: str | None = None
    targets_before: str | None = None


BATCH = 500
M2M_THROUGH: dict[str, tuple[type[models.Model], str]] = {
    "responsible_units": (Project.responsible_units.through, "unit_id"),
    "leaders": (Project.leaders.through, "leader_id"),
}


def bulk_refusal(actor: User, row: BulkRow) -> tuple[str, str] | None:
    """Why this user may not write this row, as (field, message); None when allowed (no query).

    The same rules as every other write: the importer asks for each row while it checks the
    file, so that a refusal is reported with its row, and the bulk write asks again.
    """
    if not is_active(actor):
        return "name", _("You cannot change this project.")
    if is_headquarters(actor):
        return None
    parts = editable_parts(actor, row.project)
    names = list(row.changes)
    if row.action == "create":
        if row.project.stage not in PROPOSAL_STAGES:
            return "stage", _(
                "A region proposes projects in the reserve or preparation stage; "
                "headquarters moves them on."
            )
        names = [name for name in names if name != "stage"]
    if row.programs and "programs" not in names:
        names.append("programs")
    if row.annual is not None or row.targets is not None:
        if Part.PLAN not in parts:
            return "annual_planned", _("You cannot change the %(part)s of this project.") % {
                "part": Part.PLAN.label
            }
    if not parts:
        return "name", _("You cannot change this project.")
    part = missing_part(parts, "project", names)
    if part is None:
        return None
    name = next(n for n in names if not allows(parts, "project", [n]))
    return name, _("You cannot change the %(part)s of this project.") % {"part": Part(part).label}


@transaction.atomic
def do_write_projects_in_bulk(actor: User, rows: list[BulkRow], *, year: int, reason: str) -> None:
    """Write many projects at once: created and updated in bulk, relations, plans, history,
    lights; each row checked with `bulk_refusal`. The caller checks the file as a whole."""
    for row in rows:
        refusal = bulk_refusal(actor, row)
        if refusal is not None:
            raise PermissionDenied(refusal[1])
    now = timezone.now()
    creates = [row for row in rows if row.action == "create"]
    updates = [row for row in rows if row.action == "update"]
    for row in creates:
        row.project.created_at = row.project.updated_at = now
    Project.objects.bulk_create([row.project for row in creates], batch_size=BATCH)
    concrete = {f.name: f.attname for f in Project._meta.concrete_fields}
    changed_fields = {concrete[key] for row in updates for key in row.changes if key in concrete}
    touched = [row.project for row in updates if any(k in concrete for k in row.changes)]
    for project in touched:
        project.updated_at = now
    if touched:
        Project.objects.bulk_update(
            touched, sorted(changed_fields | {"updated_at"}), batch_size=BATCH
        )
    written = creates + updates
    _bulk_relations(written)
    records = _bulk_plans(actor, written, year, reason)
    project_type = ContentType.objects.get_for_model(Project)
    for row in written:
        if not row.changes:
            continue
        changes = row.changes
        if row.action == "create":
            changes = {k: v for k, v in changes.items() if v[1] not in (None, "", [])}
        records.append(
            ChangeRecord(
                content_type=project_type,
                object_id=str(row.project.pk),
                object_repr=str(row.project)[:200],
                project_id=row.project.pk,
                action=Action.CREATE if row.action == "create" else Action.UPDATE,
                changes=changes,
                reason=reason,
                actor=actor,
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=BATCH)
    actor_name = actor.username if actor is not None else "-"
    transaction.on_commit(
        lambda: changes_logger.info(
            "bulk write of %d projects by %s (%s)", len(records), actor_name, reason[:100]
        )
    )
    ids = [row.project.pk for row in written]
    if ids:
        facts_changed(ids)
    if creates or any("owner" in row.changes or row.programs for row in updates):
        project_set.changed()  # created and moved in bulk: no signal
    moved = [row.project.pk for row in written if row.programs]
    if moved:
        _announce_programs(moved)


def _bulk_relations(rows: list[BulkRow]) -> None:
    for key, (through, column) in M2M_THROUGH.items():
        additions = []
        for row in rows:
            if key not in row.m2m:
                continue
            current = row.m2m_before.get(key, set())
            new = row.m2m[key]
            additions += [
                through(project_id=row.project.pk, **{column: value})
                for value in sorted(new - current)
            ]
            if current - new:
                through._default_manager.filter(
                    project_id=row.project.pk, **{f"{column}__in": current - new}
                ).delete()
        through._default_manager.bulk_create(additions, batch_size=BATCH, ignore_conflicts=True)
    Project.programs.through.objects.bulk_create(
        [
            Project.programs.through(project_id=row.project.pk, program_id=program)
            for row in rows
            for program in sorted(row.programs)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _bulk_plans(actor: User, rows: list[BulkRow], year: int, reason: str) -> list[ChangeRecord]:
    changing = [row for row in rows if row.annual is not None or row.targets is not None]
    existing = {
        p.project_id: p
        for p in AnnualPlan.objects.filter(
            year=year, project__in=[row.project.pk for row in changing]
        )
    }
    new, changed = [], []
    for row in changing:
        annual_plan = existing.get(row.project.pk)
        if annual_plan is None:
            annual_plan = AnnualPlan(project=row.project, year=year)
            new.append(annual_plan)
        else:
            changed.append(annual_plan)
        if row.annual is not None:
            annual_plan.planned_investment = row.annual
        if row.targets is not None:
            annual_plan.targets = row.targets
    AnnualPlan.objects.bulk_create(new, batch_size=BATCH)
    AnnualPlan.objects.bulk_update(changed, ["planned_investment", "targets"], batch_size=BATCH)
    content_type = ContentType.objects.get_for_model(AnnualPlan)
    by_project = {row.project.pk: row for row in changing}
    names = {row.project.pk: row.project.name for row in changing}
    records = []
    for annual_plan, action in [(p, Action.CREATE) for p in new] + [
        (p, Action.UPDATE) for p in changed
    ]:
        row = by_project[annual_plan.project_id]
        changes = {}
        if row.annual is not None:
            changes["planned_investment"] = [plain(row.plan_before), plain(row.annual)]
        if row.targets is not None:
            changes["targets"] = [row.targets_before or "", row.targets]
        if action == Action.CREATE:
            changes["year"] = [None, year]
        records.append(
            ChangeRecord(
                content_type=content_type,
                object_id=str(annual_plan.pk),
                object_repr=f"{names[annual_plan.project_id]} {year}"[:200],
                project_id=annual_plan.project_id,
                action=action,
                changes=changes,
                reason=reason,
                actor=actor,
            )
        )
    return records
