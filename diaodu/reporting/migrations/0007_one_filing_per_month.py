"""One filing per project per month.

Before, every programme had periods of its own, so a project in two monthly programmes filed two
reports for one month. Now the monthly period belongs to no programme, and weekly or biweekly
programmes keep update periods that carry no investment. This migration:

1. turns the periods of weekly and biweekly programmes into update periods;
2. merges the periods of monthly programmes into one monthly period per month, and the reports
   of a project for that month into one: the approved one (the latest approved if several), or
   else the latest; the others' figures and text are kept in the kept report's history, their
   photos, problems and inspections move to it;
3. moves the investment of update reports into the month's report where the project had no
   monthly report (their sum, approved if any was), and records it in each update's history;
4. rebuilds the yearly investment summaries from the monthly reports.
"""

import calendar
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import migrations
from django.db.models import Q, Sum
from django.utils import timezone

ZERO = Decimal("0.00")
STATUS_RANK = {"approved": 0, "submitted": 1, "returned": 2, "draft": 3}


def _text(report, program_name):
    parts = [
        f"{program_name}：状态 {report.status}，本期完成投资 {report.invested:.2f} 万元",
    ]
    if report.physical_percent is not None:
        parts.append(f"形象进度 {report.physical_percent}%")
    for label, value in (
        ("形象进度", report.physical_progress),
        ("下步打算", report.next_steps),
        ("存在问题", report.problems),
        ("退回原因", report.return_reason),
    ):
        if value:
            parts.append(f"{label}：{value}")
    return "；".join(parts)


def forward(apps, schema_editor):
    Period = apps.get_model("reporting", "ReportingPeriod")
    Report = apps.get_model("reporting", "ProgressReport")
    Photo = apps.get_model("reporting", "ReportPhoto")
    Summary = apps.get_model("reporting", "InvestmentSummary")
    Problem = apps.get_model("problems", "Problem")
    Inspection = apps.get_model("inspections", "Inspection")
    ChangeRecord = apps.get_model("core", "ChangeRecord")
    ContentType = apps.get_model("contenttypes", "ContentType")
    report_type, _created = ContentType.objects.get_or_create(
        app_label="reporting", model="progressreport"
    )

    def note(report, changes, reason):
        ChangeRecord.objects.create(
            content_type=report_type,
            object_id=str(report.pk),
            object_repr=f"{report.project.name} · {report.period.start:%Y-%m}"[:200],
            project_id=report.project_id,
            action="update",
            changes=changes,
            reason=reason,
        )

    Period.objects.exclude(program__cadence="monthly").filter(program__isnull=False).update(
        kind="update"
    )

    # 2. One monthly period per month.
    old = list(
        Period.objects.filter(program__cadence="monthly").select_related("program").order_by("pk")
    )
    by_month = defaultdict(list)
    for period in old:
        by_month[period.start].append(period)
    monthly = {}
    for start, periods in sorted(by_month.items()):
        open_ones = [p for p in periods if p.opened_at is not None]
        monthly[start] = Period.objects.create(
            kind="monthly",
            program=None,
            start=start,
            end=max(p.end for p in periods),
            due_date=max(p.due_date for p in periods),
            opened_at=min((p.opened_at for p in open_ones), default=None),
            closed_at=None
            if any(p.closed_at is None for p in periods)
            else max(p.closed_at for p in periods),
        )
    names = {p.pk: p.program.name for p in old}
    reports = defaultdict(list)
    for report in (
        Report.objects.filter(period__in=old).select_related("project", "period").order_by("pk")
    ):
        reports[(report.project_id, report.period.start)].append(report)
    merged = 0
    for (_project_id, start), group in reports.items():
        group.sort(key=lambda r: (STATUS_RANK.get(r.status, 9), -r.updated_at.timestamp(), -r.pk))
        keep, others = group[0], group[1:]
        source = names[keep.period_id]
        Report.objects.filter(pk=keep.pk).update(period=monthly[start])
        keep.period = monthly[start]
        for other in others:
            Photo.objects.filter(report=other).update(report=keep)
            Problem.objects.filter(report=other).update(report=keep)
            Inspection.objects.filter(report=other).update(report=keep)
            note(
                keep,
                {"merged": [_text(other, names[other.period_id]), None]},
                f"同月重复填报合并为一份（保留{source}的填报）",
            )
            other.delete()
            merged += 1

    # 3. The investment of updates, where the month has no monthly report.
    updates = defaultdict(list)
    for report in (
        Report.objects.filter(period__kind="update", invested__gt=0)
        .select_related("project", "period__program")
        .order_by("period__start", "pk")
    ):
        updates[(report.project_id, report.period.start.replace(day=1))].append(report)
    for (project_id, month), group in updates.items():
        period = monthly.get(month) or Period.objects.filter(kind="monthly", start=month).first()
        if period is None:
            last = calendar.monthrange(month.year, month.month)[1]
            period = monthly[month] = Period.objects.create(
                kind="monthly",
                start=month,
                end=date(month.year, month.month, last),
                due_date=date(month.year, month.month, min(25, last)),
                opened_at=min(r.period.opened_at or timezone.now() for r in group),
                closed_at=timezone.now() if date(month.year, month.month, last) < date.today()
                else None,
            )
        exists = Report.objects.filter(project_id=project_id, period=period).first()
        if exists is None:
            approved = [r for r in group if r.status == "approved"]
            counted = approved or [r for r in group if r.status == "submitted"] or group
            latest = group[-1]
            exists = Report.objects.create(
                project_id=project_id,
                period=period,
                status=counted[0].status,
                invested=sum((r.invested for r in counted), ZERO),
                physical_progress=latest.physical_progress,
                physical_percent=latest.physical_percent,
                workers=latest.workers,
                next_steps=latest.next_steps,
                problems=latest.problems,
                submitted_at=max((r.submitted_at for r in counted if r.submitted_at), default=None),
                submitted_by_id=counted[-1].submitted_by_id,
                reviewed_at=max((r.reviewed_at for r in counted if r.reviewed_at), default=None),
                reviewed_by_id=counted[-1].reviewed_by_id,
            )
        for report in group:
            note(
                report,
                {"invested": [f"{report.invested:.2f}", "0.00"]},
                f"进展更新不再填报投资，投资计入{month:%Y年%m月}的月度填报",
            )
        Report.objects.filter(pk__in=[r.pk for r in group]).update(invested=ZERO)

    Period.objects.filter(pk__in=[p.pk for p in old]).delete()

    # 4. Summaries from the monthly reports.
    Summary.objects.all().delete()
    invested = {
        (row["project_id"], row["period__start__year"]): row["total"]
        for row in Report.objects.filter(period__kind="monthly", status="approved")
        .values("project_id", "period__start__year")
        .annotate(total=Sum("invested"))
    }
    filing = defaultdict(lambda: [0, 0])
    for project_id, start, submitted_at, due_date in Report.objects.filter(
        Q(period__kind="monthly") & Q(submitted_at__isnull=False)
    ).values_list("project_id", "period__start", "submitted_at", "period__due_date"):
        counts = filing[(project_id, start.year)]
        counts[0] += 1
        counts[1] += timezone.localdate(submitted_at) <= due_date
    Summary.objects.bulk_create(
        [
            Summary(
                project_id=project_id,
                year=year,
                invested=invested.get((project_id, year), ZERO),
                reports_submitted=filing[(project_id, year)][0]
                if (project_id, year) in filing
                else 0,
                reports_on_time=filing[(project_id, year)][1]
                if (project_id, year) in filing
                else 0,
            )
            for project_id, year in sorted(set(invested) | set(filing))
        ],
        batch_size=2000,
    )
    if merged:
        print(f"\n  Merged {merged} duplicate monthly reports into one per project and month.")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_monthly_periods"),
        ("problems", "0003_problem_inspection_task_inspection"),
        ("inspections", "0001_initial"),
        ("core", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
