"""Who may change which part of a project: the one place it is decided.

Each unit keeps its own part current (DESIGN.md, "The cycle of scheduling"):

- the owner (建设单位) of a project: its actual start and completion, its milestones met (the
  actual date and the evidence), the funds secured and disbursed per source, its contact people;
- the region (区/县) a project is in, or one above it: its basic data, its annual plan and
  monthly breakdown, its milestones' planned dates and its planned funding; a region also
  proposes new projects in its area (in the reserve or preparation stage);
- headquarters: everything, including the stage and programme membership (动态调整).

Anyone else changes nothing. Approvals belong to their responsible department and are decided
with the approvals. Every page, API endpoint, import and the admin asks here, through
`editable_parts`, `can_edit` and `Project.objects.editable_by(user, part)`.
"""

from collections.abc import Iterable
from typing import TypeGuard

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from diaodu.org.choices import Role
from diaodu.org.models import AnyUser, User
from diaodu.org.permissions import is_headquarters
from diaodu.projects.choices import Stage
from diaodu.projects.models import Project


class Part(models.TextChoices):
    BASIC = "basic", _("basic data")
    STAGE = "stage", _("stage")
    ACTUAL_DATES = "actual_dates", _("actual start and completion")
    CONTACTS = "contacts", _("contact people")
    MILESTONES = "milestones", _("milestones and their planned dates")
    MILESTONES_MET = "milestones_met", _("milestones met")
    FUNDING = "funding", _("planned funding")
    FUNDS = "funds", _("funds secured and disbursed")
    PLAN = "plan", _("annual plan")
    PROGRAMS = "programs", _("programme membership")


ALL_PARTS = frozenset(Part)
OWNER_PARTS = frozenset({Part.ACTUAL_DATES, Part.CONTACTS, Part.MILESTONES_MET, Part.FUNDS})
REGION_PARTS = frozenset({Part.BASIC, Part.PLAN, Part.MILESTONES, Part.FUNDING})
# The stages in which a region may propose a new project; headquarters moves it on.
PROPOSAL_STAGES = frozenset({Stage.RESERVE, Stage.PREPARATION})

# Which part each field belongs to; a field not named belongs to the first part given.
# A field under several parts may be changed by whoever holds one of them.
FIELD_PARTS: dict[str, tuple[Part, dict[str, set[Part]]]] = {
    "project": (
        Part.BASIC,
        {
            "stage": {Part.STAGE},
            "actual_start": {Part.ACTUAL_DATES},
            "actual_completion": {Part.ACTUAL_DATES},
            "contact_person": {Part.CONTACTS},
            "contact_phone": {Part.CONTACTS},
            "programs": {Part.PROGRAMS},
        },
    ),
    "milestone": (
        Part.MILESTONES,
        {
            "actual_date": {Part.MILESTONES_MET},
            "evidence": {Part.MILESTONES_MET},
            "note": {Part.MILESTONES, Part.MILESTONES_MET},
        },
    ),
    "fundingline": (
        Part.FUNDING,
        {
            "source": {Part.FUNDING, Part.FUNDS},
            "secured": {Part.FUNDS},
            "disbursed": {Part.FUNDS},
            "note": {Part.FUNDING, Part.FUNDS},
        },
    ),
    "annualplan": (Part.PLAN, {}),
    "planmonth": (Part.PLAN, {}),
}


def _active(user: AnyUser) -> TypeGuard[User]:
    return user.is_authenticated and user.is_active


def _is_region(user: User) -> bool:
    return user.role == Role.REGION and user.unit_id is not None


def _is_owner(user: User) -> bool:
    return user.role == Role.OWNER and user.unit_id is not None


def editable_parts(user: AnyUser, project: Project) -> frozenset[Part]:
    """The parts of this project the user may change (no query)."""
    if not _active(user):
        return frozenset()
    if user.is_headquarters:
        return ALL_PARTS
    parts: set[Part] = set()
    if _is_owner(user) and project.owner_id == user.unit_id:
        parts |= OWNER_PARTS
    if _is_region(user) and project.region_id in user.scope_unit_ids:
        parts |= REGION_PARTS
    return frozenset(parts)


def can_edit(user: AnyUser, project: Project, part: Part | None = None) -> bool:
    """May the user change this part of the project (any part, if none is named)?"""
    parts = editable_parts(user, project)
    return bool(parts) if part is None else part in parts


def can_create(user: AnyUser) -> bool:
    """Headquarters creates projects anywhere; a region proposes them in its area."""
    return _active(user) and (user.is_headquarters or _is_region(user))


def creatable_parts(user: AnyUser) -> frozenset[Part]:
    """The parts a user fills in on a new project: headquarters all of them, a region its own
    (the project it proposes will be in its area); nothing for anyone else."""
    if not can_create(user):
        return frozenset()
    return ALL_PARTS if is_headquarters(user) else REGION_PARTS


def can_schedule(user: AnyUser) -> bool:
    """Backward scheduling sets every milestone of a project at once: headquarters only."""
    return is_headquarters(user)


def editable_filter(user: AnyUser, part: Part | None = None) -> Q | None:
    """The condition on projects for `editable_by`: None when the user may change none."""
    if not _active(user):
        return None
    if user.is_headquarters:
        return Q()
    conditions = []
    if _is_owner(user) and (part is None or part in OWNER_PARTS):
        conditions.append(Q(owner_id=user.unit_id))
    if _is_region(user) and (part is None or part in REGION_PARTS):
        conditions.append(Q(region_id__in=user.scope_unit_ids))
    if not conditions:
        return None
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def parts_of_fields(model_name: str, names: Iterable[str]) -> list[set[Part]]:
    """For each field changed, the parts any one of which allows the change."""
    default, special = FIELD_PARTS[model_name]
    return [special.get(name, {default}) for name in names]


def allows(parts: frozenset[Part], model_name: str, names: Iterable[str]) -> bool:
    return all(options & parts for options in parts_of_fields(model_name, names))


def missing_part(parts: frozenset[Part], model_name: str, names: Iterable[str]) -> Part | None:
    """The first part the user would need and lacks, to explain a refusal."""
    for options in parts_of_fields(model_name, names):
        if not options & parts:
            return sorted(options)[0]
    return None
