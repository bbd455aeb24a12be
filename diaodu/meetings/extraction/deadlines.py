"""Deadlines as written in meeting texts, and the dates they stand for.

Everything is counted from the meeting date, in the meeting's year unless a year is
written (``2023年3月底``, ``明年上半年``). See docs/extraction.md for the table.
Works on normalised text (simplified, half-width digits).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

# 春节 (Spring Festival, the first day of the lunar year), 2015–2035.
SPRING_FESTIVAL = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(text: str) -> int | None:
    """``15``, ``十五``, ``二十一``, ``两``, ``一百`` → int; None if it is not a number."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        h = _DIGITS.get(hundreds) if hundreds else 1
        r = cn_number(rest.lstrip("零〇")) if rest else 0
        if h is None or r is None:
            return None
        return h * 100 + (r * 10 if len(rest) == 1 and rest not in "零〇" else r)
    if "十" in text:
        tens, _, units = text.partition("十")
        t = _DIGITS.get(tens, None) if tens else 1
        u = _DIGITS.get(units, None) if units else 0
        if t is None or u is None:
            return None
        return t * 10 + u
    if len(text) == 1:
        return _DIGITS.get(text)
    # 二〇二三 written digit by digit
    values = [_DIGITS.get(ch) for ch in text]
    if None in values:
        return None
    return int("".join(str(v) for v in values))


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_N = r"[0-9一二三四五六七八九十两百]{1,4}"
_YEAR = (
    r"(?:(?P<year>(?:19|20)\d\d|二〇[一二三四五六七八九〇]{2})年"
    r"|(?P<rel>今年|明年|次年|本年|当年))?"
)

# Most specific first; each pattern is tried everywhere and overlapping matches are
# resolved by taking the earliest, then the longest.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "day",
        re.compile(
            _YEAR
            + rf"(?P<month>{_N})\s?月\s?(?P<day>{_N})\s?(?:[日号]|(?=前|之前|以前))"
            + r"(?:[上下]午|晚上?)?(?:\d{1,2}(?::\d{2})?[时点]?)?(?:下班)?(?P<before>前|之前|以前)?"
        ),
    ),
    # 5.31前, 2024.6.30前
    (
        "dotted",
        re.compile(
            r"(?<![0-9.])(?:(?P<year>20\d\d)\.)?(?P<month>1[0-2]|0?[1-9])\.(?P<day>[0-3]?\d)"
            r"(?:日)?(?:前|之前|以前)"
        ),
    ),
    ("ten", re.compile(_YEAR + rf"(?P<month>{_N})月(?:份)?(?P<ten>上旬|中旬|下旬)(?:前|之前)?")),
    (
        "month_end",
        re.compile(
            _YEAR
            + rf"(?<![0-9一二三四五六七八九十])(?P<month>{_N})月"
            + r"(?:底|末|份|中下旬)(?:前|之前|以前)?"
        ),
    ),
    ("half", re.compile(_YEAR + r"(?P<half>上半年|下半年)(?:前|之前|末|底)?")),
    (
        "quarter",
        re.compile(
            _YEAR
            + r"(?<![一二三四1-4、])(?<!冲刺)(?<!决战)(?<!决胜)(?<!冲刺第)(?<!对第)"
            + r"(?:第)?(?P<quarter>[一二三四1-4])季度(?:末|底|前)?(?!的|项目|工作|目标|任务)"
        ),
    ),
    ("this_month_end", re.compile(r"(?:本月|月)底前|本月底|本月内|月底之前")),
    (
        "year_end",
        re.compile(
            r"(?P<year>(?:19|20)\d\d)年(?:底|内|年底)(?:前|之前)?"
            r"|(?P<rel>明年|次年)(?:底|年底|内)(?:前|之前)?"
            r"|年底前|年底之前|(?<![0-9一二三四五六七八九十两几多])年内|本年度内|今年底"
            r"|年底(?=完成|建成|实现|全面|前|竣工|投用|投产|开工|实质性|顺利|封顶|通车|交付)"
            r"|今年(?=$|(?:内)?(?:要|力争|争取(?=开工|完成|建成|投产|竣工|动工)|确保|务必|全面|完成|开工|动工|建成|实现|投产|投用"
            r"|竣工|开业|通车|封顶))"
        ),
    ),
    (
        "spring_week",
        re.compile(r"(?P<rel>明年)?春节(?:假期)?(?:后|过后)(?:上班)?(?:第一周|一周内)"),
    ),
    ("spring", re.compile(r"(?P<rel>明年)?春节(?:前|之前|以前)")),
    # 元旦, 2019年元旦节前: 1 January.
    ("new_year", re.compile(_YEAR + r"元旦(?:节)?(?:前|之前|以前)?")),
    # 开学前: the school year starts on 1 September.
    ("school", re.compile(r"(?:秋季)?开学(?:前|之前|以前)")),
    (
        "national_day",
        re.compile(r"国庆(?:节)?(?:前|之前|以前)|(?<![0-9一二三四五六七八九十百])十一(?:前|之前)"),
    ),
    (
        "week",
        re.compile(
            r"(?P<which>本|这|下)(?:周|个?星期)"
            r"(?:(?P<weekday>[一二三四五六日天])(?:前|之前|以前)?|内|之内|(?=要|前|务必|必须|完成))"
        ),
    ),
    (
        "within",
        re.compile(
            rf"(?P<n>{_N})\s?(?P<what>个月|个工作日|工作日|天|日|周|个星期|星期)(?:内|之内)"
        ),
    ),
]

# Bare month "6月" followed by an action: 确保6月开工.
_BARE_MONTH = re.compile(
    _YEAR
    + rf"(?<![0-9一二三四五六七八九十])(?P<month>{_N})月"
    + r"(?=(?:前|之前)?(?:全面|实现|完成|建成|开工|动工|投用|投产|开业|竣工|封顶|通车|达到|具备"
    + r"|进驻|入驻|启动|形成))"
)


def is_workday(day: date) -> bool:
    """A working day in China: holidays (节假日) off, make-up days (调休) on.

    ``chinese_calendar`` knows the years the State Council has published; outside them,
    Monday to Friday.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``5个工作日内`` from a meeting)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _next_spring_festival(meeting: date, next_year: bool) -> date | None:
    if next_year:
        return SPRING_FESTIVAL.get(meeting.year + 1)
    upcoming = [d for d in SPRING_FESTIVAL.values() if d >= meeting]
    return min(upcoming) if upcoming else None


def _first_workday_after_holiday(festival: date) -> date:
    """The first working day after the Spring Festival holiday (春节后上班第一天)."""
    day = festival + timedelta(days=1)
    while not is_workday(day) or day.weekday() >= 5:  # a make-up Sunday starts no week
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Deadline:
    start: int
    end: int
    date: date


def _year(match: re.Match, meeting: date) -> int:
    groups = match.groupdict()
    if groups.get("year"):
        y = cn_number(groups["year"][2:]) if groups["year"].startswith("二〇") else None
        return 2000 + y if y is not None else int(groups["year"])
    if groups.get("rel") in ("明年", "次年"):
        return meeting.year + 1
    return meeting.year


def _resolve(kind: str, m: re.Match, meeting: date) -> date | None:
    year = _year(m, meeting)
    try:
        if kind in ("day", "dotted"):
            month, day = cn_number(m["month"]), cn_number(m["day"])
            return date(year, month, day)
        if kind == "ten":
            month = cn_number(m["month"])
            return {"上旬": date(year, month, 10), "中旬": date(year, month, 20)}.get(
                m["ten"], _last_day(year, month)
            )
        if kind in ("month_end", "bare_month"):
            return _last_day(year, cn_number(m["month"]))
        if kind == "half":
            return date(year, 6, 30) if m["half"] == "上半年" else date(year, 12, 31)
        if kind == "quarter":
            q = cn_number(m["quarter"])
            return _last_day(year, q * 3)
        if kind == "this_month_end":
            return _last_day(meeting.year, meeting.month)
        if kind == "year_end":
            return date(year, 12, 31)
        if kind == "new_year":
            if m["year"] or m["rel"]:
                return date(year, 1, 1)
            return date(meeting.year + 1, 1, 1)
        if kind == "school":
            this_year = date(meeting.year, 9, 1)
            return this_year if this_year > meeting else date(meeting.year + 1, 9, 1)
        if kind == "national_day":
            this_year = date(meeting.year, 10, 1)
            return this_year if this_year > meeting else date(meeting.year + 1, 10, 1)
        if kind == "week":
            monday = meeting - timedelta(days=meeting.weekday())
            if m["which"] == "下":
                monday += timedelta(weeks=1)
            weekday = m["weekday"]
            offset = 6 if weekday in (None, "日", "天") else "一二三四五六".index(weekday)
            return monday + timedelta(days=offset)
        if kind == "spring_week":
            festival = _next_spring_festival(meeting, bool(m["rel"]))
            if festival is None:
                return None
            first = _first_workday_after_holiday(festival)
            return first + timedelta(days=6 - first.weekday())
        if kind == "spring":
            if m["rel"]:
                return SPRING_FESTIVAL.get(meeting.year + 1)
            upcoming = [d for d in SPRING_FESTIVAL.values() if d >= meeting]
            return min(upcoming) if upcoming else None
        if kind == "within":
            n, what = cn_number(m["n"]), m["what"]
            if what == "个月":
                return _add_months(meeting, n)
            if what in ("周", "个星期", "星期"):
                return meeting + timedelta(weeks=n)
            if what in ("个工作日", "工作日"):
                return add_working_days(meeting, n)
            return meeting + timedelta(days=n)
    except (TypeError, ValueError):
        return None
    return None


# What makes a date no deadline: 3月15日后 (from then on), 7月25日讯 (a dateline), and a span
# counted from an event rather than the meeting: 签约后1个月内.
_AFTER_DATE = re.compile(r"\s?(?:后|以后|之后|起|讯|电)")
_EVENT_BEFORE_SPAN = re.compile(r"(?:后|起)\s?$")


def _is_deadline(kind: str, m: re.Match, text: str) -> bool:
    if kind in ("day", "month_end", "ten", "bare_month") and not m.group().endswith("前"):
        if _AFTER_DATE.match(text, m.end()):
            return False
    if kind == "within" and _EVENT_BEFORE_SPAN.search(text, 0, m.start()):
        return False
    return True


def find_deadlines(text: str, meeting: date) -> list[Deadline]:
    """Every deadline expression in ``text`` (normalised), left to right, no overlaps."""
    found: list[Deadline] = []
    candidates = [
        (kind, m)
        for kind, pattern in _PATTERNS
        for m in pattern.finditer(text)
        if _is_deadline(kind, m, text)
    ]
    candidates += [
        ("bare_month", m) for m in _BARE_MONTH.finditer(text) if _is_deadline("bare_month", m, text)
    ]
    candidates.sort(key=lambda c: (c[1].start(), -(c[1].end() - c[1].start())))
    taken_until = -1
    for kind, m in candidates:
        if m.start() < taken_until or m.end() == m.start():
            continue
        when = _resolve(kind, m, meeting)
        if when is None:
            continue
        found.append(Deadline(m.start(), m.end(), when))
        taken_until = m.end()
    return found


def parse_deadline(text: str, meeting: date) -> date | None:
    """The date of the first deadline in ``text``, or None (尽快, 如期 ... give none)."""
    found = find_deadlines(text, meeting)
    return found[0].date if found else None
