"""The ledger (台账): the filtered, sorted set of projects a user sees, with its totals.

The page, its Excel export and the API share this, so the export holds exactly the rows and
totals on screen.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from diaodu.core import kept
from diaodu.org.choices import Role
from diaodu.org.models import Unit
from diaodu.projects.filters import ProjectFilterSet
from diaodu.projects.models import AnnualPlan, Project
from diaodu.reporting.models import InvestmentSummary

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)

# The ledger's columns: key, label, the field to sort by (None: not sortable).
COLUMNS = [
    ("name", _("Project name"), "name"),
    ("region", _("Region"), "region__sort_order"),
    ("programs", _("Programmes"), None),
    ("stage", _("Stage"), "stage"),
    ("light", _("Warning"), "light"),
    ("total_investment", _("Total investment (10k yuan)"), "total_investment"),
    ("annual_planned", _("Annual plan (10k yuan)"), "annual_planned"),
    ("year_invested", _("Year to date (10k yuan)"), "year_invested"),
    ("rate", _("Completion rate"), "rate"),
    ("spi", _("SPI"), "spi"),
    ("finish", _("Forecast finish"), "finish"),
    ("owner", _("Owner"), "owner__name"),
    ("lead_unit", _("Lead unit"), "lead_unit__name"),
    ("leaders", _("Leaders in charge"), None),
]
# The forecast's columns, sorted by what refresh_lights stored (projects without one last).
FORECAST_SORTS = {"spi": "forecast_spi", "finish": "forecast_finish"}
SORTABLE = {key: field for key, _label, field in COLUMNS if field and key not in FORECAST_SORTS}
# ?forecast=late: only the projects forecast to finish late.
LATE = "late"


@dataclass
class Totals:
    count: int
    total_investment: Decimal
    annual_planned: Decimal
    year_invested: Decimal

    @property
    def rate(self):
        return self.year_invested / self.annual_planned * 100 if self.annual_planned else None


def ledger(user, params, year: int):
    """(filterset, sorted queryset, sort key) of a user's ledger."""
    done = InvestmentSummary.objects.filter(project=OuterRef("pk"), year=year)
    base = (
        Project.objects.visible_to(user)
        .for_ledger(year)
        .annotate(
            year_invested=Coalesce(
                Subquery(done.order_by().values("invested")[:1]), Value(ZERO), output_field=MONEY
            ),
        )
    )
    base = base.annotate(
        rate=Case(
            When(annual_planned__gt=0, then=F("year_invested") * 100 / F("annual_planned")),
            default=None,
            output_field=MONEY,
        )
    )
    filterset = ProjectFilterSet(params, queryset=base)
    queryset = filterset.qs
    if params.get("forecast") == LATE:
        queryset = queryset.filter(forecast_late_days__gt=settings.DIAODU_FORECAST_LATE_DAYS)
    sort = params.get("sort", "")
    key = sort.lstrip("-")
    if key in FORECAST_SORTS:
        column = F(FORECAST_SORTS[key])
        descending = sort.startswith("-")
        order = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
        queryset = queryset.order_by(order, "name", "pk")
    elif key in SORTABLE:
        field = SORTABLE[key]
        order = f"-{field}" if sort.startswith("-") else field
        queryset = queryset.order_by(order, "name", "pk")
    elif user.role == Role.LEADER and hasattr(user, "leader_profile"):
        # A leader sees everything, with their own projects first.
        mine = user.leader_profile.projects.values("pk")
        queryset = queryset.annotate(
            is_mine=Case(
                When(pk__in=mine, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("is_mine", *Project._meta.ordering)
        sort = ""
    return filterset, queryset, sort


def page_of(queryset, number, size: int):
    """One page of the ledger: first the page's ids in order, then those rows in full.

    Sorting narrow rows (an id and its sort keys) rather than whole annotated rows is what
    makes a page of tens of thousands of projects fast; the relations and figures are then
    read for one page only. In the default order (by region, then name) the page's ids are
    found region by region from the counts per region, each region read in name order from
    its index, so nothing is sorted at all.
    """
    if queryset.query.order_by:
        paginator = Paginator(queryset.values_list("pk", flat=True), size)
        page = paginator.get_page(number)
        ids = list(page.object_list)
    else:
        page, ids = _page_by_region(queryset, number, size)
    rows = {project.pk: project for project in queryset.order_by().filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


FAMILY = "ledger"


def _whole(queryset) -> bool:
    """A set with no condition at all: headquarters' whole ledger, the same for everyone who
    sees everything, whose counts and totals are kept (diaodu/core/kept.py)."""
    return not queryset.query.where


def _region_counts(queryset) -> dict:
    return dict(queryset.order_by().values_list("region_id").annotate(n=Count("pk", distinct=True)))


def _page_by_region(queryset, number, size: int):
    if _whole(queryset):
        counts = kept.read(
            FAMILY, ("regions",), lambda: _region_counts(queryset), stale_for=kept.A_WHILE
        )
    else:
        counts = _region_counts(queryset)
    page = Paginator(range(sum(counts.values())), size).get_page(number)
    if not page.object_list:
        return page, []
    start, end = page.object_list[0], page.object_list[-1] + 1
    orders = dict(
        Unit.objects.filter(pk__in=[r for r in counts if r is not None]).values_list(
            "pk", "sort_order"
        )
    )
    # Regions sharing a sort order interleave by name, as the model's ordering says.
    groups = defaultdict(list)
    for region_id in counts:
        groups[(region_id is None, orders.get(region_id, 0))].append(region_id)
    ids, offset = [], 0
    for key in sorted(groups):
        members = groups[key]
        in_group = sum(counts[r] for r in members)
        if offset + in_group > start:
            rows = (
                queryset.filter(region__isnull=True)
                if members == [None]
                else queryset.filter(region_id__in=members)
            )
            low, high = max(0, start - offset), min(in_group, end - offset)
            ids += list(rows.order_by("name", "pk").values_list("pk", flat=True)[low:high])
        offset += in_group
        if offset >= end:
            break
    return page, ids


def totals(queryset, year: int, *, fresh: bool = False) -> Totals:
    """Totals over the whole filtered set, not only the page (three queries; kept for the whole
    ledger, and on the screen read a while after a change while the queue computes them again:
    kept.A_WHILE). `fresh`: from the data as it is (an export)."""
    if _whole(queryset):
        return kept.read(
            FAMILY,
            ("totals", year),
            lambda: _totals(queryset, year),
            stale_for=0 if fresh else kept.A_WHILE,
        )
    return _totals(queryset, year)


def looked_at(today):
    """Headquarters' whole ledger of this year: its totals and its counts per region."""
    from diaodu.monitoring.figures import stand_in

    queryset = ledger(stand_in(("all",)), {}, today.year)[1]
    yield ("regions",), (lambda: _region_counts(queryset))
    yield ("totals", today.year), (lambda: _totals(queryset, today.year))


def _totals(queryset, year: int) -> Totals:
    """A set with no condition at all (headquarters' whole ledger) needs no filter by project."""
    whole = _whole(queryset)

    def scoped(rows, path="project"):
        return rows if whole else rows.filter(**{f"{path}__in": queryset.order_by().values("pk")})

    projects = scoped(Project.objects.all(), "pk").aggregate(
        count=Count("pk"), total=Sum("total_investment")
    )
    planned = scoped(AnnualPlan.objects.filter(year=year)).aggregate(
        total=Sum("planned_investment")
    )["total"]
    invested = scoped(InvestmentSummary.objects.filter(year=year)).aggregate(total=Sum("invested"))[
        "total"
    ]
    return Totals(
        count=projects["count"] or 0,
        total_investment=projects["total"] or ZERO,
        annual_planned=planned or ZERO,
        year_invested=invested or ZERO,
    )
