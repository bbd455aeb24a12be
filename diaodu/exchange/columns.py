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
from diaodu.projects.models import TAG_LENGTH

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
    Column(
        "name",
        "项目名称",
        ("项目名", "工程名称", "项目（工程）名称", "project name"),
        "城北污水处理厂扩建工程",
        36,
        True,
    ),
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
        (
            "所在地",
            "所在区县",
            "县区",
            "区县",
            "所属区县",
            "隶属区县",
            "所在市县",
            "所属县区",
            "项目所在地",
            "建设地点",
            "项目地点",
            "项目建设地点",
            "region",
        ),
        "解放区",
        12,
    ),
    Column("programs", "重点项目计划", ("所属计划", "项目计划", "计划类别", "programmes"), "", 20),
    Column(
        "category",
        "项目类别",
        (
            "行业",
            "行业类别",
            "所属行业",
            "项目类型",
            "项目分类",
            "产业类别",
            "行业分类",
            "领域",
            "所属领域",
            "category",
        ),
        "生态环保",
        12,
    ),
    Column("stage", "项目阶段", ("建设性质", "项目状态", "项目性质", "stage"), "续建", 10),
    Column(
        "period",
        "建设起止年限",
        (
            "建设年限",
            "起止年限",
            "建设期限",
            "建设周期",
            "建设起止年份",
            "计划工期",
            "建设工期",
            "起止年月",
            "construction period",
        ),
        "2025.03-2027.12",
        16,
    ),
    Column(
        "total_investment",
        "总投资（万元）",
        (
            "总投资",
            "计划总投资",
            "项目总投资",
            "估算总投资",
            "总投资额",
            "项目总投资额",
            "total investment",
        ),
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
            "年度投资",
            "本年度计划投资",
            "本年度投资计划",
            "计划完成投资",
            "年度计划完成投资",
            "annual plan",
        ),
        18000,
        14,
    ),
    Column(
        "owner",
        "建设单位",
        (
            "业主单位",
            "项目单位",
            "项目业主",
            "建设主体",
            "项目法人",
            "项目法人单位",
            "项目(法人)单位",
            "实施单位",
            "项目实施单位",
            "owner",
        ),
        "市投资集团",
        22,
    ),
    Column(
        "lead_unit",
        "牵头单位",
        (
            "牵头部门",
            "市级牵头单位",
            "主管部门",
            "主管单位",
            "行业主管部门",
            "监管单位",
            "lead unit",
        ),
        "市生态环境局",
        18,
    ),
    Column(
        "responsible_units",
        "责任单位",
        ("配合单位", "责任部门", "协办单位", "责任主体", "responsible units"),
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
            "挂钩领导",
            "联系市领导",
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
            "建设规模及主要内容",
            "项目简介",
            "项目概况",
            "construction scope",
        ),
        "新建日处理能力5万吨污水处理厂一座及配套管网12公里",
        48,
    ),
    Column(
        "targets",
        "年度建设目标",
        (
            "年度目标",
            "年度目标任务",
            "年主要建设任务",
            "年度主要建设内容",
            "年度建设内容",
            "工程形象进度",
            "计划形象进度",
            "形象进度目标",
            "前期工作或工程形象进度目标",
            "annual targets",
        ),
        "完成主体结构封顶",
        36,
    ),
]
# Columns read when a file has them, not in the template: a project's own start and end (in
# place of 建设起止年限), and its coordinates.
EXTRA_COLUMNS = [
    Column(
        "planned_start",
        "计划开工时间",
        ("计划开工", "开工时间", "开工年份", "开工年月", "拟开工时间", "计划开工年月", "开工日期"),
    ),
    Column(
        "planned_completion",
        "计划竣工时间",
        (
            "计划竣工",
            "竣工时间",
            "竣工年份",
            "竣工年月",
            "拟建成时间",
            "计划建成时间",
            "拟竣工时间",
            "计划完工时间",
            "完工时间",
            "建成时间",
            "竣工日期",
        ),
    ),
    Column("longitude", "经度", ("东经", "longitude")),
    Column("latitude", "纬度", ("北纬", "latitude")),
]
BY_KEY = {column.key: column for column in COLUMNS + EXTRA_COLUMNS}
# Headers whose figures are derived by Diaodu, or that a ledger carries for its own use:
# recognised, and left alone on import (a header containing one of these).
DERIVED_HEADERS = (
    "序号",
    "编号",
    "预警",
    "累计完成",
    "完成投资",
    "完成率",
    "warning",
    "year to date",
    "completion rate",
    "no.",
)
TOTAL_ROW = re.compile(
    r"^\s*(合计|总计|小计|共计|全市合计|全省合计|其中[:：]?|total)"
    r"|(合计|总计|小计|共计)\s*([（(][^）)]*[)）])?\s*$",  # 解放区小计, 全市总计, 高新区合计（1个）
    re.IGNORECASE,
)
# Category rows, by depth: 一、 (1), （一） (2), —— or A、 (3); a numbered 1. (4) only where the
# row names no unit, date or code of its own.
CATEGORY_MARKS = (
    (
        1,
        re.compile(
            r"^\s*(?:第[一二三四五六七八九十]+(?:部分|类|篇)|[一二三四五六七八九十]+[、.．])"
        ),
    ),
    (2, re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")),
    (3, re.compile(r"^\s*(?:[—－―─]{1,2}|[-]{2})(?=[^—－―─\-\s])|^\s*[A-Z][、.．]")),
)
NUMBERED = (4, re.compile(r"^\s*\d+\s*[、.．](?!\d)"))
# A count after a category's name: （12个）, (12个项目), 共12个 — in brackets or after 共, so
# that a project such as 新建5G基站200个 is not taken for one.
COUNT = re.compile(r"(?:[（(]\s*(?:共)?\d+\s*个(?:项目)?\s*[)）]|共\d+\s*个(?:项目)?)\s*$")
# A category's number alone in the 序号 column: 一, （一）, 一、 (1 is a project's).
CHINESE_NUMBER = re.compile(r"^\s*[（(]?[一二三四五六七八九十]+[)）、.．]?\s*$")
PLACEHOLDERS = {
    "待定",
    "未定",
    "待明确",
    "无",
    "暂无",
    "空",
    "—",
    "——",
    "-",
    "--",
    "/",
    "／",
    "－",
    "\\",
}
YEAR_PREFIX = re.compile(r"^(?:截至|截止|至)?((?:19|20)\d{2})年度?")
PLAN_YEAR = re.compile(r"^annualplan(\d{4})$")
# Under a parent header such as 2024年计划投资, the child that is the whole year's figure.
WHOLE_YEAR = {
    "计划总投资",
    "全年",
    "全年计划",
    "年度计划",
    "计划投资",
    "合计",
    "小计",
    "总计",
    "投资",
}


def normalise_header(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).translate(_PARENTHESES).lower()


@dataclass
class Header:
    """A matched header: the field it fills, and what to multiply amounts by to get 万元.

    `unit_given` says whether the header named its unit (万元, 亿元); a header that does not
    takes the unit a note above the table gives (单位：亿元), or 万元."""

    key: str
    text: str
    factor: Decimal = Decimal(1)
    year: int | None = None
    unit_given: bool = False


def _aliases():
    table = {}
    for column in COLUMNS + EXTRA_COLUMNS:
        for alias in (column.header, *column.aliases):
            base = re.sub(r"\(.*?\)", "", normalise_header(alias))
            table[base] = column.key
    return table


ALIASES = _aliases()


def unit_factor(text: str) -> Decimal | None:
    """万元 (1) or 亿元 (10000) where a text names the unit of amounts, else None."""
    if "亿元" in text:
        return TEN_THOUSAND
    if "万元" in text:
        return Decimal(1)
    return None


def match_header(text) -> Header | None:
    """The field a header names, or None; "derived" for a known column Diaodu computes.

    A leading year (2024年计划投资, 2022年前期工作或工程形象进度目标) is taken off and kept
    as the header's year."""
    raw = normalise_header(text)
    if not raw:
        return None
    units = "".join(re.findall(r"\((.*?)\)", raw))
    factor = unit_factor(units) or (unit_factor(raw[-2:]) if raw.endswith("元") else None)
    base = re.sub(r"\(.*?\)", "", raw).removesuffix("亿元").removesuffix("万元")
    shown = str(text).strip()
    header = Header("", shown, factor or Decimal(1), None, factor is not None)
    english_year = PLAN_YEAR.match(base)
    if english_year:
        header.key, header.year = "annual_planned", int(english_year.group(1))
        return header
    key = ALIASES.get(base)
    year_match = YEAR_PREFIX.match(base)
    if key is None and year_match:
        rest = base[year_match.end() :]
        key = ALIASES.get(rest)
        if key in ("annual_planned", "targets"):
            header.year = int(year_match.group(1))
        elif key is not None:
            key = None  # 2023年底累计完成投资 and the like: a figure of its own
    if key is not None:
        header.key = key
        return header
    if any(normalise_header(derived) in base for derived in DERIVED_HEADERS):
        header.key = "derived"
        return header
    return None


def combine_headers(parent, child) -> Header | None:
    """The header of a column under a two-row header: the parent (merged over several
    columns, such as 2024年计划投资 or 项目资金来源) and the child below it."""
    parent_header = match_header(parent)
    if is_blank(child):
        return parent_header
    child_header = match_header(child)
    shown = f"{str(parent).strip()} / {str(child).strip()}" if not is_blank(parent) else None
    if parent_header is not None and parent_header.key == "total_investment":
        if normalise_header(child) in WHOLE_YEAR or (
            child_header is not None and child_header.key == "total_investment"
        ):
            factor_given = child_header is not None and child_header.unit_given
            return Header(
                "total_investment",
                shown or str(child).strip(),
                child_header.factor if factor_given else parent_header.factor,
                None,
                factor_given or parent_header.unit_given,
            )
        return None  # 其中：中央资金 and the like: a part of the whole
    if parent_header is not None and parent_header.key == "annual_planned":
        if normalise_header(child) in WHOLE_YEAR or (
            child_header is not None and child_header.key in ("annual_planned", "total_investment")
        ):
            factor_given = child_header is not None and child_header.unit_given
            return Header(
                "annual_planned",
                shown or str(child).strip(),
                child_header.factor if factor_given else parent_header.factor,
                parent_header.year or (child_header.year if child_header else None),
                factor_given or parent_header.unit_given,
            )
        return None  # 1-6月 and the like: a part of the year
    if child_header is None:
        return None
    if shown:
        child_header.text = shown
    if parent_header is not None and not child_header.unit_given and parent_header.unit_given:
        child_header.factor, child_header.unit_given = parent_header.factor, True
    return child_header


def category_mark(label: str) -> int | None:
    """The depth of a category row's label (一、 1, （一） 2, —— 3), or None."""
    for depth, pattern in CATEGORY_MARKS:
        if pattern.match(label):
            return depth
    return None


def category_text(label: str) -> str:
    """A category row's name without its mark and its count: （一）交通（12个） -> 交通."""
    text = label.strip()
    for _depth, pattern in (*CATEGORY_MARKS, NUMBERED):
        text = pattern.sub("", text, count=1)
    text = COUNT.sub("", text).strip(" ：:")
    return text


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_placeholder(value) -> bool:
    """待定, 无, —, / and the like: written where nothing is known yet, read as blank."""
    return isinstance(value, str) and value.strip() in PLACEHOLDERS


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


# A year (2023, or 23 when a month follows: 09.3-11.12) and perhaps a month.
_YEAR_MONTH = r"(\d{4}|\d{2}(?=\s*[.．/\-年]\s*\d))(?:\s*(?:[.．/\-年])\s*(\d{1,2})\s*月?)?"
PERIOD = re.compile(
    rf"^{_YEAR_MONTH}(?:\s*(?:年)?\s*(?:-|－|—|–|~|～|至|到)+\s*{_YEAR_MONTH})?\s*年?$"
)
DURATION = re.compile(r"^\d+(?:\.\d+)?\s*(?:个月|月|年|天|日)$")


class CellWarning(ValueError):
    """A cell whose value is understood but not used; the message says why, in Chinese."""


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


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
        value = str(int(value)) if float(value).is_integer() else year_month_number(value)
    if isinstance(value, datetime | date):
        raise CellError(
            _("Write the construction period as years, such as 2023-2025 or 2023.03-2025.12.")
        )
    raw = str(value).strip().replace("年度", "年")
    if DURATION.match(raw):
        raise CellWarning(
            _("“%(value)s” is a duration, not the years of construction; it is left aside.")
            % {"value": value}
        )
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
        start = date(_full_year(start_year), int(start_month or 1), 1)
        end = _month_end(_full_year(end_year), int(end_month or 12))
    except ValueError:
        raise CellError(_("“%(value)s” has an impossible month.") % {"value": value}) from None
    if start.year not in YEARS or end.year not in YEARS:
        raise CellError(_("“%(value)s” has an impossible year.") % {"value": value})
    if end < start:
        raise CellError(_("The construction period ends before it starts."))
    return Period(start, end, start_month is not None, end_month is not None)


EXCEL_EPOCH = date(1899, 12, 30)
DAY = re.compile(
    r"^((?:19|20)\d{2})\s*(?:[.．/\-年]\s*(\d{1,2})\s*(?:月)?\s*(?:[.．/\-]?\s*(\d{1,2})\s*日?)?)?\s*(?:年)?(底|末|初)?$"
)


def year_month_number(value: float) -> str:
    """2024.3 (March) or 2024.11 as Excel keeps them when typed as numbers: 2024.03, 2024.11.
    One decimal is a month of one digit (2024.1: January)."""
    whole, _dot, decimals = repr(float(value)).partition(".")
    return f"{whole}.{int(decimals[:2]):02d}" if decimals else whole


def day(value, *, end: bool) -> tuple[date, bool] | None:
    """A start or end date (计划开工, 计划竣工) and whether its month is known: a date cell,
    an Excel date serial, 2024, 2024.3, 2024年3月, 2024-03-15, 2024年底. A year alone means
    its first month for a start and its last for an end."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and float(value).is_integer():
            value = str(int(value))
        elif 1900 < value < 2100:
            value = year_month_number(value)  # 2024.3 or 2024.03 typed as a number
        elif 20000 <= value <= 80000:
            return EXCEL_EPOCH + timedelta(days=int(value)), True
        else:
            raise CellError(_("“%(value)s” is not a date.") % {"value": value})
    match = DAY.match(str(value).strip())
    if not match:
        raise CellError(
            _("“%(value)s” is not a date; write it as 2024.03 or 2024-03-15.") % {"value": value}
        )
    year, month, day_of_month, edge = match.groups()
    year = int(year)
    if edge in ("底", "末"):
        month = month or "12"
    try:
        if month is None:
            found = date(year, 12, 31) if end else date(year, 1, 1)
        elif day_of_month is None:
            found = _month_end(year, int(month)) if end else date(year, int(month), 1)
        else:
            found = date(year, int(month), int(day_of_month))
    except ValueError:
        raise CellError(
            _("“%(value)s” has an impossible month or day.") % {"value": value}
        ) from None
    if found.year not in YEARS:
        raise CellError(_("“%(value)s” has an impossible year.") % {"value": value})
    return found, month is not None


def coordinate(value, *, limit: int) -> Decimal | None:
    """A longitude (limit 180) or latitude (limit 90) in decimal degrees."""
    if is_blank(value):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("°"))
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite() or abs(number) > limit:
        raise CellError(_("“%(value)s” is not a coordinate.") % {"value": value})
    return number.quantize(Decimal("0.000001"))


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
    "铁路": Category.TRANSPORT, "公路": Category.TRANSPORT, "高速公路": Category.TRANSPORT,
    "机场": Category.TRANSPORT, "港口": Category.TRANSPORT, "航道": Category.TRANSPORT,
    "水运": Category.TRANSPORT, "综合交通": Category.TRANSPORT, "轨道交通": Category.TRANSPORT,
    "水利设施": Category.WATER, "电力": Category.ENERGY, "电网": Category.ENERGY,
    "新能源": Category.ENERGY, "城镇建设": Category.INFRASTRUCTURE,
    "新型城镇化": Category.INFRASTRUCTURE, "新型基础设施": Category.INFRASTRUCTURE,
    "产业发展": Category.INDUSTRY, "先进制造业": Category.INDUSTRY,
    "民生保障": Category.LIVELIHOOD, "社会民生事业": Category.LIVELIHOOD,
    "医疗": Category.HEALTH, "文化": Category.TOURISM, "旅游": Category.TOURISM,
    "乡村振兴": Category.AGRICULTURE, "农业农村": Category.AGRICULTURE,
    "商贸物流": Category.SERVICES, "物流": Category.SERVICES, "生态环保": Category.ECOLOGY,
    "棚户区改造": Category.URBAN_RENEWAL, "老旧小区改造": Category.URBAN_RENEWAL,
}  # fmt: skip
# 建设性质 values that say how a project is built, not its stage: read, and left aside.
HOW_BUILT = {"扩建", "改建", "改扩建", "技改", "技术改造", "迁建", "新建扩建"}


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
        if found is None and self.choices is Stage and normalise_header(value) in HOW_BUILT:
            raise CellWarning(
                _("“%(value)s” says how the project is built, not its stage; it is left aside.")
                % {"value": value}
            )
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


def section_meaning(label: str) -> tuple[str, str] | None:
    """What a category row or a sheet's name says of its projects: ("stage", value) for
    续建项目 or 新开工, ("category", value) for （一）交通 or 基础设施类, else None. An exact
    name first, then the first known name the label contains (交通基础设施 is transport)."""
    text = category_text(label).removesuffix("项目").removesuffix("类").strip()
    if not text:
        return None
    for key, reader in (("stage", stage), ("category", category)):
        try:
            return key, reader(text)
        except (CellError, CellWarning):
            continue
    best = None
    for key, table in (("stage", STAGE_ALIASES), ("category", CATEGORY_ALIASES)):
        for alias, value in table.items():
            position = text.find(alias)
            if position >= 0 and (best is None or (position, -len(alias)) < best[0]):
                best = (position, -len(alias)), (key, str(value))
    return best[1] if best else None


# A count of projects after a name that COUNT leaves (it reads 个 only, to tell category rows
# apart): （5项）.
TAG_COUNT = re.compile(r"[（(]\s*(?:共)?\d+\s*(?:个|项)(?:项目)?\s*[)）]\s*$")
# Sheet names that say nothing of their projects: Sheet1, 工作表1, 台账, 项目表, 明细, a year.
GENERIC_SHEET = re.compile(
    r"(?:sheet|工作表|表)\d*|csv|台账|项目表?|明细表?|清单|一览表|(?:(?:19|20)\d{2}年?度?)?",
    re.IGNORECASE,
)


def section_tag(label: str) -> str:
    """The tag a category row (or a sheet's name) gives when it names no known category or
    stage: its name without numbering or count (一、数字经济（5个） -> 数字经济), or "" when
    nothing is left or it is too long to be a tag."""
    text = label.strip()
    for _round in range(3):  # nested marks: 一、（一）交通, ——1.铁路
        before = text
        text = category_text(text)
        text = TAG_COUNT.sub("", text).strip(" ：:、.．")
        if text == before:
            break
    text = " ".join(text.split())
    return text if 0 < len(text) <= TAG_LENGTH else ""


def sheet_tag(name: str) -> str:
    """The tag a sheet's name gives its projects (数字经济), "" for a name that says nothing
    of them (Sheet1, 项目表, 2024年)."""
    if GENERIC_SHEET.fullmatch(name.strip()):
        return ""
    return section_tag(name)


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
