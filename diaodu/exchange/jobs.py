"""Running an import: check the file (the dry run), then apply it on confirmation.

The page and the API queue each step (`start`, a task of diaodu/exchange/tasks.py) and read
the job's progress; with no broker configured the step runs at once, in the request.
"""

import logging
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.core.models import readable_changes
from diaodu.exchange import mapping
from diaodu.exchange.columns import BY_KEY
from diaodu.exchange.importer import Plan, Problem, ProjectImport, SheetReport
from diaodu.exchange.models import ImportJob, ImportStatus
from diaodu.exchange.reader import ReadError, read
from diaodu.projects.choices import Category, Stage
from diaodu.projects.models import Project

logger = logging.getLogger(__name__)
# Rows of changes kept with a job for the page; the counts are always exact.
CHANGES_KEPT = 2000
SECTIONS_KEPT = 500
SKIPPED = {
    "summary": gettext_lazy("a summary of counts by unit, industry or region, not of projects"),
    "code list": gettext_lazy("a list of codes or choices"),
    "instructions": gettext_lazy("instructions for filling in"),
    "hidden": gettext_lazy("a hidden sheet"),
    "no header": gettext_lazy("no header of projects in its first rows"),
}
COLUMN_NOTES = {
    "unknown": gettext_lazy("not a column Diaodu knows: left aside"),
    "derived": gettext_lazy("computed by Diaodu: left aside"),
    "repeated": gettext_lazy("a second column for the same field: left aside"),
}


def summary(plan: Plan) -> dict:
    """What a job keeps of a plan: counts, every problem, and the changes row by row."""
    changes = []
    for row in plan.rows:
        if row.action == "unchanged" or len(changes) >= CHANGES_KEPT:
            continue
        recorded = row.changes
        if row.action == "create":
            recorded = {k: v for k, v in recorded.items() if v[1] not in (None, "", [])}
        readable = readable_changes(Project, recorded)
        if row.annual is not None:
            readable.append(
                (
                    _("Annual plan %(year)d (10k yuan)") % {"year": plan.year},
                    f"{row.plan_before:.2f}" if row.plan_before is not None else "—",
                    f"{row.annual:.2f}",
                )
            )
        changes.append(
            {
                "row": row.row,
                "action": row.action,
                "name": row.project.name,
                "project": row.project.pk,
                "changes": readable,
            }
        )
    return {
        "counts": plan.counts,
        "year": plan.year,
        "problems": [p.as_dict() for p in plan.problems],
        "warnings": [p.as_dict() for p in plan.warnings],
        "changes": changes,
        "to_create": sorted(str(ref) for ref in plan.to_create),
        "unused_headers": plan.unused_headers,
        "sheets": [understood(report) for report in plan.sheets],
        "skipped_sheets": [
            {"name": name, "reason": reason, "why": str(SKIPPED.get(reason, reason))}
            for name, reason in plan.skipped_sheets
        ],
        # What the sheets of projects' details create and change, by kind.
        "details": plan.details.summary() if plan.details is not None else None,
    }


def understood(report: SheetReport) -> dict:
    """What the check understood of a sheet, as the dry run shows it: each column's field (or
    why it is left aside) and unit, the category rows, and the total imported against the
    file's own 合计."""
    columns = []
    for column in report.columns:
        field = column["field"]
        columns.append(
            {
                **column,
                "field_label": BY_KEY[field].header if field else "",
                "why": str(COLUMN_NOTES.get(column["note"], "")),
            }
        )
    sections = [
        {
            "row": section.row,
            "depth": section.depth,
            "label": section.label,
            "gives": _section_gives(section.meaning, section.tag),
            "projects": section.projects,
        }
        for section in report.sections[:SECTIONS_KEPT]
    ]
    totals = {}
    for key in ("total_investment", "annual_planned"):
        imported = report.imported.get(key)
        stated = report.stated.get(key)
        if imported is None and stated is None:
            continue
        totals[key] = {
            "label": BY_KEY[key].header,
            "imported": f"{imported:.2f}" if imported is not None else None,
            "stated": (
                f"{stated[1]:.2f}"
                if stated and isinstance(stated[1], Decimal)
                else (stated[1] if stated else None)
            ),
            "stated_row": stated[0] if stated else None,
        }
    return {
        "name": report.name,
        "signature": report.signature,
        "header_row": report.header_row,
        "gives": _section_gives(report.meaning, report.tag),
        "projects": report.projects,
        "columns": columns,
        "sections": sections,
        "section_count": len(report.sections),
        "total_rows": report.totals,
        "totals": totals,
    }


def _section_gives(meaning, tag="") -> str:
    """What a category row (or a sheet's name) gives its projects, in words: 阶段：续建,
    类别：交通, or 标签：数字经济 for a name that is no known stage or category."""
    if meaning is None:
        if not tag:
            return ""
        label = _("Tag")
        return f"{label}：{tag}"
    key, value = meaning
    choices = Stage if key == "stage" else Category
    label = _("Stage") if key == "stage" else _("Category")
    return f"{label}：{choices(value).label}"


def _progress(job):
    def report(done, total):
        ImportJob.objects.filter(pk=job.pk).update(
            done=done, total=total, heartbeat_at=timezone.now()
        )

    return report


def check_and_apply(job: ImportJob, *, apply: bool) -> Plan | None:
    """Read, check and (if asked and clean) apply a job's file; store the outcome on the job."""
    importer = ProjectImport(
        job.created_by,
        program=job.program,
        year=job.year,
        create_missing=job.create_missing,
        progress=_progress(job),
        source=job.original_name,
    )
    try:
        try:
            with job.file.open("rb") as handle:
                ledger = read(handle, job.original_name)
            corrected = mapping.apply_remembered(ledger)
            ImportJob.objects.filter(pk=job.pk).update(
                total=ledger.row_count, heartbeat_at=timezone.now()
            )
            plan = importer.check(ledger)
            if apply and plan.ok:
                importer.apply(plan)
        except ReadError as error:
            plan, corrected = Plan(year=job.year, problems=[Problem(0, "", str(error))]), set()
        job.refresh_from_db(fields=["done", "total"])
        job.result = summary(plan)
        for sheet in job.result["sheets"]:
            sheet["corrected"] = sheet["name"] in corrected
    except Exception:
        logger.exception("import %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.result = {
            "problems": [{"row": 0, "column": "", "message": _("The import failed unexpectedly.")}]
        }
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "result", "finished_at"])
        return None
    job.finished_at = timezone.now()
    if not plan.ok:
        job.status = ImportStatus.REJECTED
    elif plan.applied:
        job.status = ImportStatus.APPLIED
        job.applied_at = job.finished_at
    else:
        job.status = ImportStatus.READY
    job.save(update_fields=["status", "result", "finished_at", "applied_at"])
    return plan


def expire_if_stale(job: ImportJob) -> ImportJob:
    """Mark an import whose process stopped (a restart, a crash) as failed, so it can be redone."""
    if job.is_stale:
        job.status = ImportStatus.FAILED
        job.result = {
            "problems": [
                {
                    "row": 0,
                    "column": "",
                    "message": _("The import stopped before it finished; upload the file again."),
                }
            ]
        }
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "result", "finished_at"])
    return job


def start(job: ImportJob, *, apply: bool):
    """Queue a step of the job (the page polls its progress). With no broker configured the
    step runs at once, in this process."""
    from diaodu.exchange.tasks import run_import

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=None)
    return run_import.delay(job.pk, apply)
