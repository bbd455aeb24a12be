"""The projects a user sees as an OC4IDS project package (Open Contracting for Infrastructure
Data Standard 0.9): one function for the API and the command, so both write the same package.

Amounts are kept in 万元 and written in yuan (×10,000, CNY); dates are written as midnight in
Asia/Shanghai. Projects are read in chunks, each in a fixed number of queries whatever its size
(`projects_data`). What is mapped to what is in the README (section "OC4IDS export").
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diaodu.core.docx import DOCX
from diaodu.oc4ids import codes
from diaodu.oc4ids.mentions import bulletins_naming, meetings_about
from diaodu.org.models import AnyUser
from diaodu.projects.choices import FundingSource, Stage
from diaodu.projects.models import Milestone, Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.totals import counted_reports

VERSION = "0.9"
YUAN_PER_WAN = 10_000
LANGUAGE = "zh"
# 项目代码, given by the national investment project online approval and supervision platform
# (全国投资项目在线审批监管平台, tzxm.gov.cn).
NATIONAL_CODE_SCHEME = "CN-TZXM"
# Diaodu's own number of a project.
LOCAL_SCHEME = "diaodu"
# Projects built per round of queries by the command.
CHUNK = 500


def site_url(path: str) -> str:
    """An absolute link on the site as people reach it (DIAODU_SITE_URL)."""
    return settings.DIAODU_SITE_URL.rstrip("/") + path


def package_uri() -> str:
    return site_url(reverse("oc4ids"))


def project_id(project: Project) -> str:
    return f"{settings.DIAODU_OC4IDS_PREFIX}-{project.pk}"


def _day(value: date | None) -> str | None:
    if value is None:
        return None
    return datetime.combine(value, time(), tzinfo=ZoneInfo(settings.TIME_ZONE)).isoformat()


def _moment(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _yuan(amount: Decimal) -> dict:
    """An amount in 万元 (two decimals) as an OC4IDS value in yuan: always a whole number."""
    return {"amount": int(amount * YUAN_PER_WAN), "currency": codes.CURRENCY}


def _period(start: date | None, end: date | None) -> dict | None:
    period = {"startDate": _day(start), "endDate": _day(end)}
    return {key: value for key, value in period.items() if value} or None


def _pruned(data: dict) -> dict:
    """Without empty values: OC4IDS wants no empty string, list or object."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def visible_projects(user: AnyUser):
    """The projects of the package: those the user sees, in a stable order."""
    return Project.objects.visible_to(user).order_by("pk")


def published_date(projects) -> str:
    """The last change to the projects of the package (now, when it has none)."""
    last = projects.order_by().aggregate(last=Max("updated_at"))["last"]
    return _moment(last or timezone.now())


def package(projects: list[dict], published: str) -> dict:
    """The package around the projects' data."""
    return {
        "uri": package_uri(),
        "version": VERSION,
        "publishedDate": published,
        "publisher": {"name": settings.DIAODU_DOCUMENT_ISSUER},
        "projects": projects,
    }


# -- the projects -----------------------------------------------------------------------------


def _load(ids: Sequence[int]) -> list[Project]:
    return list(
        Project.objects.filter(pk__in=ids)
        .select_related("region", "owner", "lead_unit")
        .prefetch_related(
            "responsible_units",
            "funding_lines",
            Prefetch("milestones", queryset=Milestone.objects.order_by("planned_date", "pk")),
        )
        .order_by("pk")
    )


def _financial(ids: Sequence[int]) -> dict[int, list]:
    """project id → (start, end, invested) of each approved monthly report, by month."""
    rows = (
        counted_reports()
        .filter(project_id__in=ids)
        .values_list("project_id", "period__start", "period__end", "invested")
        .order_by("period__start")
    )
    found: dict[int, list] = defaultdict(list)
    for project_id_, start, end, invested in rows:
        found[project_id_].append((start, end, invested))
    return found


def _physical(ids: Sequence[int]) -> dict[int, list]:
    """project id → (start, end, percent, words) of each approved report that gives a
    percentage, monthly reports and progress updates alike, by period."""
    rows = (
        ProgressReport.objects.filter(
            project_id__in=ids, status=ReportStatus.APPROVED, physical_percent__isnull=False
        )
        .values_list(
            "project_id", "period__start", "period__end", "physical_percent", "physical_progress"
        )
        .order_by("period__start", "period__end", "pk")
    )
    found: dict[int, list] = defaultdict(list)
    for project_id_, start, end, percent, words in rows:
        found[project_id_].append((start, end, percent, words))
    return found


def projects_data(user: AnyUser, ids: Sequence[int]) -> list[dict]:
    """The OC4IDS projects of the given ids (all visible to the user), in their order.

    Ten queries or so, whatever the number of ids: the projects with their units, responsible
    units, funding lines and milestones; the reports; the bulletins and the meetings.
    """
    projects = _load(ids)
    financial = _financial(ids)
    physical = _physical(ids)
    bulletins = bulletins_naming(projects)
    meetings = meetings_about(projects, user)
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        return [
            _project(
                project,
                financial=financial.get(project.pk, []),
                physical=physical.get(project.pk, []),
                bulletins=bulletins.get(project.pk, []),
                meetings=meetings.get(project.pk, []),
                today=today,
            )
            for project in projects
        ]


def all_projects_data(user: AnyUser) -> Iterator[dict]:
    """Every project the user sees, chunk by chunk."""
    ids = list(visible_projects(user).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield from projects_data(user, ids[start : start + CHUNK])


def _project(project, *, financial, physical, bulletins, meetings, today) -> dict:
    parties = _Parties()
    if project.owner is not None:
        parties.add(project.owner, codes.OWNER, "owner")
    if project.lead_unit is not None:
        parties.add(project.lead_unit, codes.LEAD_UNIT, "leadUnit")
    for unit in project.responsible_units.all():
        parties.add(unit, codes.RESPONSIBLE_UNIT, "responsibleUnit")
    breakdown = [_funding(line, project, parties) for line in project.funding_lines.all()]
    identifiers = [{"id": str(project.pk), "scheme": LOCAL_SCHEME}]
    if project.national_code:
        identifiers.insert(0, {"id": project.national_code, "scheme": NATIONAL_CODE_SCHEME})
    budget: dict[str, Any] = {"amount": _yuan(project.total_investment)}
    if breakdown:
        budget["budgetBreakdowns"] = [{"id": "funding", "budgetBreakdown": breakdown}]
    return _pruned(
        {
            "id": project_id(project),
            "updated": _moment(project.updated_at),
            "language": LANGUAGE,
            "identifiers": identifiers,
            "title": project.name,
            "description": project.scope,
            "status": codes.STATUS[project.stage],
            "type": codes.project_type(project.category),
            "sector": codes.SECTORS[project.category],
            "publicAuthority": _reference(project.owner),
            "parties": parties.data(),
            "budget": budget,
            "period": _period(project.planned_start, project.planned_completion),
            "implementationPeriod": _period(project.actual_start, project.actual_completion),
            "locations": _locations(project),
            "milestones": [_milestone(m, today) for m in project.milestones.all()],
            "metrics": _metrics(financial, physical),
            "documents": [*map(_bulletin, bulletins), *map(_minutes, meetings)],
            "completion": _completion(project),
        }
    )


def _reference(unit) -> dict | None:
    return None if unit is None else {"id": f"unit-{unit.pk}", "name": unit.name}


class _Parties:
    """The parties of a project, each once, with all its roles."""

    def __init__(self):
        self.parties: dict[str, dict] = {}

    def add(self, unit, role: str, diaodu_role: str | None = None, name: str = "") -> dict:
        key = f"unit-{unit.pk}" if unit is not None else f"funding-{diaodu_role}"
        party = self.parties.setdefault(
            key, {"id": key, "name": unit.name if unit is not None else name, "roles": []}
        )
        if role not in party["roles"]:
            party["roles"].append(role)
        if unit is not None and diaodu_role:
            roles = party.setdefault("details", {}).setdefault("diaoduRoles", [])
            if diaodu_role not in roles:
                roles.append(diaodu_role)
        return party

    def data(self) -> list[dict]:
        return list(self.parties.values())


def _funding(line, project, parties: _Parties) -> dict:
    """A funding line as a budget breakdown, its source a funder: the owner for its own funds,
    else a party named after the source (中央预算内投资, 地方政府专项债券 ...)."""
    label = str(FundingSource(line.source).label)
    if line.source == FundingSource.SELF_RAISED and project.owner is not None:
        funder = parties.add(project.owner, codes.FUNDER)
    else:
        funder = parties.add(None, codes.FUNDER, line.source, name=label)
    return {
        "id": line.source,
        "description": label,
        "amount": _yuan(line.planned),
        "sourceParty": {"id": funder["id"], "name": funder["name"]},
    }


def _locations(project) -> list[dict]:
    address = _pruned(
        {
            "streetAddress": project.address,
            "region": project.region.name if project.region else "",
            "countryName": _("China"),
        }
    )
    location: dict[str, Any] = {"id": "1", "description": project.address, "address": address}
    if project.latitude is not None and project.longitude is not None:
        location["geometry"] = {
            "type": codes.POINT,
            "coordinates": [float(project.longitude), float(project.latitude)],
        }
    if not project.address and not project.region and "geometry" not in location:
        return []
    return [_pruned(location)]


def _milestone(milestone, today: date) -> dict:
    if milestone.actual_date:
        status = "met"
    elif milestone.planned_date < today:
        status = "notMet"
    else:
        status = "scheduled"
    return _pruned(
        {
            "id": f"milestone-{milestone.pk}",
            "title": milestone.name,
            "description": milestone.note,
            "type": codes.milestone_type(milestone.name),
            "dueDate": _day(milestone.planned_date),
            "dateMet": _day(milestone.actual_date),
            "status": status,
        }
    )


def _metrics(financial, physical) -> list[dict]:
    metrics = []
    if financial:
        metrics.append(
            {
                "id": codes.FINANCIAL_PROGRESS,
                "title": _("Investment completed"),
                "description": _(
                    "Investment completed each month, from the approved monthly reports."
                ),
                "observations": [
                    {
                        "id": f"{start:%Y-%m}",
                        "period": _period(start, end),
                        "value": _yuan(invested),
                    }
                    for start, end, invested in financial
                ],
            }
        )
    if physical:
        metrics.append(
            {
                "id": codes.PHYSICAL_PROGRESS,
                "title": _("Physical progress"),
                "description": _("Physical progress in per cent, from the approved reports."),
                "observations": [
                    _pruned(
                        {
                            "id": f"{start:%Y-%m-%d}/{end:%Y-%m-%d}",
                            "period": _period(start, end),
                            "measure": float(percent),
                            "unit": {"name": _("per cent"), "scheme": "UNCEFACT", "id": "P1"},
                            "notes": words,
                        }
                    )
                    for start, end, percent, words in physical
                ],
            }
        )
    return metrics


def _bulletin(bulletin) -> dict:
    return {
        "id": f"bulletin-{bulletin.pk}",
        "documentType": codes.BULLETIN,
        "title": bulletin.title,
        "url": site_url(reverse("bulletin-download", args=[bulletin.pk])),
        "datePublished": _moment(bulletin.created_at),
        "format": DOCX,
        "language": LANGUAGE,
    }


def _minutes(meeting) -> dict:
    return {
        "id": f"minutes-{meeting.pk}",
        "documentType": codes.MINUTES,
        "title": _("Minutes of %(meeting)s") % {"meeting": meeting.title},
        "url": site_url(reverse("meeting-minutes-docx", args=[meeting.pk])),
        "datePublished": _day(meeting.date),
        "format": DOCX,
        "language": LANGUAGE,
    }


def _completion(project) -> dict | None:
    if project.stage not in (Stage.COMPLETED, Stage.OPERATING):
        return None
    return _pruned({"endDate": _day(project.actual_completion), "finalScope": project.scope})
