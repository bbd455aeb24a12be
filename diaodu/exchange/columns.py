"""The columns of a project ledger as units write them, and how each cell is read.

Units name their columns in many ways (建设单位 or 业主单位, 总投资（亿元） or 总投资（万元）); a
header is matched to a field through a table of aliases after its unit is taken off. Every
parser returns the value in Diaodu's terms or raises CellError with a message in Chinese.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import override

from diaodu.core.limits import YEARS
from diaodu.projects.choices import Category, Stage

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")
# Separators of names in one cell: 、 , ， ; ； / and line breaks.
LIST_SEPARATORS = re.compile(r"[、,，;；/\n\r]+")
_PARENTHESES = str.maketrans("（）【】［］", "()[][]")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template
    aliases: tuple[str, ...] = ()
    example: object = ""
    width: int = 14
    required: bool = False


COLUMNS = [
    Column("name", "项目名称", ("项目名", "project name"), "城北污水处理厂扩建工程", 36, True),
    Column(
        "national_code",
        "项目代码",
        ("统一项目代码", "项目统一代码", "项目编码", "备案代码", "审批代码", "project code"),
        "2111-522323-04-01-342068",
        26,
    ),
    Column(
        "region",
        "所在县区",
        ("所在地", "所在区县", "县区", "区县", "所属区县", "项目所在地", "建设地点", "region"),
        "解放区",
        12,
    ),
    Column("programs", "重点项目计划", ("所属计划", "项目计划", "计划类别", "programmes"), "", 20),
    Column(
        "category",
        "项目类别",
        ("行业", "行业类别", "所属行业", "项目类型", "项目分类", "category"),
        "生态环保",
        12,
    ),
    Column("stage", "项目阶段", ("建设性质", "项目状态", "项目性质", "stage"), "续建", 10),
    Column(
        "period",
        "建设起止年限",
        ("建设年限", "起止年限", "建设期限", "建设周期", "建设起止年份", "construction period"),
        "2025.03-2027.12",
        16,
    ),
    Column(
        "total_investment",
        "总投资（万元）",
        ("总投资", "计划总投资", "项目总投资", "估算总投资", "total investment"),
        52000,
        14,
    ),
    Column(
        "annual_planned",
        "年度计划投资（万元）",
        (
            "年度计划投资",
            "年度计划",
            "本年计划投资",
            "年度投资计划",
            "年计划投资",
            "计划投资",
            "annual plan",
        ),
        18000,
        14,
    ),
    Column(
        "owner",
        "建设单位",
        ("业主单位", "项目单位", "项目业主", "建设主体", "owner"),
        "市投资集团",
        22,
    ),
    Column(
        "lead_unit",
        "牵头单位",
        ("牵头部门", "市级牵头单位", "主管部门", "lead unit"),
        "市生态环境局",
        18,
    ),
    Column(
        "responsible_units",
        "责任单位",
        ("配合单位", "责任部门", "协办单位", "responsible units"),
        "市自然资源局、市住房城乡建设局",
        24,
    ),
    Column(
        "leaders",
        "分包领导",
        (
            "包抓领导",
            "市级包抓领导",
            "包联领导",
            "联系领导",
            "市级领导",
            "分管领导",
            "leaders in charge",
        ),
        "王建国",
        14,
    ),
    Column(
        "scope",
        "建设内容及规模",
        (
            "建设规模及内容",
            "主要建设内容",
            "建设内容",
            "建设规模",
            "主要建设内容及规模",
            "construction scope",
        ),
        "新建日处理能力5万吨污水处理厂一座及配套管网12公里",
        48,
    ),
]
BY_KEY = {column.key: column for column in COLUMNS}
# Headers whose figures are derived by Diaodu: recognised, and left alone on import.
DERIVED_HEADERS = (
    "序号",
    "预警",
    "年度累计完成",
    "本年完成投资",
    "累计完成投资",
    "完成率",
    "warning",
    "year to date",
    "completion rate",
    "no.",
)
TOTAL_ROW = re.compile(r"^\s*(合计|总计|小计|total)", re.IGNORECASE)
SECTION_ROW = re.compile(r"^\s*([一二三四五六七八九十]+|\d+)[、.．]|（\d+个）$|\(\d+个\)$")
PLAN_YEAR = re.compile(r"^(\d{4})年度?(计划投资|投资计划|计划)|^annualplan(\d{4})$")


def normalise_header(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).translate(_PARENTHESES).lower()


@dataclass
class Header:
    """A matched header: the field it fills, and what to multiply amounts by to get 万元."""

    key: str
    text: str
    factor: Decimal = Decimal(1)
    year: int | None = None


def _aliases():
    table = {}
    for column in COLUMNS:
        for alias in (column.header, *column.aliases):
            base = re.sub(r"\(.*?\)", "", normalise_header(alias))
            table[base] = column.key
    return table


ALIASES = _aliases()


def match_header(text) -> Header | None:
    """The field a header names, or None; "derived" for a known column Diaodu computes."""
    raw = normalise_header(text)
    if not raw:
        return None
    factor = Decimal(1)
    units = re.findall(r"\((.*?)\)", raw)
    if any("亿元" in unit for unit in units) or raw.endswith("亿元"):
        factor = TEN_THOUSAND
    base = re.sub(r"\(.*?\)", "", raw).removesuffix("亿元").removesuffix("万元")
    year_match = PLAN_YEAR.match(base)
    if year_match:
        year = int(year_match.group(1) or year_match.group(3))
        return Header("annual_planned", str(text).strip(), factor, year)
    key = ALIASES.get(base)
    if key is not None:
        return Header(key, str(text).strip(), factor)
    if any(base.startswith(normalise_header(derived)) for derived in DERIVED_HEADERS):
        return Header("derived", str(text).strip())
    return None


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def money(value, factor=Decimal(1)) -> Decimal | None:
    """An amount in 万元; "1.2亿元" and "3,000万元" in a cell are understood too."""
    if is_blank(value):
        return None
    cell_factor = factor
    if isinstance(value, str):
        raw = value.strip().replace(",", "").replace("，", "")
        if raw.endswith("亿元") or raw.endswith("亿"):
            cell_factor, raw = TEN_THOUSAND, raw.removesuffix("元").removesuffix("亿")
        elif raw.endswith("万元") or raw.endswith("万"):
            cell_factor, raw = Decimal(1), raw.removesuffix("元").removesuffix("万")
        value = raw
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    try:
        amount = Decimal(str(value)) * cell_factor
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not amount.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if amount < 0:
        raise CellError(_("An amount cannot be negative."))
    if amount >= Decimal("1e12"):
        raise CellError(_("The amount %(value)s is too large.") % {"value": value})
    return amount.quantize(CENT)


_YEAR_MONTH = r"(\d{4})(?:\s*(?:[.．/\-年])\s*(\d{1,2})\s*月?)?"
PERIOD = re.compile(
    rf"^{_YEAR_MONTH}(?:\s*(?:年)?\s*(?:-|－|—|–|~|～|至|到)+\s*{_YEAR_MONTH})?\s*年?$"
)


@dataclass(frozen=True)
class Period:
    """建设起止年限: start and end, each known to the year or to the month."""

    start: date
    end: date
    start_month_known: bool
    end_month_known: bool

    def agrees_with(self, start: date | None, end: date | None) -> bool:
        """Whether existing dates say the same at the precision the ledger gives."""

        def same(existing, given, month_known):
            if existing is None:
                return False
            if month_known:
                return (existing.year, existing.month) == (given.year, given.month)
            return existing.year == given.year

        return same(start, self.start, self.start_month_known) and same(
            end, self.end, self.end_month_known
        )


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def period(value) -> Period | None:
    """Read 2023-2025, 2023.03-2025.12, 2023年3月至2025年12月, or a single year 2024."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    if isinstance(value, datetime | date):
        raise CellError(
            _("Write the construction period as years, such as 2023-2025 or 2023.03-2025.12.")
        )
    raw = str(value).strip().replace("年度", "年")
    match = PERIOD.match(raw)
    if not match:
        raise CellError(
            _("“%(value)s” is not a construction period; write it as 2023-2025 or 2023.03-2025.12.")
            % {"value": value}
        )
    start_year, start_month, end_year, end_month = match.groups()
    end_year = end_year or start_year
    if end_month is None and match.group(3) is None:
        end_month = start_month
    try:
        start = date(int(start_year), int(start_month or 1), 1)
        end = _month_end(int(end_year), int(end_month or 12))
    except ValueError:
        raise CellError(_("“%(value)s” has an impossible month.") % {"value": value}) from None
    if start.year not in YEARS or end.year not in YEARS:
        raise CellError(_("“%(value)s” has an impossible year.") % {"value": value})
    if end < start:
        raise CellError(_("The construction period ends before it starts."))
    return Period(start, end, start_month is not None, end_month is not None)


def format_period(start: date | None, end: date | None) -> str:
    """The reverse of `period`, to the month, as exported."""
    if start is None or end is None:
        return ""
    return f"{start.year}.{start.month:02d}-{end.year}.{end.month:02d}"


def _choice_table(choices, extra: dict[str, str]) -> dict[str, str]:
    table = {}
    for language in ("zh-hans", "en"):
        with override(language):
            for value, label in choices:
                table[normalise_header(label)] = value
    for value, _label in choices:
        table[normalise_header(value)] = value
    table.update({normalise_header(k): v for k, v in extra.items()})
    return table


STAGE_ALIASES = {
    "新建": Stage.NEW, "新开工": Stage.NEW, "拟新开工": Stage.NEW, "计划新开工": Stage.NEW,
    "续建": Stage.CONTINUING, "在建": Stage.CONTINUING,
    "前期": Stage.PREPARATION, "前期工作": Stage.PREPARATION, "预备": Stage.PREPARATION,
    "预备项目": Stage.PREPARATION, "储备": Stage.RESERVE, "谋划": Stage.RESERVE,
    "储备项目": Stage.RESERVE, "竣工": Stage.COMPLETED, "已竣工": Stage.COMPLETED,
    "完工": Stage.COMPLETED, "建成": Stage.COMPLETED, "投产": Stage.OPERATING,
    "建成投产": Stage.OPERATING, "运营": Stage.OPERATING, "取消": Stage.CANCELLED,
    "终止": Stage.CANCELLED, "调出": Stage.CANCELLED,
}  # fmt: skip
CATEGORY_ALIASES = {
    "工业": Category.INDUSTRY, "产业": Category.INDUSTRY, "工业项目": Category.INDUSTRY,
    "制造业": Category.INDUSTRY, "基础设施": Category.INFRASTRUCTURE,
    "城建": Category.INFRASTRUCTURE, "市政": Category.INFRASTRUCTURE,
    "交通": Category.TRANSPORT, "交通运输": Category.TRANSPORT, "水利": Category.WATER,
    "能源": Category.ENERGY, "社会民生": Category.LIVELIHOOD, "民生": Category.LIVELIHOOD,
    "社会事业": Category.LIVELIHOOD, "教育": Category.EDUCATION, "卫生": Category.HEALTH,
    "医疗卫生": Category.HEALTH, "城市更新": Category.URBAN_RENEWAL,
    "生态": Category.ECOLOGY, "环保": Category.ECOLOGY, "生态环境": Category.ECOLOGY,
    "文旅": Category.TOURISM, "文化旅游": Category.TOURISM, "农业": Category.AGRICULTURE,
    "农林水": Category.AGRICULTURE, "服务业": Category.SERVICES,
    "现代服务业": Category.SERVICES,
}  # fmt: skip


@dataclass
class ChoiceReader:
    choices: object
    extra: dict
    table: dict = field(default_factory=dict)

    def __call__(self, value):
        if is_blank(value):
            return None
        if not self.table:
            self.table = _choice_table(self.choices.choices, self.extra)
        found = self.table.get(normalise_header(value))
        if found is None:
            with override("zh-hans"):
                allowed = "、".join(str(label) for _v, label in self.choices.choices)
            raise CellError(
                _("“%(value)s” is not known; use one of %(allowed)s.")
                % {"value": value, "allowed": allowed}
            )
        return found


stage = ChoiceReader(Stage, STAGE_ALIASES)
category = ChoiceReader(Category, CATEGORY_ALIASES)


def names(value) -> list[str]:
    """The names in a cell, in order, without repeats."""
    if is_blank(value):
        return []
    seen = []
    for name in LIST_SEPARATORS.split(str(value)):
        name = name.strip()
        if name and name not in seen:
            seen.append(name)
    return seen
