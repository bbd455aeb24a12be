"""Approvals with legal time limits (联审联批): every change to an approval goes through here.

Who may change what, decided in one place (`editable_fields`):

- the department responsible for an approval: its status, its 受理 (acceptance) and completion
  dates, its document number and its attachment, and nothing else;
- headquarters: everything, and creates approvals for a project;
- anyone else: nothing.

A change is checked, validated (`Approval.clean` and the field validators, every message in
Chinese), written in a transaction, recorded in the project's history, and the project's light
refreshed. `notify_time_limits()`, run daily by `diaodu remind`, tells a department's users when
one of its approvals turns yellow or red, once for each change of light.
"""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from diaodu.core import kept
from diaodu.core.choices import Light
from diaodu.core.history import diff, record, snapshot
from diaodu.core.models import Action
from diaodu.core.uploads import check_photo
from diaodu.notifications.services import notify
from diaodu.org.choices import Role
from diaodu.org.models import User
from diaodu.org.permissions import is_active, is_headquarters
from diaodu.projects.approval_timing import default_time_limit, due_date, light_q, timing_of
from diaodu.projects.choices import ApprovalStatus
from diaodu.projects.models import Approval, Project
from diaodu.projects.signals import facts_changed

# What the responsible department keeps current; headquarters also sets the rest.
DEPARTMENT_FIELDS = ("status", "applied_on", "completed_on", "document_number", "attachment")
ALL_FIELDS = (
    "kind",
    "responsible_department",
    "time_limit_days",
    "planned_date",
    *DEPARTMENT_FIELDS,
)
# Scans of an approval document: PDF, OFD (China's e-document format, a zip) or a photo.
DOCUMENT_SIGNATURES = {".pdf": b"%PDF-", ".ofd": b"PK\x03\x04"}
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


# -- who may do what -----------------------------------------------------------------------


def editable_fields(user, approval: Approval) -> tuple[str, ...]:
    """The fields of this approval the user may change (no query); empty when none."""
    if not is_active(user):
        return ()
    if is_headquarters(user):
        return ALL_FIELDS
    if (
        user.role == Role.DEPARTMENT
        and user.unit_id is not None
        and approval.responsible_department_id == user.unit_id
    ):
        return DEPARTMENT_FIELDS
    return ()


def can_edit(user, approval: Approval) -> bool:
    return bool(editable_fields(user, approval))


def can_create(user) -> bool:
    """Headquarters adds approvals to a project."""
    return is_headquarters(user)


def _labels(names) -> str:
    return "、".join(str(capfirst(Approval._meta.get_field(name).verbose_name)) for name in names)


# -- checks ----------------------------------------------------------------------------------


def check_attachment(upload):
    """Refuse an attachment larger than DIAODU_UPLOAD_MAX_MB, or not a PDF, OFD or photo.

    The size is checked before anything is read; then the file's first bytes must match its
    kind (a photo must open as an image). Returns the file; raises ValidationError in the
    user's language.
    """
    limit = settings.DIAODU_UPLOAD_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit)d MB.")
            % {"size": upload.size / 1024 / 1024, "limit": limit}
        )
    suffix = Path(upload.name or "").suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        return check_photo(upload)
    signature = DOCUMENT_SIGNATURES.get(suffix)
    if signature is not None:
        upload.seek(0)
        head = upload.read(len(signature))
        upload.seek(0)
        if head == signature:
            return upload
    raise ValidationError(_("Attach the approval document as a PDF, OFD or photo (JPEG, PNG)."))


def _check_dates(approval: Approval, today: date):
    errors = {}
    for name in ("applied_on", "completed_on"):
        value = getattr(approval, name)
        if value is not None and value > today:
            errors[name] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)


def _snapshot(approval: Approval) -> dict:
    """The recorded fields (a file as its stored name; the due date and the last warning are
    derived, see core.history.DERIVED)."""
    return snapshot(approval)


def _validate(approval: Approval, today: date):
    if approval.status == ApprovalStatus.IN_PROGRESS and approval.time_limit_days is None:
        approval.time_limit_days = default_time_limit(approval.kind)
    _check_dates(approval, today)
    approval.full_clean()
    approval.due_on = due_date(approval.applied_on, approval.time_limit_days)


# -- changes ---------------------------------------------------------------------------------


@transaction.atomic
def do_update_approval(actor, approval: Approval, **changes) -> Approval:
    """Change the given fields of an approval, as `actor`. `attachment` takes a new file, or
    None (or False) to remove it. A field the actor may not change is refused (403), a bad
    value is a ValidationError naming the field (400); either way nothing is written."""
    unknown = set(changes) - set(ALL_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    allowed = editable_fields(actor, approval)
    if not allowed:
        raise PermissionDenied(_("You cannot change this approval."))
    refused = [name for name in changes if name not in allowed]
    if refused:
        raise PermissionDenied(
            _("Only headquarters can change %(fields)s.") % {"fields": _labels(refused)}
        )
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    before, before_department = _snapshot(approval), approval.responsible_department_id
    if "attachment" in changes:
        upload = changes.pop("attachment")
        approval.attachment = check_attachment(upload) if upload else ""
    for name, value in changes.items():
        setattr(approval, name, value)
    _validate(approval, timezone.localdate())
    if approval.responsible_department_id != before_department:
        approval.notified_light = ""  # the new department is told of its light afresh
    approval.save()
    changed = diff(before, _snapshot(approval))
    if changed:
        record(actor, approval, Action.UPDATE, changed)
        facts_changed([approval.project_id])
    return approval


@transaction.atomic
def do_create_approval(actor, project: Project, **values) -> Approval:
    """Add an approval to a project (headquarters). Its time limit defaults to its kind's."""
    if not can_create(actor):
        raise PermissionDenied(_("Only headquarters adds approvals to a project."))
    unknown = set(values) - set(ALL_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    attachment = values.pop("attachment", None)
    approval = Approval(project=project, **values)
    if approval.time_limit_days is None:
        approval.time_limit_days = default_time_limit(approval.kind)
    if attachment:
        approval.attachment = check_attachment(attachment)
    _validate(approval, timezone.localdate())
    approval.save()
    after = {name: value for name, value in _snapshot(approval).items() if value not in ("", None)}
    record(actor, approval, Action.CREATE, {name: [None, value] for name, value in after.items()})
    facts_changed([project.pk])
    return approval


# -- due dates and reminders -----------------------------------------------------------------


def refresh_due_dates() -> int:
    """Recount the due date of every approval in progress (after the holiday table changed,
    e.g. the package upgraded with next year's holidays). Returns how many changed."""
    changed = []
    for approval in (
        Approval.objects.running().order_by().only("pk", "applied_on", "time_limit_days", "due_on")
    ):
        due_on = due_date(approval.applied_on, approval.time_limit_days)
        if due_on != approval.due_on:
            approval.due_on = due_on
            changed.append(approval)
    Approval.objects.bulk_update(changed, ["due_on"], batch_size=1000)
    if changed:
        kept.changed()
    return len(changed)


def department_users(unit_ids) -> dict[int, list]:
    """The active users of each unit, in one query."""
    users: dict[int, list] = {}
    for user in User.objects.filter(unit_id__in=set(unit_ids), is_active=True):
        users.setdefault(user.unit_id, []).append(user)
    return users


def notify_time_limits(today: date | None = None) -> int:
    """Tell each department of its approvals that turned yellow or red since it was last told.

    Idempotent: each approval remembers the light it was notified of, so running twice a day
    sends nothing the second time; an approval back to green (or closed) is forgotten, and
    notified again if it turns yellow later. Returns how many notifications were sent.
    """
    today = today or timezone.localdate()
    refresh_due_dates()
    warned = light_q(Light.YELLOW, today) | light_q(Light.RED, today)
    candidates = list(
        Approval.objects.filter(warned | ~Q(notified_light=""))
        .select_related("project", "responsible_department")
        .order_by("pk")
    )
    recipients = department_users(a.responsible_department_id for a in candidates)
    sent, changed = 0, []
    with translation.override(settings.LANGUAGE_CODE):
        for approval in candidates:
            timing = timing_of(approval, today)
            light = timing.light if timing and timing.light != Light.GREEN else ""
            if light == approval.notified_light:
                continue
            if light:
                values = {"approval": approval.get_kind_display(), "project": approval.project}
                title = (
                    _("Approval past its time limit: %(project)s, %(approval)s")
                    if light == Light.RED
                    else _("Approval near its time limit: %(project)s, %(approval)s")
                ) % values
                sent += len(
                    notify(
                        recipients.get(approval.responsible_department_id, []),
                        title,
                        url=reverse("approvals:detail", args=[approval.pk]),
                        body=timing.reason,
                        event=f"approval.{'past' if light == Light.RED else 'near'}_limit",
                        # Once per light and due date: two runs at once tell nobody twice.
                        key=f"approval:{approval.pk}:{light}:{approval.due_on}",
                    )
                )
            approval.notified_light = light
            changed.append(approval)
    Approval.objects.bulk_update(changed, ["notified_light"], batch_size=1000)
    return sent
