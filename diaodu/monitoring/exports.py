"""The ledger as an Excel workbook: title row, unit in the header, frozen header, totals.

Its columns are those of the import (plus the figures Diaodu derives), so an exported ledger
imports back unchanged. Amounts are in 万元 as the ledger's users expect; asked with
`unit=yi`, in 亿元 (four decimals: exact to the 万元), the unit in the title and the headers,
which the import reads too.
"""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diaodu.core import xlsx
from diaodu.core.bulk import batches
from diaodu.core.choices import Light
from diaodu.core.exports import xlsx_response
from diaodu.core.xlsx import SheetWriter
from diaodu.exchange.columns import format_period
from diaodu.projects.choices import Category, Stage
from diaodu.projects.models import Project

M2M = ("programs", "responsible_units", "leaders")
MONEY_COLUMNS = {"total_investment", "annual_planned", "year_invested"}
WAN, YI = "wan", "yi"  # the units a ledger can be asked in: 万元 (the default), 亿元
UNITS = ((WAN, gettext_lazy("10k yuan")), (YI, gettext_lazy("100m yuan")))
YI_HEADERS = {
    "total_investment": gettext_lazy("Total investment (100m yuan)"),
    "year_invested": gettext_lazy("Year to date (100m yuan)"),
}

# key, header, width; the annual plan's header carries the year so an import knows it.
COLUMNS = [
    ("name", gettext_lazy("Project name"), 40),
    ("national_code", gettext_lazy("Project code"), 26),
    ("region", gettext_lazy("Region"), 12),
    ("programs", gettext_lazy("Programmes"), 24),
    ("category", gettext_lazy("Category"), 12),
    ("stage", gettext_lazy("Stage"), 10),
    ("light", gettext_lazy("Warning"), 8),
    ("period", gettext_lazy("Construction period"), 16),
    ("total_investment", gettext_lazy("Total investment (10k yuan)"), 14),
    ("annual_planned", None, 14),
    ("year_invested", gettext_lazy("Year to date (10k yuan)"), 14),
    ("rate", gettext_lazy("Completion rate"), 10),
    ("owner", gettext_lazy("Owner"), 24),
    ("lead_unit", gettext_lazy("Lead unit"), 20),
    ("responsible_units", gettext_lazy("Responsible units"), 24),
    ("leaders", gettext_lazy("Leaders in charge"), 16),
    ("scope", gettext_lazy("Construction scope"), 48),
]


# What each column reads from a row of `values_list` (the m2m columns come from maps).
FIELDS = {
    "name": "name", "national_code": "national_code", "region": "region__name",
    "category": "category", "stage": "stage", "light": "light", "period": None,
    "total_investment": "total_investment", "annual_planned": "annual_planned",
    "year_invested": "year_invested", "rate": "rate", "owner": "owner__name",
    "lead_unit": "lead_unit__name", "scope": "scope",
}  # fmt: skip
VALUES = ["pk", "planned_start", "planned_completion", *(f for f in FIELDS.values() if f)]


# Projects written per step: their many-to-many names are read for them alone, so memory stays
# flat at any size of ledger.
CHUNK = 2000


def _names(ids: list[int], relation: str, year: int) -> dict[int, str]:
    """project id → the names of a many-to-many relation of those projects, joined with 、
    (one query)."""
    through = getattr(Project, relation).through.objects.filter(project_id__in=ids).order_by("pk")
    if relation == "programs":
        rows = through.filter(program__year=year).values_list("project_id", "program__name")
    elif relation == "leaders":  # as Leader.__str__ writes them, so that an import can tell
        rows = (
            (pid, f"{name}（{title}）" if title else name)
            for pid, name, title in through.values_list(
                "project_id", "leader__name", "leader__title"
            )
        )
    else:
        rows = through.values_list("project_id", "unit__name")
    found = defaultdict(list)
    for project_id, name in rows:
        found[project_id].append(name)
    return {project_id: "、".join(names) for project_id, names in found.items()}


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def ledger_download(user, params):
    """The ledger as on the page (the same scope, filters and sort) as a download.

    The page and the API both answer with this.
    """
    from diaodu.monitoring.ledger import ledger, totals

    try:
        year = int(params.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    unit = YI if params.get("unit") == YI else WAN
    _filterset, queryset, sort = ledger(user, params, year)
    content = ledger_workbook(queryset, totals(queryset, year, fresh=True), year, unit)
    name = _("Key project ledger %(year)d") % {"year": year}
    if unit == YI:
        return xlsx_response(content, f"{name}（{_('100m yuan')}）.xlsx", f"ledger-{year}-yi.xlsx")
    return xlsx_response(content, name + ".xlsx", f"ledger-{year}.xlsx")


def _headers(year: int, unit: str) -> list[str]:
    headers = []
    for key, label, _width in COLUMNS:
        if unit == YI and key in YI_HEADERS:
            headers.append(str(YI_HEADERS[key]))
        elif key == "annual_planned" and unit == YI:
            headers.append(_("Annual plan %(year)d (100m yuan)") % {"year": year})
        elif key == "annual_planned":
            headers.append(_("Annual plan %(year)d (10k yuan)") % {"year": year})
        else:
            headers.append(str(label))
    return headers


def _values(row, m2m, labels, divisor, city_level) -> list:
    """A row of `values_list(*VALUES)` as the sheet's cells."""
    data = dict(zip(VALUES, row, strict=True))
    values = []
    for key, _label, _width in COLUMNS:
        if key in M2M:
            value = m2m[key].get(data["pk"], "")
        elif key == "period":
            value = format_period(data["planned_start"], data["planned_completion"])
        elif key in labels:
            value = labels[key].get(data[FIELDS[key]], data[FIELDS[key]])
        elif key == "region":
            value = data["region__name"] or city_level
        else:
            value = data[FIELDS[key]]
            if key in MONEY_COLUMNS and value is not None:
                value = float(value / divisor)
            elif key == "rate" and value is not None:
                value = round(float(value) / 100, 3)  # a fraction, shown as 81.9%
        values.append(value)
    return values


def ledger_workbook(queryset, totals, year, unit: str = WAN) -> bytes:
    """Every row of the ledger from flat rows, streamed chunk by chunk of projects: seconds and
    flat memory at any size."""
    headers = _headers(year, unit)
    title = _("Key project ledger %(year)d") % {"year": year}
    if unit == YI:
        title = _("%(title)s (amounts in 100m yuan)") % {"title": title}
    divisor = 10_000 if unit == YI else 1
    money, bold_money = (xlsx.YI, xlsx.BOLD_YI) if unit == YI else (xlsx.MONEY, xlsx.BOLD_MONEY)
    sheet = SheetWriter(title, headers, [width for *_x, width in COLUMNS])
    labels = {"stage": _labels(Stage.choices), "light": _labels(Light.choices),
              "category": _labels(Category.choices)}  # fmt: skip
    city_level = str(_("City level"))
    styles = [
        money if key in MONEY_COLUMNS else xlsx.PERCENT if key == "rate" else xlsx.PLAIN
        for key, *_x in COLUMNS
    ]
    rows = queryset.prefetch_related(None).values_list(*VALUES).iterator(chunk_size=CHUNK)
    for chunk in batches(rows, CHUNK):
        ids = [row[0] for row in chunk]
        m2m = {key: _names(ids, key, year) for key in M2M}
        for row in chunk:
            sheet.row(_values(row, m2m, labels, divisor, city_level), styles)
    values = {
        "name": _("Total (%(count)d projects)") % {"count": totals.count},
        "total_investment": float(totals.total_investment / divisor),
        "annual_planned": float(totals.annual_planned / divisor),
        "year_invested": float(totals.year_invested / divisor),
        "rate": round(float(totals.rate) / 100, 3) if totals.rate is not None else None,
    }
    sheet.row(
        [values.get(key) for key, *_x in COLUMNS],
        [
            bold_money
            if key in MONEY_COLUMNS
            else xlsx.BOLD_PERCENT
            if key == "rate"
            else xlsx.BOLD
            for key, *_x in COLUMNS
        ],
        numbered=False,
    )
    return sheet.close()
