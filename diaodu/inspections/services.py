"""Recording inspections (督查问效): checked, written, recorded and notified in one place.

Who may record one is decided in `can_inspect()`: inspectors and headquarters. An inspection is a
record of a visit: once recorded it is not edited (the administration can, for corrections).
The problems and tasks found on the spot are raised through the problem services, so they are
recorded and their units notified like any other; all of it is written, or none of it.
"""

from collections.abc import Iterable
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.dates import end_of
from diaodu.core.history import diff, record, snapshot
from diaodu.core.models import Action
from diaodu.core.photo_evidence import Sent
from diaodu.core.photos import attach_photo
from diaodu.inspections.models import Inspection, InspectionPhoto
from diaodu.notifications.services import notify
from diaodu.org.choices import Role
from diaodu.org.models import AnyUser, Unit, User
from diaodu.problems import services as problem_services
from diaodu.problems.choices import ProblemCategory, ProblemSource, TaskSource
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

# The rows of an inspection: what each may carry, and how its errors are keyed.
PROBLEMS, TASKS = "problems", "tasks"
# What an inspection cannot do without.
REQUIRED = ("date", "inspectors", "rating", "findings")


def can_inspect(user: AnyUser) -> bool:
    """Inspectors and headquarters (superusers too) record inspections; everyone else reads."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_headquarters or user.role == Role.INSPECTOR)
    )


def _require_inspector(user: AnyUser) -> None:
    if not can_inspect(user):
        raise PermissionDenied(_("Only inspectors and headquarters record inspections."))


def _require_visible(user: AnyUser, project: Project) -> None:
    if not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        raise PermissionDenied(_("You cannot inspect this project."))


def last_report(project: Project, before_date: Date) -> ProgressReport | None:
    """The project's latest report submitted (or approved) by the day of the visit, for a
    period begun by then: what the project claimed when the inspectors went.

    A draft or a returned report is not what the project claims, so it is never the one checked.
    """
    return (
        ProgressReport.objects.filter(
            project=project,
            submitted_at__lt=end_of(before_date),
            period__start__lte=before_date,
        )
        .exclude(status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
        .select_related("period__program")
        .order_by("-period__start", "-submitted_at", "-pk")
        .first()
    )


# -- errors --------------------------------------------------------------------------------


def row_key(kind: str, index: int, field: str | None = None) -> str:
    """The key of a row's error: "problems.0.deadline", or "tasks.1" for the whole row."""
    return f"{kind}.{index}.{field}" if field else f"{kind}.{index}"


def split_errors(
    error: ValidationError,
) -> tuple[dict[str, list[str]], dict[str, dict[int, dict[str | None, list[str]]]]]:
    """A service's errors as (the inspection's {field: messages}, {kind: {index: {field: ...}}}).

    A row's error for the whole row has the field None.
    """
    fields: dict[str, list[str]] = {}
    rows: dict[str, dict[int, dict[str | None, list[str]]]] = {PROBLEMS: {}, TASKS: {}}
    messages = getattr(error, "message_dict", None) or {NON_FIELD_ERRORS: error.messages}
    for key, texts in messages.items():
        kind, _dot, rest = key.partition(".")
        if kind in rows and rest:
            index, _dot, field = rest.partition(".")
            rows[kind].setdefault(int(index), {}).setdefault(field or None, []).extend(texts)
        else:
            fields.setdefault(key, []).extend(texts)
    return fields, rows


def _add(errors: dict[str, list[Any]], key: str, messages: Iterable[Any]) -> None:
    errors.setdefault(key, []).extend(messages)


def _model_errors(instance: models.Model, skip: Iterable[str]) -> dict[str, list[str]]:
    """What the model's own validation says, except for fields already reported."""
    try:
        instance.full_clean(exclude=set(skip) | {"project", "inspection"}, validate_unique=False)
    except ValidationError as error:
        return error.message_dict
    return {}


def _check_problem(
    project: Project, visit: Date | None, row: dict[str, Any]
) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if not (row.get("description") or "").strip():
        errors["description"] = [_("Describe the problem.")]
    if row.get("responsible_unit") is None:
        errors["responsible_unit"] = [_("Choose the responsible unit.")]
    deadline = row.get("deadline")
    if deadline is None:
        errors["deadline"] = [_("Give a deadline.")]
    elif visit is not None and deadline < visit:
        errors["deadline"] = [_("The deadline cannot be before the visit.")]
    probe = Problem(
        project=project,
        description=(row.get("description") or "").strip(),
        category=row.get("category") or ProblemCategory.OTHER,
        responsible_unit=row.get("responsible_unit"),
        deadline=deadline,  # type: ignore[misc]  # a probe, never saved: None is reported above
        source=ProblemSource.INSPECTION,
    )
    for field, messages in _model_errors(probe, errors).items():
        _add(errors, field, messages)
    return errors


def _check_task(project: Project, visit: Date | None, row: dict[str, Any]) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    if not (row.get("content") or "").strip():
        errors["content"] = [_("Write what is to be done.")]
    if row.get("lead_unit") is None:
        errors["lead_unit"] = [_("Choose the lead unit.")]
    deadline = row.get("deadline")
    if deadline is None:
        errors["deadline"] = [_("Give a deadline.")]
    elif visit is not None and deadline < visit:
        errors["deadline"] = [_("The deadline cannot be before the visit.")]
    probe = Task(
        project=project,
        content=(row.get("content") or "").strip(),
        lead_unit=row.get("lead_unit"),
        deadline=deadline,  # type: ignore[misc]  # a probe, never saved: None is reported above
        source=TaskSource.INSPECTION,
    )
    for field, messages in _model_errors(probe, errors).items():
        _add(errors, field, messages)
    return errors


def check_inspection(
    inspection: Inspection,
    problems: Iterable[dict[str, Any]] = (),
    tasks: Iterable[dict[str, Any]] = (),
    *,
    today: Date | None = None,
) -> dict[str, list[Any]]:
    """Every problem of an unsaved inspection and of its rows, keyed as `split_errors` reads them.

    Empty when all is well. Rows are checked against the visit's date even when the
    inspection itself has errors, so that one answer lists everything to correct.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[Any]] = {}
    # A missing value is said the same way for every field ("cannot be blank", not "null").
    for name in REQUIRED:
        if getattr(inspection, name) in (None, ""):
            model_field = Inspection._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # one of the inspection's own fields
            errors[name] = [model_field.error_messages["blank"]]
    try:
        inspection.full_clean(exclude=[*errors, "report", "reported_percent", "recorded_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    visit = inspection.date if isinstance(inspection.date, Date) else None
    if visit is not None and visit > today:
        _add(errors, "date", [_("The date of the visit cannot be in the future.")])
    for kind, rows, check in ((PROBLEMS, problems, _check_problem), (TASKS, tasks, _check_task)):
        for index, row in enumerate(rows):
            for field, messages in check(inspection.project, visit, row).items():
                row_field = None if field == NON_FIELD_ERRORS else field
                _add(errors, row_key(kind, index, row_field), messages)
    return errors


# -- recording -----------------------------------------------------------------------------


def _inspection_url(inspection: Inspection) -> str:
    return reverse("inspections:detail", args=[inspection.pk])


def _region_and_above(region: Unit | None) -> list[Unit]:
    units: list[Unit] = []
    while region is not None and region not in units:
        units.append(region)
        region = region.parent
    return units


def _notify_overstated(actor: User, inspection: Inspection) -> None:
    """The owner and the region (and the district above a street) hear of it: the accounts of
    those units whose scope holds the project (an owner's filers, a region's reviewers)."""
    project = inspection.project
    regions = [unit.pk for unit in _region_and_above(project.region)]
    scope = Q(unit_id__in=regions, role=Role.REGION)
    if project.owner_id is not None:
        scope |= Q(unit_id=project.owner_id, role=Role.OWNER)
    notify(
        User.objects.filter(scope, is_active=True).order_by("pk"),
        _("Inspection found progress overstated: %(project)s") % {"project": project.name},
        url=_inspection_url(inspection),
        body=_("Reported %(reported)s%%, seen on site %(seen)s%% on %(date)s: %(gap)s points less.")
        % {
            "reported": inspection.reported_percent,
            "seen": inspection.verified_percent,
            "date": inspection.date.isoformat(),
            "gap": inspection.progress_gap,
        },
        exclude=actor,
        event="inspection.overstated",
        key=f"inspection:{inspection.pk}:overstated",
    )


@transaction.atomic
def do_record_inspection(
    actor: User,
    project: Project,
    *,
    date: Date,
    inspectors: str,
    findings: str,
    rating: str,
    verified_progress: str = "",
    verified_percent: Decimal | None = None,
    problems: Iterable[dict[str, Any]] = (),
    tasks: Iterable[dict[str, Any]] = (),
    today: Date | None = None,
) -> Inspection:
    """Record a visit, and raise on the spot the problems and tasks it found; all or nothing.

    `problems` are dicts of description, category, responsible_unit and deadline; `tasks`
    dicts of content, lead_unit and deadline. Every error of the inspection and of every row
    is reported at once in one ValidationError (keys: the inspection's fields, and
    "problems.<index>.<field>", "tasks.<index>.<field>", see `split_errors`); nothing is
    written then. The report checked is the project's last submitted one for a period begun
    by the visit (`last_report`); its percentage is copied, so a later report does not change
    what this inspection found. `today` is for building a dated demo.
    """
    _require_inspector(actor)
    _require_visible(actor, project)
    problems, tasks = list(problems), list(tasks)
    inspection = Inspection(
        project=project,
        date=date,
        inspectors=(inspectors or "").strip(),
        findings=(findings or "").strip(),
        verified_progress=(verified_progress or "").strip(),
        verified_percent=verified_percent,
        rating=rating,
        recorded_by=actor,
    )
    errors = check_inspection(inspection, problems, tasks, today=today)
    if errors:
        raise ValidationError(errors)
    report = last_report(project, inspection.date)
    inspection.report = report
    inspection.reported_percent = report.physical_percent if report is not None else None
    inspection.save()
    record(actor, inspection, Action.CREATE, diff({}, snapshot(inspection)), project=project)
    for kind, rows in ((PROBLEMS, problems), (TASKS, tasks)):
        for index, row in enumerate(rows):
            try:
                if kind == PROBLEMS:
                    problem_services.do_raise_problem(
                        actor,
                        project,
                        description=row["description"],
                        category=row.get("category") or ProblemCategory.OTHER,
                        responsible_unit=row["responsible_unit"],
                        deadline=row["deadline"],
                        source=ProblemSource.INSPECTION,
                        inspection=inspection,
                    )
                else:
                    problem_services.do_assign_task(
                        actor,
                        content=row["content"],
                        project=project,
                        lead_unit=row["lead_unit"],
                        deadline=row["deadline"],
                        source=TaskSource.INSPECTION,
                        inspection=inspection,
                    )
            except ValidationError as error:
                # The atomic block undoes the inspection and the rows already written.
                raise ValidationError({row_key(kind, index): error.messages}) from error
    if inspection.is_overstated:
        _notify_overstated(actor, inspection)
    return inspection


@transaction.atomic
def do_add_inspection_photo(
    actor: User,
    inspection: Inspection,
    image: "File[Any]",
    caption: str = "",
    sent: Sent | None = None,
) -> InspectionPhoto:
    """Attach a photo of the visit, checked (size and image type) as every photo, with where
    and when it was taken (its EXIF, else what the browser `sent`)."""
    _require_inspector(actor)
    _require_visible(actor, inspection.project)
    photo = InspectionPhoto(inspection=inspection, caption=caption)
    return attach_photo(actor, photo, image, sent)
