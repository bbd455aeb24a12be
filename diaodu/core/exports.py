"""Lists as Excel workbooks: a title, a frozen header, one row per item and a bold totals row.

The period's reports, the problem list and the task list are written through `table_workbook`,
so every export looks the same: 序号 first, filter buttons and print setup (`StreamedSheet`),
money in 万元 with "#,##0.00", percentages as percent ("0.0%"), dates as dates, no cell that can
start a formula (`write_cell`). The page and the API return the same bytes (`xlsx_response`).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from drf_spectacular.types import OpenApiTypes
from openpyxl.styles import Font
from rest_framework.renderers import BaseRenderer, JSONRenderer

from diaodu.core.excel import MONEY, PERCENT, StreamedSheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
# The schema of an export action's answer (drf-spectacular).
XLSX_RESPONSE = {(200, XLSX): OpenApiTypes.BINARY}


@dataclass(frozen=True)
class Column:
    """One column: its header, its width, how to get the value from an item, how to show it.

    A column with `total=True` is summed in the totals row (money columns). A column formatted
    `PERCENT` gives percentage points (81.9), written as the fraction Excel shows as 81.9%.
    """

    header: str
    width: int
    value: Callable[[Any], Any]
    number_format: str | None = None
    total: bool = False


def field_header(model: type[models.Model], name: str) -> str:
    """A model field's label as a header ("reviewed by" → 审核人), reusing its translation."""
    field = model._meta.get_field(name)
    return capfirst(str(getattr(field, "verbose_name", name)))  # a reverse relation has none


def local_date(value: datetime | None) -> date | None:
    """A stored moment as the day it was in Shanghai, or None."""
    return timezone.localdate(value) if value else None


def _excel_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if value is not None and not isinstance(value, int | float | str | date):
        return str(value)  # a unit, a leader, a lazy translation
    return value


def table_workbook(
    title: str,
    columns: list[Column],
    items: Iterable[Any],
    total_label: Callable[[int], str],
) -> bytes:
    """Write every item as a row, then a bold row with the count and the sums of money columns."""
    sheet = StreamedSheet(title, [c.header for c in columns], [c.width for c in columns])
    sums = {index: Decimal(0) for index, column in enumerate(columns) if column.total}
    count = 0
    for item in items:
        count += 1
        cells = []
        for index, column in enumerate(columns):
            value = column.value(item)
            if index in sums and value is not None:
                sums[index] += value
            if column.number_format == PERCENT and value is not None:
                value = float(value) / 100
            cells.append(sheet.cell(_excel_value(value), number_format=column.number_format))
        sheet.append(cells)
    bold = Font(bold=True)
    totals = [sheet.cell(total_label(count), font=bold)]
    for index in range(1, len(columns)):
        total = sums.get(index)
        totals.append(
            sheet.cell(
                float(total) if total is not None else None,
                font=bold,
                number_format=(columns[index].number_format or MONEY)
                if total is not None
                else None,
            )
        )
    sheet.append(totals, numbered=False)
    return sheet.to_bytes()


def xlsx_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A download named `filename` (may be Chinese), with an ASCII `fallback` for old clients."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response


class FileRenderer(BaseRenderer):
    """Lets an API client ask for a file by its type in `Accept`; an error still comes as JSON."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class XLSXRenderer(FileRenderer):
    media_type = XLSX
    format = "xlsx"


# The renderers of an export action: JSON first (errors, and clients that ask for nothing).
EXPORT_RENDERERS = [JSONRenderer, XLSXRenderer]
