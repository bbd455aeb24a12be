"""Synthetic ledgers in the shape units send them, for tests and the benchmark.

Two merged title rows above the header, the headers units write (业主单位, 总投资（亿元）,
建设起止年限, 所在县区, 包抓领导 ...), amounts in 亿元, a total row at the bottom.
"""

from openpyxl import Workbook

from diaodu.core.excel import to_bytes

HEADERS = [
    "序号",
    "项目名称",
    "项目代码",
    "业主单位",
    "建设规模及内容",
    "总投资（亿元）",
    "2026年计划投资（万元）",
    "建设起止年限",
    "所在县区",
    "牵头单位",
    "责任单位",
    "包抓领导",
    "行业",
    "建设性质",
]
STAGES = ["新建", "续建", "前期"]
CATEGORIES = ["工业", "交通", "水利", "民生", "生态环保", "城市更新"]


def ledger_rows(count: int, *, regions, owners, departments, leaders, prefix="样例项目"):
    """`count` plausible rows, deterministic; names are `prefix` and a number."""
    for index in range(count):
        start = 2022 + index % 4
        yield [
            index + 1,
            f"{prefix}{index + 1:05d}",
            "",
            owners[index % len(owners)],
            f"新建厂房{index % 50 + 1}万平方米及配套设施",
            round(0.5 + (index % 97) * 0.37, 2),
            1000 + (index % 89) * 150,
            f"{start}.{index % 12 + 1:02d}-{start + 2}.12",
            regions[index % len(regions)],
            departments[index % len(departments)],
            "、".join(
                {
                    departments[(index + 1) % len(departments)],
                    departments[(index + 2) % len(departments)],
                }
            ),  # fmt: skip
            leaders[index % len(leaders)],
            CATEGORIES[index % len(CATEGORIES)],
            STAGES[index % len(STAGES)],
        ]


def ledger_workbook(rows, *, year=2026, bad: dict | None = None) -> bytes:
    """A workbook of the given rows; `bad` maps a row index to {header: wrong value}."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "重点项目台账"
    sheet.append([f"{year}年市重点项目建设台账"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(["填报单位：市发展改革委", None, None, None, None, None, None, "单位：亿元、万元"])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
    sheet.append([h.replace("2026", str(year)) for h in HEADERS])
    total = 0
    for index, row in enumerate(rows):
        row = list(row)
        for header, value in (bad or {}).get(index, {}).items():
            row[HEADERS.index(header)] = value
        if isinstance(row[5], int | float):
            total += row[5]
        sheet.append(row)
    sheet.append([None, "合计", None, None, None, round(total, 2)])
    return to_bytes(workbook)
