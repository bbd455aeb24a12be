"""The columns of the sheets of a project's details, and how a sheet's header says its kind.

Beside the project ledger, a city sends its projects' details in the same workbook, one sheet
each: the annual plans with their monthly breakdown (1月 … 12月), the milestones (节点名称 and
计划完成时间), the approvals (审批事项 and 办结时间 or 批复文号) and the funding lines
(资金来源 and 金额). Each row names its project by 项目代码, or by name and region, with the
columns of the project ledger. `find_header` tells a sheet of details by its header before the
sheet could be read as one of projects.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from diaodu.exchange import columns as cols
from diaodu.exchange.columns import Header

# The project ledger's columns that say which project a row is about.
PROJECT_KEYS = ("national_code", "name", "region")
# The project ledger's columns a sheet of details never has: a header with one is of projects.
PROJECT_ONLY = {"total_investment", "period", "owner", "lead_unit", "stage", "category"}
MONTHS = tuple(range(1, 13))
CHINESE_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                  "九": 9, "十": 10, "十一": 11, "十二": 12}  # fmt: skip
MONTH = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,2})月份?(?:计划)?(?:投资)?(?:计划)?$")
# A parent header over the twelve months of a two-row header.
MONTHS_PARENT = {"月度计划", "月度计划投资", "分月计划", "分月计划投资", "月度投资计划",
                 "分月投资计划"}  # fmt: skip


@dataclass(frozen=True)
class DetailColumn:
    key: str
    header: str  # as written in the template
    aliases: tuple[str, ...] = ()
    example: object = ""
    width: int = 14
    money: bool = False


@dataclass(frozen=True)
class DetailKind:
    """One kind of detail: its columns, and those a header must have to be of this kind (one
    of each tuple)."""

    key: str
    title: object  # the template's sheet name
    columns: tuple[DetailColumn, ...]
    needs: tuple[tuple[str, ...], ...]

    def column(self, key: str) -> DetailColumn:
        return next(column for column in self.columns if column.key == key)


def _identity(example_code: str, example_name: str) -> tuple[DetailColumn, ...]:
    return (
        DetailColumn("national_code", cols.BY_KEY["national_code"].header, (), example_code, 26),
        DetailColumn("name", cols.BY_KEY["name"].header, (), example_name, 30),
        DetailColumn("region", cols.BY_KEY["region"].header, (), "解放区", 12),
    )


EXAMPLE_CODE = "2111-522323-04-01-342068"
EXAMPLE_NAME = "城北污水处理厂扩建工程"
MONTH_EXAMPLE = [0, 200, 300, 400, 400, 400, 500, 500, 500, 600, 600, 600]

PLAN = DetailKind(
    "plan",
    _("Annual plans"),
    (
        *_identity(EXAMPLE_CODE, EXAMPLE_NAME),
        DetailColumn("year", "年度", ("计划年度", "年份", "年度计划年份", "year"), 2026, 8),
        DetailColumn(
            "planned_investment",
            "年度计划投资（万元）",
            (
                "年度计划投资",
                "年度计划",
                "本年计划投资",
                "年度投资计划",
                "计划投资",
                "年计划投资",
                "全年计划投资",
                "全年计划",
                "annual planned investment",
            ),  # fmt: skip
            5000,
            16,
            money=True,
        ),
        DetailColumn(
            "targets",
            "年度目标任务",
            ("年度建设目标", "年度目标", "目标任务", "年度建设内容", "年度形象进度目标", "targets"),
            "完成主体结构，年底投入试运行",
            30,
        ),
        *(
            DetailColumn(f"month_{month}", f"{month}月", (), MONTH_EXAMPLE[month - 1], 8, True)
            for month in MONTHS
        ),
    ),
    (),  # three months at least (`_fits`)
)
MILESTONE = DetailKind(
    "milestone",
    _("Milestones"),
    (
        *_identity(EXAMPLE_CODE, EXAMPLE_NAME),
        DetailColumn(
            "milestone",
            "节点名称",
            (
                "里程碑",
                "里程碑节点",
                "时间节点",
                "节点",
                "节点内容",
                "形象节点",
                "关键节点",
                "节点事项",
                "milestone",
            ),  # fmt: skip
            "主体结构封顶",
            24,
        ),
        DetailColumn(
            "planned_date",
            "计划完成时间",
            (
                "计划完成日期",
                "计划时间",
                "节点时间",
                "计划节点时间",
                "完成时限",
                "计划完成时限",
                "planned date",
            ),  # fmt: skip
            "2026-09-30",
            14,
        ),
        DetailColumn(
            "actual_date",
            "实际完成时间",
            ("实际完成日期", "实际时间", "完成时间", "actual date"),
            "",
            14,
        ),
        DetailColumn("responsible_unit", "节点责任单位", ("责任单位", "牵头单位"), "", 16),
        DetailColumn("note", "备注", ("说明", "note"), "", 24),
    ),
    (("milestone",), ("planned_date",)),
)
APPROVAL = DetailKind(
    "approval",
    _("Approvals"),
    (
        *_identity(EXAMPLE_CODE, EXAMPLE_NAME),
        DetailColumn(
            "kind",
            "审批事项",
            ("审批类型", "手续名称", "前期手续", "审批手续", "手续事项", "办理事项", "approval"),
            "环评批复",
            22,
        ),
        DetailColumn(
            "status",
            "办理状态",
            ("状态", "审批状态", "办理情况", "status"),
            "已办结",
            10,
        ),
        DetailColumn(
            "responsible_department",
            "审批部门",
            ("责任部门", "办理部门", "主管部门", "责任单位"),
            "",
            16,
        ),
        DetailColumn(
            "time_limit_days",
            "办理时限（工作日）",
            ("办理时限", "法定时限", "时限", "承诺时限"),
            "",
            12,
        ),
        DetailColumn(
            "planned_date",
            "计划办结时间",
            ("计划完成时间", "计划办理时间", "计划时间"),
            "",
            14,
        ),
        DetailColumn(
            "applied_on", "受理时间", ("受理日期", "申报时间", "accepted on"), "2026-03-02", 14
        ),
        DetailColumn(
            "completed_on",
            "办结时间",
            ("办结日期", "批复时间", "批复日期", "完成时间", "completed on"),
            "2026-03-30",
            14,
        ),
        DetailColumn(
            "document_number",
            "批复文号",
            ("文号", "批复文件", "批准文号", "document number"),
            "焦环审〔2026〕12号",
            20,
        ),
    ),
    (("kind",), ("completed_on", "document_number", "status", "applied_on")),
)
FUNDING = DetailKind(
    "funding",
    _("Funding lines"),
    (
        *_identity(EXAMPLE_CODE, EXAMPLE_NAME),
        DetailColumn(
            "source",
            "资金来源",
            ("资金类别", "资金渠道", "资金类型", "来源", "funding source"),
            "地方政府专项债券",
            22,
        ),
        DetailColumn(
            "planned",
            "计划金额（万元）",
            ("金额", "计划金额", "计划资金", "拟申请金额", "资金计划", "planned"),
            20000,
            14,
            money=True,
        ),
        DetailColumn(
            "secured",
            "已落实（万元）",
            ("已落实", "已落实金额", "落实金额", "已落实资金", "secured"),
            15000,
            14,
            money=True,
        ),
        DetailColumn(
            "disbursed",
            "已到位（万元）",
            ("已到位", "已到位金额", "到位金额", "到位资金", "已到位资金", "disbursed"),
            8000,
            14,
            money=True,
        ),
        DetailColumn("note", "备注", ("说明", "note"), "", 24),
    ),
    (("source",), ("planned", "secured", "disbursed")),
)
KINDS = (PLAN, MILESTONE, APPROVAL, FUNDING)
BY_KIND = {kind.key: kind for kind in KINDS}


def _bare(text) -> str:
    """A header without its unit: 月度计划（万元） -> 月度计划."""
    return re.sub(r"\(.*?\)", "", cols.normalise_header(text))


def _table(kind: DetailKind) -> dict[str, str]:
    table = {}
    for column in kind.columns:
        if column.key in PROJECT_KEYS:
            continue
        for alias in (column.header, *column.aliases):
            table[_bare(alias)] = column.key
    return table


TABLES = {kind.key: _table(kind) for kind in KINDS}


def month_of(base: str) -> int | None:
    match = MONTH.match(base)
    if not match:
        return None
    number = match.group(1)
    month = int(number) if number.isdigit() else CHINESE_MONTHS.get(number)
    return month if month in MONTHS else None


def match(text, kind: DetailKind) -> Header | None:
    """The field of a detail kind a header names (a project's code, name and region as the
    ledger names them), with the unit of its amounts; None for a column it does not know."""
    raw = cols.normalise_header(text)
    if not raw:
        return None
    units = "".join(re.findall(r"\((.*?)\)", raw))
    factor = cols.unit_factor(units) or (cols.unit_factor(raw[-2:]) if raw.endswith("元") else None)
    base = re.sub(r"\(.*?\)", "", raw).removesuffix("亿元").removesuffix("万元")
    header = Header("", str(text).strip(), factor or Decimal(1), None, factor is not None)
    project_key = cols.ALIASES.get(base)
    if project_key in PROJECT_KEYS:
        header.key = project_key
        return header
    table = TABLES[kind.key]
    key = table.get(base)
    year_match = cols.YEAR_PREFIX.match(base)
    if key is None and year_match and base[year_match.end() :]:
        key = table.get(base[year_match.end() :])
        if key in ("planned_investment", "targets"):
            header.year = int(year_match.group(1))
        else:
            key = None
    if key is None and kind is PLAN:
        month = month_of(base)
        key = f"month_{month}" if month else None
    if key is None:
        return None
    header.key = key
    return header


def _is_of_projects(row: tuple) -> bool:
    found = (cols.match_header(cell) for cell in row if isinstance(cell, str))
    return any(header is not None and header.key in PROJECT_ONLY for header in found)


def _fits(kind: DetailKind, keys: set[str]) -> bool:
    if not keys & {"national_code", "name"}:
        return False
    if kind is PLAN:
        return sum(1 for key in keys if key.startswith("month_")) >= 3
    return all(keys & set(options) for options in kind.needs)


def find_header(rows, search: int) -> tuple[DetailKind, int, list[Header | None], list[str]] | None:
    """The kind of details a sheet holds, its header's last row, the field of each column and
    the header's text; None for a sheet that is not one of details. A header of months may sit
    on two rows, 月度计划 over 1月 … 12月."""
    for position, (number, row) in enumerate(rows[:search]):
        if _is_of_projects(row):
            continue
        texts = [cols.text(cell) for cell in row]
        for kind in KINDS:
            headers = [match(cell, kind) for cell in row]
            keys = {header.key for header in headers if header is not None}
            if _fits(kind, keys):
                return kind, number, headers, texts
        below = rows[position + 1] if position + 1 < len(rows) else None
        if (
            below is not None
            and below[0] == number + 1
            and any(_bare(cell) in MONTHS_PARENT for cell in row)
        ):
            width = max(len(row), len(below[1]))
            headers, texts, parent = [], [], None
            for index in range(width):
                above = row[index] if index < len(row) else None
                child = below[1][index] if index < len(below[1]) else None
                parent = above if not cols.is_blank(above) else parent
                own = match(child, PLAN) if not cols.is_blank(child) else None
                if own is None or not own.key.startswith("month_"):
                    own = match(above, PLAN) if not cols.is_blank(above) else None
                elif not own.unit_given:  # 月度计划（亿元） over the months: their unit
                    factor = cols.unit_factor(cols.normalise_header(parent))
                    if factor is not None:
                        own.factor, own.unit_given = factor, True
                headers.append(own)
                texts.append(
                    " / ".join(cols.text(t) for t in (above, child) if not cols.is_blank(t))
                )
            keys = {header.key for header in headers if header is not None}
            if _fits(PLAN, keys):
                return PLAN, number + 1, headers, texts
    return None
