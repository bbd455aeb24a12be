"""The battle map (挂图作战): every project the user sees, filtered, as a row of a Gantt chart.

A row holds the planned period, the actual one (to its completion, or to today), the stretch
to the forecast finish (diaodu.monitoring.forecast) and the milestones with their state. The
page draws the rows with ECharts (diaodu/core/static/diaodu/js/battle_map.js) or, on a phone,
lists them; the API (`/api/battle-map/`) answers the same rows.

Nothing is left out silently: every project of the filtered set is a row, PAGE_SIZE rows a
page, and the page says which rows of how many it shows. A page is read in a fixed number of
queries whatever its rows: the projects with their region and lead unit, their milestones, the
forecasts' own, and the count when there is more than one page.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from diaodu.monitoring.forecast import forecasts
from diaodu.projects.choices import MilestoneState
from diaodu.projects.models import Project

# Rows a page draws: a whole programme of a province fits in one.
PAGE_SIZE = 500
# The axis begins and ends this far beyond the earliest and latest date it must show.
MARGIN = timedelta(days=31)
# A forecast finish widens the axis by two years at most; a later one runs off its edge.
FORECAST_REACH = timedelta(days=730)

# Rows in the order of their groups, then by name.
ORDERS = {
    "": Project._meta.ordering,
    "region": [F("region__sort_order").asc(nulls_last=True), "region__name", "name", "id"],
    "lead_unit": [F("lead_unit__name").asc(nulls_last=True), "lead_unit_id", "name", "id"],
}

# Met, due (not yet), overdue.
MET = {MilestoneState.DONE, MilestoneState.DONE_LATE}


@dataclass(frozen=True)
class Window:
    """Which rows of the filtered set a page shows: page `number` of `count` rows."""

    number: int
    count: int
    shown: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * PAGE_SIZE + self.shown

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True)
class BattleMap:
    rows: list[dict]
    groups: list[dict]
    axis: dict
    page: Window

    def as_dict(self) -> dict:
        """What the chart draws and the API answers."""
        return {
            "count": self.page.count,
            "page": self.page.number,
            "pages": self.page.pages,
            "first": self.page.first,
            "last": self.page.last,
            "axis": self.axis,
            "groups": self.groups,
            "rows": self.rows,
        }


def _group_label(project, group: str) -> str | None:
    if group == "region":
        return str(project.region) if project.region else _("City-level projects")
    if group == "lead_unit":
        return str(project.lead_unit) if project.lead_unit else _("No lead unit")
    return None


def _row(project, group: str, forecast, today: date) -> dict:
    milestones = list(project.milestones.all())
    states = {m.pk: m.state(today) for m in milestones}
    unmet = [m for m in milestones if states[m.pk] not in MET]
    planned = (
        [project.planned_start, project.planned_completion]
        if project.planned_start and project.planned_completion
        else None
    )
    end = project.actual_completion or today
    started = project.actual_start
    actual = [started, end] if started and started <= end else None
    ahead = None
    if forecast is not None and forecast.finish is not None:
        ahead = {
            "start": min(today, forecast.finish),
            "finish": forecast.finish,
            "late": forecast.is_late,
            "late_days": forecast.late_days,
            "spi": forecast.spi,
            "method": forecast.method_label,
        }
    return {
        "id": project.pk,
        "name": project.name,
        "url": reverse("projects:detail", args=[project.pk]),
        "light": project.light,
        "light_label": str(project.get_light_display()),
        "group": _group_label(project, group),
        "planned": planned,
        "actual": actual,
        "forecast": ahead,
        "milestones": [
            {
                "name": m.name,
                "date": m.planned_date,
                "met_on": m.actual_date,
                "state": states[m.pk],
                "state_label": str(MilestoneState(states[m.pk]).label),
            }
            for m in milestones
        ],
        "next": {"name": unmet[0].name, "date": unmet[0].planned_date} if unmet else None,
    }


def _axis(rows: list[dict], today: date) -> dict:
    """From a month before the earliest date shown (or today) to a month after the latest."""
    days = [today]
    for row in rows:
        for bar in (row["planned"], row["actual"]):
            days.extend(bar or ())
        days.extend(m["date"] for m in row["milestones"])
        days.extend(m["met_on"] for m in row["milestones"] if m["met_on"])
    first, last = min(days), max(days)
    finishes = [row["forecast"]["finish"] for row in rows if row["forecast"]]
    if finishes:
        last = max(last, min(max(finishes), last + FORECAST_REACH))
    start, end = first - MARGIN, last + MARGIN
    return {
        "min": start.replace(day=1),
        "max": (end.replace(day=28) + timedelta(days=4)).replace(day=1),
        "today": today,
    }


def _groups(rows: list[dict]) -> list[dict]:
    groups: list[dict] = []
    for row in rows:
        if row["group"] is None:
            continue
        if groups and groups[-1]["label"] == row["group"]:
            groups[-1]["count"] += 1
        else:
            groups.append({"label": row["group"], "count": 1})
    return groups


def _page(ordered, number: int) -> tuple[list, Window]:
    """The projects of page `number` (the last page if beyond it). The set is counted only when
    another page than the first is asked for, or the first is full."""
    count = None
    if number > 1:
        count = ordered.count()
        number = min(number, max(1, -(-count // PAGE_SIZE)))
    start = (number - 1) * PAGE_SIZE
    shown = list(ordered[start : start + PAGE_SIZE])
    if count is None:
        count = len(shown) if len(shown) < PAGE_SIZE else ordered.count()
    return shown, Window(number, count, len(shown))


def battle_map(projects, group: str, number: int | None, today: date) -> BattleMap:
    """The rows of page `number` (the first if none, the last if beyond it) of `projects`,
    grouped and ordered by `group` ("", "region" or "lead_unit")."""
    ordered = (
        projects.select_related("region", "lead_unit")
        .prefetch_related("milestones")
        .order_by(*ORDERS[group])
    )
    shown, page = _page(ordered, number or 1)
    known = forecasts(shown, today)
    rows = [_row(p, group, known.get(p.pk), today) for p in shown]
    return BattleMap(rows=rows, groups=_groups(rows), axis=_axis(rows, today), page=page)
