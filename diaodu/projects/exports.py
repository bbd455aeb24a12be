"""The ledger as an Excel workbook: title row, unit in the header, frozen header, totals.

Its columns are those of the import (plus the figures Diaodu derives), so an exported ledger
imports back unchanged.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from diaodu.core.excel import stream_cell, stream_sheet, to_bytes
from diaodu.exchange.columns import format_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
MONEY_COLUMNS = {"total_investment", "annual_planned", "year_invested"}

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


def _cell_value(project, key):
    if key == "region":
        return project.region.name if project.region else str(_("City level"))
    if key == "programs":
        return "、".join(p.name for p in project.programs.all())
    if key == "leaders":
        return "、".join(str(leader) for leader in project.leaders.all())
    if key == "responsible_units":
        return "、".join(unit.name for unit in project.responsible_units.all())
    if key in {"stage", "light", "category"}:
        return getattr(project, f"get_{key}_display")()
    if key == "period":
        return format_period(project.planned_start, project.planned_completion)
    if key in {"owner", "lead_unit"}:
        unit = getattr(project, key)
        return unit.name if unit else ""
    value = getattr(project, key)
    if key == "rate":
        return round(float(value), 1) if value is not None else None
    if key in MONEY_COLUMNS:
        return float(value) if value is not None else None
    return value


def ledger_workbook(queryset, totals, year) -> bytes:
    """Every row of the ledger, streamed: memory stays flat however long the ledger is."""
    headers = [
        str(label) if label else _("Annual plan %(year)d (10k yuan)") % {"year": year}
        for _key, label, _width in COLUMNS
    ]
    title = _("Key project ledger %(year)d") % {"year": year}
    workbook, sheet = stream_sheet(title, headers, [width for *_x, width in COLUMNS])
    queryset = queryset.prefetch_related("responsible_units")
    for project in queryset.iterator(chunk_size=2000):
        sheet.append(
            [
                stream_cell(
                    sheet,
                    _cell_value(project, key),
                    number_format=MONEY if key in MONEY_COLUMNS else None,
                )
                for key, _label, _width in COLUMNS
            ]
        )
    values = {
        "name": _("Total (%(count)d projects)") % {"count": totals.count},
        "total_investment": float(totals.total_investment),
        "annual_planned": float(totals.annual_planned),
        "year_invested": float(totals.year_invested),
        "rate": round(float(totals.rate), 1) if totals.rate is not None else None,
    }
    bold = Font(bold=True)
    sheet.append(
        [
            stream_cell(
                sheet,
                values.get(key),
                font=bold,
                number_format=MONEY if key in MONEY_COLUMNS else None,
            )
            for key, _label, _width in COLUMNS
        ]
    )
    return to_bytes(workbook)
