"""Every change to a meeting: created, edited, deleted, minutes stored, tasks confirmed from
the minutes (and what the reviewer corrected in the drafts), an alias the corrections revealed
added to the directory.

Who may do any of it is decided in `can_manage()`: headquarters and leaders; everyone else
reads.
"""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.history import diff, m2m_snapshot, record, snapshot
from diaodu.core.models import Action
from diaodu.meetings.models import DraftCorrection, Meeting
from diaodu.notifications.services import notify
from diaodu.org.choices import Role
from diaodu.org.models import AnyUser, Unit, User
from diaodu.org.permissions import is_headquarters
from diaodu.problems import services as problem_services
from diaodu.problems.choices import TaskSource
from diaodu.problems.models import Task
from diaodu.projects.models import Project

if TYPE_CHECKING:
    from diaodu.meetings.extraction.extractor import Draft

M2M_FIELDS = ("attending_units", "attending_leaders", "programs", "projects", "regions")


def extract(
    text: str, meeting_date: date, *, projects: Any = None, units: Any = None
) -> "list[Draft]":
    """Draft tasks from minutes: the extractor (`diaodu.meetings.extraction`), imported on use.

    Views and the API import this name so that tests can replace it.
    """
    from diaodu.meetings.extraction import extract as run

    return run(text, meeting_date, projects=projects, units=units)


def can_manage(user: AnyUser) -> bool:
    """Headquarters and leaders create meetings and confirm their tasks; others read."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_headquarters or user.role == Role.LEADER)
    )


def _require_manager(user: AnyUser) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Only headquarters and leaders manage meetings."))


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    fields = {k: v for k, v in data.items() if k not in M2M_FIELDS}
    relations = {k: v for k, v in data.items() if k in M2M_FIELDS}
    return fields, relations


@transaction.atomic
def do_create_meeting(actor: User, **data: Any) -> Meeting:
    _require_manager(actor)
    fields, relations = _split(data)
    meeting = Meeting(created_by=actor, **fields)
    meeting.full_clean()
    meeting.save()
    for name, value in relations.items():
        getattr(meeting, name).set(value)
    record(
        actor,
        meeting,
        Action.CREATE,
        {**diff({}, snapshot(meeting)), **diff({}, m2m_snapshot(meeting))},
    )
    notify_scheduled(actor, meeting)
    return meeting


@transaction.atomic
def do_update_meeting(actor: User, meeting: Meeting, **data: Any) -> Meeting:
    _require_manager(actor)
    before = {**snapshot(meeting), **m2m_snapshot(meeting)}
    fields, relations = _split(data)
    for name, value in fields.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    for name, value in relations.items():
        getattr(meeting, name).set(value)
    changes = diff(before, {**snapshot(meeting), **m2m_snapshot(meeting)})
    if changes:
        record(actor, meeting, Action.UPDATE, changes)
        notify_scheduled(actor, meeting)
    return meeting


@transaction.atomic
def do_delete_meeting(actor: User, meeting: Meeting) -> None:
    """Delete a meeting (whoever may edit it), recorded with what it held. Tasks set at it
    stay, without their meeting (`Task.meeting` is cleared)."""
    _require_manager(actor)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    held = {**snapshot(current), **m2m_snapshot(current)}
    gone = {name: [value, None] for name, value in held.items() if value not in (None, "", [])}
    record(actor, current, Action.DELETE, gone)
    current.delete()


def invited(meeting: Meeting) -> list[User]:
    """Who is told of a meeting: the people of its attending units, its chair and attending
    leaders, and the owners and regions of the projects and regions on its agenda, each only
    if the meeting is in their scope (`Meeting.objects.visible_to`)."""
    leaders = [meeting.chair_id, *meeting.attending_leaders.values_list("pk", flat=True)]
    projects = meeting.projects.all()
    regions = [*meeting.regions.values_list("pk", flat=True)]
    regions += [*projects.exclude(region=None).values_list("region_id", flat=True)]
    candidates = User.objects.filter(is_active=True).filter(
        Q(unit__in=meeting.attending_units.all())
        | Q(leader_profile__in=[pk for pk in leaders if pk])
        | Q(unit__in=projects.exclude(owner=None).values("owner_id"), role=Role.OWNER)
        | Q(unit__in=regions, role=Role.REGION)
    )
    attending = set(meeting.attending_units.values_list("pk", flat=True))
    return [
        user
        for user in candidates.distinct().order_by("pk")
        if user.sees_everything
        or user.unit_id in attending
        or Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists()
    ]


def notify_scheduled(actor: User, meeting: Meeting) -> int:
    """Tell everyone `invited` of a meeting to come, with the link to its page (where its
    agenda is) and to the agenda as a Word file; once per person and date, so that an edit
    tells only the units added, and a new date tells everyone again."""
    if meeting.date < timezone.localdate():
        return 0  # a meeting recorded afterwards calls nobody
    values = {"date": meeting.date.isoformat(), "title": meeting.title}
    facts = [
        _("Date: %(date)s. Place: %(place)s.")
        % {"date": values["date"], "place": meeting.place or "—"},
    ]
    if meeting.chair_id:
        facts.append(_("Chaired by %(chair)s.") % {"chair": meeting.chair})
    agenda = reverse("meetings:agenda-docx", args=[meeting.pk])
    facts.append(_("Agenda (Word): %(link)s") % {"link": agenda})
    return len(
        notify(
            invited(meeting),
            _("Meeting on %(date)s: %(title)s") % values,
            url=reverse("meetings:detail", args=[meeting.pk]),
            body="\n".join(facts),
            exclude=actor,
            event="meeting.scheduled",
            key=f"meeting:{meeting.pk}:scheduled:{values['date']}",
        )
    )


@transaction.atomic
def do_save_minutes(actor: User, meeting: Meeting, minutes: str) -> Meeting:
    """Keep the minutes as pasted (the text the draft tasks come from)."""
    _require_manager(actor)
    minutes = (minutes or "").strip()
    if minutes != meeting.minutes:
        before = meeting.minutes
        meeting.minutes = minutes
        meeting.save(update_fields=["minutes", "updated_at"])
        record(actor, meeting, Action.UPDATE, {"minutes": [before, minutes]})
    return meeting


def check_rows(actor: User, rows: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Every problem of every row, by row index (0-based); empty when all are fine.

    A row has content, project (a Project or None), lead_unit (a Unit), deadline and
    sentence.
    """
    errors: dict[int, list[str]] = {}
    project_ids = {row["project"].pk for row in rows if row.get("project") is not None}
    visible = set(
        Project.objects.visible_to(actor).filter(pk__in=project_ids).values_list("pk", flat=True)
    )
    for index, row in enumerate(rows):
        problems = []
        if not (row.get("content") or "").strip():
            problems.append(_("Write what is to be done."))
        if row.get("lead_unit") is None:
            problems.append(_("Choose the lead unit."))
        if row.get("deadline") is None:
            problems.append(_("Give a deadline."))
        project = row.get("project")
        if project is not None and project.pk not in visible:
            problems.append(_("Unknown project."))
        if problems:
            errors[index] = problems
    return errors


@transaction.atomic
def do_confirm_tasks(
    actor: User,
    meeting: Meeting,
    rows: list[dict[str, Any]],
    rejected: list[dict[str, Any]] | None = None,
) -> list[Task]:
    """Create one task per row, set at this meeting; all of them or none.

    Every row is checked first; if any is wrong, ValidationError maps each wrong row's index
    to its messages and nothing is created. Tasks go through `do_assign_task`, so they are
    recorded and the units are notified (their inbox shows them).

    A row drawn from a draft carries it as ``draft`` (its unit, project and deadline, and the
    names as written, ``unit_written`` and ``project_written``); ``rejected`` are the drafts
    the reviewer did not create (each with its ``sentence``). What the reviewer changed is
    kept as `DraftCorrection` rows, with the tasks.
    """
    _require_manager(actor)
    if not rows:
        raise ValidationError(_("Choose at least one task to create."))
    errors = check_rows(actor, rows)
    if errors:
        raise ValidationError({str(i): messages for i, messages in errors.items()})
    tasks = []
    for index, row in enumerate(rows):
        try:
            task = problem_services.do_assign_task(
                actor,
                content=row["content"],
                project=row.get("project"),
                lead_unit=row["lead_unit"],
                deadline=row["deadline"],
                source=TaskSource.MEETING,
                source_text=(row.get("sentence") or "").strip(),
                meeting=meeting,
            )
        except ValidationError as error:
            # The atomic block undoes the rows already created.
            raise ValidationError({str(index): error.messages}) from error
        tasks.append(task)
    DraftCorrection.objects.bulk_create(_corrections(actor, meeting, rows, rejected or []))
    return tasks


def _corrections(
    actor: User, meeting: Meeting, rows: list[dict[str, Any]], rejected: list[dict[str, Any]]
) -> list[DraftCorrection]:
    """What the reviewer changed in each draft: one correction per field, one per rejection."""
    Field = DraftCorrection.Field
    found = []
    for row in rows:
        draft = row.get("draft")
        if draft is None:
            continue
        kept = {"meeting": meeting, "created_by": actor, "sentence": row.get("sentence") or ""}
        if draft.get("unit") != row.get("lead_unit"):
            found.append(
                DraftCorrection(
                    field=Field.UNIT,
                    written=(draft.get("unit_written") or "")[:100],
                    proposed_unit=draft.get("unit"),
                    chosen_unit=row.get("lead_unit"),
                    **kept,
                )
            )
        if draft.get("project") != row.get("project"):
            found.append(
                DraftCorrection(
                    field=Field.PROJECT,
                    written=(draft.get("project_written") or "")[:100],
                    proposed_project=draft.get("project"),
                    chosen_project=row.get("project"),
                    **kept,
                )
            )
        if draft.get("deadline") != row.get("deadline"):
            found.append(
                DraftCorrection(
                    field=Field.DEADLINE,
                    proposed_deadline=draft.get("deadline"),
                    chosen_deadline=row.get("deadline"),
                    **kept,
                )
            )
    for draft in rejected:
        found.append(
            DraftCorrection(
                meeting=meeting,
                created_by=actor,
                field=Field.REJECTED,
                sentence=draft.get("sentence") or "",
                written=(draft.get("unit_written") or "")[:100],
                proposed_unit=draft.get("unit"),
                proposed_project=draft.get("project"),
                proposed_deadline=draft.get("deadline"),
            )
        )
    return found


def _names(unit: Unit) -> set[str]:
    from diaodu.meetings.extraction.normalize import simplify

    return {simplify(name).strip() for name in (unit.name, unit.short_name, *(unit.aliases or []))}


def alias_offers(meeting: Meeting) -> list[tuple[str, Unit]]:
    """Names the minutes gave a unit that the directory does not know, from the reviewers'
    corrections: 区城管局 written, 山阳区城市管理局 chosen. Each (name, unit) once."""
    offers: dict[tuple[str, int], tuple[str, Unit]] = {}
    corrections = (
        meeting.corrections.filter(field=DraftCorrection.Field.UNIT, chosen_unit__isnull=False)
        .exclude(written="")
        .select_related("chosen_unit")
    )
    for correction in corrections:
        unit = correction.chosen_unit
        written = correction.written.strip()
        if unit is None or not written or (written, unit.pk) in offers:
            continue
        if written not in _names(unit):
            offers[(written, unit.pk)] = (written, unit)
    return list(offers.values())


def do_add_unit_alias(actor: User, meeting: Meeting, unit: Unit, alias: str) -> Unit:
    """Add a name the meeting's corrections revealed to a unit's aliases (headquarters)."""
    if not is_headquarters(actor):
        raise PermissionDenied(_("Only headquarters keep the directory of units."))
    alias = alias.strip()
    if (alias, unit.pk) not in {(name, u.pk) for name, u in alias_offers(meeting)}:
        raise ValidationError(_("This name is not offered as an alias of this unit."))
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        before = list(current.aliases or [])
        current.aliases = [*before, alias]
        current.save(update_fields=["aliases"])
        record(actor, current, Action.UPDATE, {"aliases": [before, current.aliases]})
    return current
