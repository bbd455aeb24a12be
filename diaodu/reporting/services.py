"""Every state change of the reporting cycle. Views, API, uploads and commands call these.

A service checks permission and state, writes inside a transaction, and records the change
(who, when, what, why) in the project's history.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from diaodu.core import kept
from diaodu.core.history import diff, plain, record, snapshot
from diaodu.core.models import Action
from diaodu.core.photo_evidence import Sent
from diaodu.core.photos import attach_photo
from diaodu.notifications import reminders
from diaodu.notifications.services import notify
from diaodu.org.choices import Role
from diaodu.org.models import AnyUser, User
from diaodu.org.permissions import is_headquarters
from diaodu.projects.choices import Cadence
from diaodu.projects.models import Program, Project
from diaodu.projects.signals import facts_changed
from diaodu.reporting.calendar import period_containing
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod, ReportPhoto
from diaodu.reporting.totals import invested_by_year, refresh_summaries

REPORT_FIELDS = [
    "invested",
    "physical_progress",
    "physical_percent",
    "workers",
    "next_steps",
    "problems",
]


class ReportConflict(Exception):
    """The report changed since the user loaded it; nothing was saved."""

    def __init__(self, current: ProgressReport | None, attempted: dict[str, Any]) -> None:
        super().__init__(_("This report was changed by someone else while you were editing it."))
        self.current = current
        self.attempted = attempted


@dataclass
class SaveResult:
    report: ProgressReport
    warnings: list[str] = field(default_factory=list)
    created: bool = False


# -- who may do what -----------------------------------------------------------------------


def can_file(user: AnyUser, project: Project) -> bool:
    """The project's owner files its reports; headquarters may file on its behalf."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_headquarters:
        return True
    return (
        user.role == Role.OWNER and user.unit_id is not None and (project.owner_id == user.unit_id)
    )


def fileable(user: AnyUser, projects: "models.QuerySet[Project]") -> "models.QuerySet[Project]":
    """`projects` narrowed to those the user may file for: can_file as a filter, so that a page
    of an owner's thousands of projects is counted and cut in the database."""
    if not user.is_authenticated or not user.is_active:
        return projects.none()
    if user.is_headquarters:
        return projects
    if user.role == Role.OWNER and user.unit_id is not None:
        return projects.filter(owner_id=user.unit_id)
    return projects.none()


def can_review(user: AnyUser, project: Project) -> bool:
    """The project's region reviews; for a city-level project, its lead department."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_headquarters:
        return True
    if user.unit_id is None:
        return False
    if user.role == Role.REGION:
        return project.region_id is not None and project.region_id in user.scope_unit_ids
    if user.role == Role.DEPARTMENT:
        return project.region_id is None and project.lead_unit_id == user.unit_id
    return False


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# -- periods -------------------------------------------------------------------------------


@transaction.atomic
def open_period(
    actor: User | None, program: Program | None, day: date
) -> tuple[ReportingPeriod, bool]:
    """Open the period containing `day` (creating it if needed). Idempotent.

    A monthly programme (or no programme) files in the monthly period every programme shares;
    a weekly or biweekly programme also has update periods of its own.
    """
    if actor is not None:
        _require(is_headquarters(actor), _("Only headquarters can open reporting periods."))
    if program is None or program.cadence == Cadence.MONTHLY:
        dates = period_containing(Cadence.MONTHLY, day)
        lookup = {"kind": PeriodKind.MONTHLY, "start": dates.start}
    else:
        dates = period_containing(program.cadence, day)
        lookup = {"kind": PeriodKind.UPDATE, "program": program, "start": dates.start}
    period, created = ReportingPeriod.objects.get_or_create(
        **lookup,
        defaults={"end": dates.end, "due_date": dates.due_date, "opened_at": timezone.now()},
    )
    if not created and period.opened_at is None:
        period.opened_at = timezone.now()
        period.save(update_fields=["opened_at"])
        created = True
    if created:
        notify_opened(period)
    return period, created


def notify_opened(period: ReportingPeriod) -> int:
    """Tell the owners of the projects due in a period that it is open: one notice per person
    (key "period:<id>:opened"), counting and naming their unit's projects."""
    projects = period.projects_due().filter(owner__isnull=False).order_by("name", "pk")
    by_owner: dict[int, list[str]] = {}
    for owner_id, name in projects.values_list("owner_id", "name"):
        by_owner.setdefault(owner_id, []).append(name)
    url = reverse("reporting:fill", args=[period.pk])
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for owner_id, names in by_owner.items():
            values = {"period": period, "count": len(names), "deadline": period.due_date}
            title = ngettext(
                "%(period)s is open: %(count)d project to file by %(deadline)s",
                "%(period)s is open: %(count)d projects to file by %(deadline)s",
                len(names),
            )
            shown = "、".join(names[:SHOWN_NAMES])
            if len(names) > SHOWN_NAMES:
                shown = _("%(names)s and %(more)d more") % {
                    "names": shown,
                    "more": len(names) - SHOWN_NAMES,
                }
            due.append(
                reminders.Reminder(
                    [owner_id],
                    title % values,
                    url,
                    shown,
                    "period.opened",
                    f"period:{period.pk}:opened",
                )
            )
        return reminders.send(due, roles=[Role.OWNER])


def open_due_periods(today: date | None = None) -> list[ReportingPeriod]:
    """Open the monthly period containing today, if any programme of the year exists, and the
    update period of every weekly or biweekly programme. Safe to repeat."""
    today = today or timezone.localdate()
    opened = []
    programs = list(Program.objects.filter(year=today.year))
    if programs:
        period, created = open_period(None, None, today)
        if created:
            opened.append(period)
    for program in programs:
        if program.cadence == Cadence.MONTHLY:
            continue
        period, created = open_period(None, program, today)
        if created:
            opened.append(period)
    return opened


# -- filing reminders ----------------------------------------------------------------------

FILED = [ReportStatus.SUBMITTED, ReportStatus.APPROVED]
SHOWN_NAMES = 20  # projects named in a period's opening notice


def _filing_title(when: str, days: int) -> str:
    if when == reminders.LATE:
        return ngettext(
            "Report %(days)d day late: %(project)s, %(period)s",
            "Report %(days)d days late: %(project)s, %(period)s",
            days,
        )
    if when == reminders.TODAY:
        return _("Report due today: %(project)s, %(period)s")
    return ngettext(
        "Report due in %(days)d day: %(project)s, %(period)s",
        "Report due in %(days)d days: %(project)s, %(period)s",
        days,
    )


def notify_filings(today: date | None = None) -> int:
    """Remind the owners of the projects whose report of an open period is not submitted yet
    (run daily, from the `remind` job).

    DIAODU_FILING_REMIND_DAYS before the due date ("filing:<period>:<project>:soon"), on the
    day (":today"), and once late (":late:<n>"), again every DIAODU_LATE_REPEAT_DAYS days. The
    reminder is the one for today: a run twice on a day sends nothing twice; after days stopped
    it sends today's (late, not a stale "due in 3 days") once; a report submitted meanwhile is
    not reminded. Returns how many notifications were sent.
    """
    today = today or timezone.localdate()
    soon_days = settings.DIAODU_FILING_REMIND_DAYS
    periods = ReportingPeriod.objects.open().filter(
        start__lte=today, due_date__lte=today + timedelta(days=soon_days)
    )
    due = []
    with translation.override(settings.LANGUAGE_CODE):
        for period in periods.select_related("program").order_by("due_date", "pk"):
            stage = reminders.stage(period.due_date, today, soon_days)
            if stage is None:  # not due yet (the query leaves these out)
                continue
            when, days, round_ = stage
            suffix = f"late:{round_}" if when == reminders.LATE else when
            filed = ProgressReport.objects.filter(period=period, status__in=FILED)
            projects = (
                period.projects_due()
                .filter(owner__isnull=False)
                .exclude(pk__in=filed.values("project_id"))
                .select_related("owner")
                .order_by("name", "pk")
            )
            url = reverse("reporting:fill", args=[period.pk])
            title = _filing_title(when, days)
            for project in projects:
                if project.owner_id is None:  # the query leaves these out
                    continue
                values = {"project": project.name, "period": period, "days": days}
                body = _("Owner: %(unit)s. Due on %(deadline)s; not submitted yet.") % {
                    "unit": project.owner,
                    "deadline": period.due_date.isoformat(),
                }
                due.append(
                    reminders.Reminder(
                        [project.owner_id],
                        title % values,
                        url,
                        body,
                        f"filing.{when}",
                        f"filing:{period.pk}:{project.pk}:{suffix}",
                    )
                )
        return reminders.send(due, roles=[Role.OWNER])


def close_due_periods(today: date | None = None) -> list[ReportingPeriod]:
    """Close the periods whose due date is more than DIAODU_PERIOD_CLOSE_DAYS days past (none
    when it is 0). Safe to repeat: a closed period is left as it is."""
    from django.conf import settings

    days = settings.DIAODU_PERIOD_CLOSE_DAYS
    if not days:
        return []
    today = today or timezone.localdate()
    closed = []
    for period in ReportingPeriod.objects.open().filter(due_date__lt=today - timedelta(days=days)):
        with transaction.atomic():
            updated = ReportingPeriod.objects.filter(pk=period.pk, closed_at__isnull=True).update(
                closed_at=timezone.now()
            )
            if updated:
                kept.changed()
                period.refresh_from_db(fields=["closed_at"])
                record(
                    None,
                    period,
                    Action.TRANSITION,
                    {"closed_at": [None, plain(period.closed_at)]},
                    reason=_("Closed %(days)d days after its due date.") % {"days": days},
                )
                closed.append(period)
    return closed


@transaction.atomic
def extend_period(
    actor: User, period: ReportingPeriod, due_date: date, reason: str
) -> ReportingPeriod:
    _require(is_headquarters(actor), _("Only headquarters can extend reporting periods."))
    if due_date < period.start:
        raise ValidationError({"due_date": _("The due date cannot be before the period starts.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the extension.")})
    before = snapshot(period)
    period.due_date = due_date
    if period.closed_at is not None:
        period.closed_at = None
    period.save(update_fields=["due_date", "closed_at"])
    record(actor, period, Action.UPDATE, diff(before, snapshot(period)), reason=reason)
    return period


@transaction.atomic
def close_period(actor: User, period: ReportingPeriod) -> ReportingPeriod:
    _require(is_headquarters(actor), _("Only headquarters can close reporting periods."))
    period.closed_at = timezone.now()
    period.save(update_fields=["closed_at"])
    record(actor, period, Action.TRANSITION, {"closed_at": [None, period.closed_at.isoformat()]})
    return period


# -- reports -------------------------------------------------------------------------------


def clean_report_values(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the typed fields with the model's own validators; every error in Chinese."""
    probe = ProgressReport()
    errors = {}
    for name in REPORT_FIELDS:
        if name not in data:
            continue
        model_field = ProgressReport._meta.get_field(name)
        assert isinstance(model_field, models.Field)  # one of the report's own fields
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None):
            value = 0 if name == "invested" else (None if model_field.null else "")
        try:
            setattr(probe, name, model_field.clean(value, probe))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return {name: getattr(probe, name) for name in REPORT_FIELDS if name in data}


def report_warnings(report: ProgressReport) -> list[str]:
    """What is unusual but possible: shown to the person typing, never blocking."""
    warnings = []
    project, period = report.project, report.period
    previous = (
        ProgressReport.objects.filter(
            project=project,
            period__start__lt=period.start,
            physical_percent__isnull=False,
        )
        .order_by("-period__start")
        .values_list("physical_percent", flat=True)
        .first()
    )
    if (
        report.physical_percent is not None
        and previous is not None
        and (report.physical_percent < previous)
    ):
        warnings.append(
            _("Physical progress %(now)s%% is lower than last period's %(before)s%%.")
            % {"now": report.physical_percent, "before": previous}
        )
    if not period.carries_investment:
        return warnings
    year = period.start.year
    plan = project.annual_plans.filter(year=year).first()
    counted = (
        invested_by_year(
            [project.pk],
            statuses=[ReportStatus.APPROVED, ReportStatus.SUBMITTED],
        )
        .get(project.pk, {})
        .get(year, 0)
    )
    if report.status not in {ReportStatus.APPROVED, ReportStatus.SUBMITTED}:
        counted += report.invested or 0
    if plan and report.invested and report.invested > plan.planned_investment:
        warnings.append(
            _(
                "This period's investment %(amount)s is larger than the whole plan for %(year)d "
                "(%(plan)s)."
            )
            % {"amount": report.invested, "year": year, "plan": plan.planned_investment}
        )
    elif plan and counted > plan.planned_investment:
        warnings.append(
            _("Year-to-date investment %(total)s would exceed the annual plan %(plan)s.")
            % {"total": counted, "plan": plan.planned_investment}
        )
    if project.total_investment and counted > project.total_investment:
        warnings.append(
            _("Year-to-date investment %(total)s would exceed the total investment %(plan)s.")
            % {"total": counted, "plan": project.total_investment}
        )
    return warnings


@transaction.atomic
def do_save_report(
    actor: User,
    project: Project,
    period: ReportingPeriod,
    data: dict[str, Any],
    *,
    version: int | None = None,
) -> SaveResult:
    """Create or edit the report of `project` for `period` (draft or returned only).

    `version` is the version the user loaded; if the report has moved on since, nothing is
    saved and ReportConflict carries the current report.
    """
    _require(can_file(actor, project), _("You cannot file reports for this project."))
    if not period.is_open:
        raise ValidationError(
            _("The period %(period)s is not open for reporting.") % {"period": period}
        )
    if not period.due_links().filter(project_id=project.pk).exists():  # from the index
        if period.program_id is None:
            raise ValidationError(
                _("This project is in no programme of %(year)d.") % {"year": period.year}
            )
        raise ValidationError(
            _("This project is not in the programme %(program)s.") % {"program": period.program}
        )
    if not period.carries_investment:
        if clean_report_values({"invested": data.get("invested", "")}).get("invested"):
            raise ValidationError(
                {
                    "invested": _(
                        "A progress update carries no investment: investment is reported once a "
                        "month, in the monthly report."
                    )
                }
            )
        data = {name: value for name, value in data.items() if name != "invested"}
    values = clean_report_values(data)
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .filter(project=project, period=period)
        .order_by("pk")
        .first()
    )
    created = report is None
    if report is not None:  # its project and period are those in hand: not read again
        report.project, report.period = project, period
    if report is None:
        if version not in (None, 0):
            raise ReportConflict(None, values)
        report = ProgressReport(project=project, period=period, **values)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # Someone else filed this report's first version a moment ago: theirs stands and
            # this save is a conflict, shown beside it, as when two people edit it.
            current = ProgressReport.objects.filter(project=project, period=period).first()
            if current is None:
                raise
            raise ReportConflict(current, values) from None
        record(actor, report, Action.CREATE, diff({}, snapshot(report)))
    else:
        if version is not None and version != report.version:
            raise ReportConflict(report, values)
        if not report.is_editable:
            raise ValidationError(
                _("A report that is %(status)s cannot be edited.")
                % {"status": report.get_status_display()}
            )
        before = snapshot(report)
        for name, value in values.items():
            setattr(report, name, value)
        report.version = F("version") + 1
        report.save()
        report.refresh_from_db(fields=["version"])  # the only value the database computed
        changes = diff(before, snapshot(report))
        if changes:
            record(actor, report, Action.UPDATE, changes)
    return SaveResult(report=report, warnings=report_warnings(report), created=created)


def _owner_users(project: Project) -> list[User]:
    """The accounts that file for the project's owner."""
    if project.owner_id is None:
        return []
    return list(User.objects.filter(unit_id=project.owner_id, role=Role.OWNER, is_active=True))


def _notify_owner(
    actor: User, report: ProgressReport, event: str, title: str, body: str = ""
) -> None:
    notify(
        _owner_users(report.project),
        title,
        url=reverse("reporting:report", args=[report.pk]),
        body=body,
        exclude=actor,
        event=event,
    )


def _transition(
    actor: User, report: ProgressReport, to_status: str, *, reason: str = "", **fields: Any
) -> ProgressReport:
    before = report.status
    report.status = to_status
    for name, value in fields.items():
        setattr(report, name, value)
    report.version = F("version") + 1
    report.save()
    report.refresh_from_db(fields=["version"])  # the project and period stay as read
    record(actor, report, Action.TRANSITION, {"status": [before, to_status]}, reason=reason)
    refresh_summaries([report.project_id])  # investment, and reports submitted on time
    facts_changed([report.project_id])
    return report


def _locked(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project", "period__program")
        .get(pk=report.pk)
    )


@transaction.atomic
def do_submit_report(actor: User, report: ProgressReport) -> ProgressReport:
    report = _locked(report)
    _require(can_file(actor, report.project), _("You cannot submit reports for this project."))
    if not report.is_editable:
        raise ValidationError(_("Only a draft or returned report can be submitted."))
    if not report.period.is_open:
        raise ValidationError(
            _("The period %(period)s is not open for reporting.") % {"period": report.period}
        )
    return _transition(
        actor, report, ReportStatus.SUBMITTED, submitted_at=timezone.now(), submitted_by=actor
    )


@transaction.atomic
def do_approve_report(actor: User, report: ProgressReport) -> ProgressReport:
    report = _locked(report)
    _require(can_review(actor, report.project), _("You cannot review reports of this project."))
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    report = _transition(
        actor,
        report,
        ReportStatus.APPROVED,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        return_reason="",
    )
    _notify_owner(
        actor, report, "report.approved", _("Report approved: %(report)s") % {"report": report}
    )
    return report


@transaction.atomic
def do_return_report(actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    report = _locked(report)
    _require(can_review(actor, report.project), _("You cannot review reports of this project."))
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is returned.")})
    report = _transition(
        actor,
        report,
        ReportStatus.RETURNED,
        reason=reason,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        return_reason=reason,
    )
    _notify_owner(
        actor,
        report,
        "report.returned",
        _("Report returned: %(report)s") % {"report": report},
        body=reason,
    )
    return report


@transaction.atomic
def do_reopen_report(actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    """Headquarters unlocks an approved report so its owner can correct it."""
    report = _locked(report)
    _require(is_headquarters(actor), _("Only headquarters can reopen an approved report."))
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("Only an approved report can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the report is reopened.")})
    report = _transition(actor, report, ReportStatus.RETURNED, reason=reason, return_reason=reason)
    _notify_owner(
        actor,
        report,
        "report.reopened",
        _("Report reopened for correction: %(report)s") % {"report": report},
        body=reason,
    )
    return report


@transaction.atomic
def do_add_photo(
    actor: User,
    report: ProgressReport,
    image: "File[Any]",
    caption: str = "",
    sent: Sent | None = None,
) -> ReportPhoto:
    """Attach a photo of the site to a report, checked (size and image type) as every photo,
    with where and when it was taken (its EXIF, else what the browser `sent`)."""
    _require(can_file(actor, report.project), _("You cannot file reports for this project."))
    return attach_photo(actor, ReportPhoto(report=report, caption=caption), image, sent)
