"""The battle map (挂图作战): every project the user sees, filtered, as a row of a Gantt chart.

A row holds the planned period, the actual one (to its completion, or to today), the stretch
to the forecast finish (diaodu.monitoring.forecast) and the milestones with their state. The
page draws the rows with ECharts (diaodu/core/static/diaodu/js/battle_map.js) or, on a phone,
lists them; the API (`/api/battle-map/`) answers the same rows.

Nothing is left out silently: every project of the filtered set is a row, PAGE_SIZE rows a
page, and the page says which rows of how many it shows. A page is read in a fixed number of
queries whatever its rows: the count by region (or lead unit), their order, at most three
queries of the page's ids (`_page`), the projects with their region and lead unit, their
milestones and the forecasts' own.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from diaodu.core.choices import Light
from diaodu.monitoring.forecast import FIELDS, forecasts
from diaodu.org.models import Unit
from diaodu.projects.choices import MilestoneState
from diaodu.projects.models import Milestone, Project

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

# What a unit's name and the order of the groups read of it.
UNIT_FIELDS = ("name", "short_name", "sort_order")
# What a row and its forecast read of a project, its region and lead unit (a project has some
# forty other fields, a dozen of them decimals slow to read).
ROW_FIELDS = sorted(
    {
        *(field for field in FIELDS if field != "pk"),
        "id",
        "name",
        "light",
        "actual_completion",
        "region_id",
        "lead_unit_id",
    }
    | {f"{unit}__{field}" for unit in ("region", "lead_unit") for field in UNIT_FIELDS}
)

# The field the rows are counted by and read group by group, for each grouping.
GROUP_FIELDS = {"": "region_id", "region": "region_id", "lead_unit": "lead_unit_id"}

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


def _row(project, group: str, forecast, today: date, labels: dict) -> dict:
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
        "light_label": labels.get(project.light, project.light),
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
                "state_label": labels[states[m.pk]],
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


def _in_order(counts: dict, group: str) -> list[list]:
    """The regions (or lead units) of the set in the rows' order, as lists of those whose rows
    are read together in name order: by default the regions sharing a sort order (their rows
    interleave, as the model's ordering says); grouped, each region or lead unit alone. The
    rows with none come last."""
    units = Unit.objects.filter(pk__in=[pk for pk in counts if pk is not None])
    if group == "lead_unit":
        keyed = units.order_by("name", "pk").values_list("pk", "pk")
    elif group == "region":
        keyed = units.order_by("sort_order", "name", "pk").values_list("pk", "pk")
    else:
        keyed = units.order_by("sort_order", "pk").values_list("pk", "sort_order")
    members: list[list] = []
    last = None
    for pk, key in keyed:
        if members and key == last:
            members[-1].append(pk)
        else:
            members.append([pk])
        last = key
    if None in counts:
        members.append([None])
    return members


def _page(projects, group: str, number: int) -> tuple[list[int], Window]:
    """The ids of page `number` (the last page if beyond it) of `projects` in the order of
    `group`, found without sorting the whole set (which is what cost the time at 50,000
    projects): the rows are counted by region (or lead unit), the regions put in order, and
    the page's rows read region by region in name order. A region only part of which is on the
    page (the first and the last of the page) is read from the index on (region, name, id); the
    regions wholly on it are read together, at most a page of rows sorted. Five queries at most,
    whatever the size of the set."""
    field = GROUP_FIELDS[group]
    counts = dict(projects.order_by().values_list(field).annotate(n=Count("pk")))
    count = sum(counts.values())
    number = min(number, max(1, -(-count // PAGE_SIZE)))
    start, end = (number - 1) * PAGE_SIZE, number * PAGE_SIZE
    spans, offset = [], 0  # (members, first row, end row, rows) of the groups on the page
    for members in _in_order(counts, group) if count > start else []:
        size = sum(counts[member] for member in members)
        if offset + size > start:
            spans.append((members, max(0, start - offset), min(size, end - offset), size))
        offset += size
        if offset >= end:
            break
    # The groups wholly on the page are contiguous; only the first and the last may be cut.
    whole = [m for members, low, high, size in spans if high - low == size for m in members]
    before, after = [], []
    for index, (members, low, high, size) in enumerate(spans):
        if high - low < size:
            rows = (
                projects.filter(**{f"{field}__isnull": True})
                if members == [None]
                else projects.filter(**{f"{field}__in": members})
            )
            cut = list(rows.order_by("name", "pk").values_list("pk", flat=True)[low:high])
            if index == 0:
                before = cut
            else:
                after = cut
    within = []
    if whole:
        together = Q(**{f"{field}__in": [m for m in whole if m is not None]})
        if None in whole:
            together |= Q(**{f"{field}__isnull": True})
        within = list(
            projects.filter(together).order_by(*ORDERS[group]).values_list("pk", flat=True)
        )
    page = before + within + after
    return page, Window(number, count, len(page))


def battle_map(projects, group: str, number: int | None, today: date) -> BattleMap:
    """The rows of page `number` (the first if none, the last if beyond it) of `projects`,
    grouped and ordered by `group` ("", "region" or "lead_unit")."""
    ids, page = _page(projects, group, number or 1)
    read = (
        projects.filter(pk__in=ids)
        .select_related("region", "lead_unit")
        .only(*ROW_FIELDS)
        # In their own order, not the model's (by project, which joins and sorts the projects).
        .prefetch_related(
            Prefetch("milestones", Milestone.objects.order_by("project_id", "planned_date", "id"))
        )
        .order_by()
    )
    found = {project.pk: project for project in read} if ids else {}
    shown = [found[pk] for pk in ids]
    known = forecasts(shown, today)
    # The lights' and milestone states' names, translated once for the page, not once a row.
    labels = {value: str(label) for value, label in (*Light.choices, *MilestoneState.choices)}
    rows = [_row(p, group, known.get(p.pk), today, labels) for p in shown]
    return BattleMap(rows=rows, groups=_groups(rows), axis=_axis(rows, today), page=page)
