"""The ledger as an Excel workbook: title row, unit in the header, frozen header, totals."""

from django.utils.translation import gettext as _
from openpyxl.styles import Font

from diaodu.core.excel import new_sheet, to_bytes, write_cell
from diaodu.projects.ledger import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTHS = {"name": 40, "programs": 24, "owner": 24, "lead_unit": 20, "leaders": 16}
MONEY_COLUMNS = {"total_investment", "annual_planned", "year_invested"}


def _cell_value(project, key):
    if key == "region":
        return str(project.region) if project.region else str(_("City level"))
    if key == "programs":
        return "、".join(p.name for p in project.programs.all())
    if key == "leaders":
        return "、".join(leader.name for leader in project.leaders.all())
    if key == "stage":
        return project.get_stage_display()
    if key == "light":
        return project.get_light_display()
    if key in {"owner", "lead_unit"}:
        unit = getattr(project, key)
        return str(unit) if unit else ""
    value = getattr(project, key)
    if key == "rate":
        return round(float(value), 1) if value is not None else None
    if key in MONEY_COLUMNS:
        return float(value) if value is not None else None
    return value


def ledger_workbook(queryset, totals, year) -> bytes:
    headers = [str(label) for _key, label, _f in COLUMNS]
    title = _("Key project ledger %(year)d") % {"year": year}
    workbook, sheet = new_sheet(title, headers, [WIDTHS.get(key, 14) for key, _l, _f in COLUMNS])
    row = 2
    for row, project in enumerate(queryset.iterator(chunk_size=2000), start=3):
        for column, (key, _label, _f) in enumerate(COLUMNS, start=1):
            cell = write_cell(sheet, row, column, _cell_value(project, key))
            if key in MONEY_COLUMNS:
                cell.number_format = "#,##0.00"
    row += 1
    values = {
        "name": _("Total (%(count)d projects)") % {"count": totals.count},
        "total_investment": float(totals.total_investment),
        "annual_planned": float(totals.annual_planned),
        "year_invested": float(totals.year_invested),
        "rate": round(float(totals.rate), 1) if totals.rate is not None else None,
    }
    for column, (key, _label, _f) in enumerate(COLUMNS, start=1):
        if key in values:
            cell = write_cell(sheet, row, column, values[key])
            cell.font = Font(bold=True)
            if key in MONEY_COLUMNS:
                cell.number_format = "#,##0.00"
    return to_bytes(workbook)
