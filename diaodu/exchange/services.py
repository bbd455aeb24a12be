"""Every change of an import: a ledger uploaded to be checked (or imported at once), and a
checked ledger confirmed. The page and the API call these; the steps themselves run in
`jobs` (queued, or at once without a broker).

Who may import is decided by `importer.can_import` (headquarters, and a region for its area);
only the person who uploaded a file confirms it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.exchange import jobs, mapping
from diaodu.exchange.importer import can_import
from diaodu.exchange.models import ColumnMapping, ImportJob, ImportStatus
from diaodu.exchange.reader import ReadError, read
from diaodu.org.models import User
from diaodu.org.permissions import require
from diaodu.projects.models import Program


def do_start_import(
    actor: User,
    *,
    file: Any,
    program: Program | None = None,
    year: int | None = None,
    create_missing: bool = False,
    dry_run: bool = True,
) -> ImportJob:
    """Keep an uploaded ledger and queue its check; with `dry_run=False` it is imported too
    if the check finds nothing wrong. The plan's year is the programme's, else `year`, else
    this year."""
    require(can_import(actor), _("You cannot import projects."))
    job = ImportJob.objects.create(
        created_by=actor,
        file=file,
        original_name=file.name[:255],
        program=program,
        year=program.year if program else (year or timezone.localdate().year),
        create_missing=create_missing,
    )
    jobs.start(job, apply=not dry_run)
    return job


def do_apply_import(actor: User, job: ImportJob) -> ImportJob:
    """Import a file whose check was clean (its uploader only): it is checked again first.

    The job is locked while it moves from ready to applying, so a confirmation sent twice (two
    tabs, a double click) starts one import; the second is told it is no longer ready."""
    require(can_import(actor), _("You cannot import projects."))
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        require(
            current.created_by_id == actor.pk,
            _("Only the person who uploaded the file can import it."),
        )
        if current.status != ImportStatus.READY:
            raise ValidationError(_("This file has already been imported or is not ready."))
        current.status = ImportStatus.APPLYING
        current.done = 0
        current.save(update_fields=["status", "done"])
    jobs.start(current, apply=True)
    return current


def do_correct_columns(
    actor: User, job: ImportJob, sheet_name: str, fields: dict[str, str]
) -> ImportJob:
    """Read some columns of a checked file's sheet as the person says (column position to
    field, "" to leave it aside), remember it for every later sheet with the same header, and
    check the file again. Only the uploader, while the file waits for confirmation."""
    require(can_import(actor), _("You cannot import projects."))
    require(
        job.created_by_id == actor.pk,
        _("Only the person who uploaded the file can correct how it is read."),
    )
    if job.status not in (ImportStatus.READY, ImportStatus.REJECTED):
        raise ValidationError(_("This file has already been imported or is not ready."))
    try:
        with job.file.open("rb") as handle:
            ledger = read(handle, job.original_name)
    except (ReadError, OSError) as error:
        raise ValidationError(str(error)) from error
    mapping.apply_remembered(ledger)
    sheet = next((s for s in ledger.sheets if s.name == sheet_name), None)
    if sheet is None:
        raise ValidationError(_("The file has no sheet “%(sheet)s”.") % {"sheet": sheet_name})
    try:
        changes = mapping.check_fields(sheet, fields)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status not in (ImportStatus.READY, ImportStatus.REJECTED):
            raise ValidationError(_("This file has already been imported or is not ready."))
        remembered, _created = ColumnMapping.objects.select_for_update().get_or_create(
            signature=sheet.signature, defaults={"headers": sheet.header_texts}
        )
        remembered.fields = {**remembered.fields, **changes}
        remembered.headers = sheet.header_texts
        remembered.updated_by = actor
        remembered.save()
        current.status = ImportStatus.CHECKING
        current.done = 0
        current.result = {}
        current.save(update_fields=["status", "done", "result"])
    jobs.start(current, apply=False)
    return current
