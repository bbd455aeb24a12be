"""The periods units are assessed over: a month, a quarter or a year.

Written in URLs, commands and the API as 2024-03, 2024Q1 and 2024.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.assessment.choices import PeriodKind

PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
]
# How many periods of each kind the period menus of the ranking and the bulletin offer.
MONTHS_OFFERED, QUARTERS_OFFERED, YEARS_OFFERED = 24, 8, 5


# Years a period may be asked for; the window itself spans one more each side, so that the
# period before the first and after the last can still be named.
FIRST_YEAR, LAST_YEAR = 2001, 2099


@dataclass(frozen=True)
class Window:
    kind: str
    year: int
    number: int = 0

    def __post_init__(self):
        limit = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 0}[self.kind]
        if limit and not 1 <= self.number <= limit:
            raise ValueError(self.number)
        if not 2000 <= self.year <= 2100:
            raise ValueError(self.year)

    @classmethod
    def parse(cls, text: str) -> "Window":
        """2024-03, 2024Q1 or 2024; a ValueError with a message in Chinese otherwise."""
        text = (text or "").strip()
        for pattern, kind in PATTERNS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                number = int(match.group(2)) if kind != PeriodKind.YEAR else 0
                if not FIRST_YEAR <= year <= LAST_YEAR:
                    break
                try:
                    return cls(kind, year, number)
                except ValueError:
                    break
        raise ValueError(
            _(
                "“%(text)s” is not a period: write a month as 2024-03, a quarter as 2024Q1, "
                "a year as 2024."
            )
            % {"text": text}
        )

    @classmethod
    def month_of(cls, day: date) -> "Window":
        return cls(PeriodKind.MONTH, day.year, day.month)

    @classmethod
    def of(cls, kind: str, day: date) -> "Window":
        """The month, quarter or year a day is in."""
        number = {PeriodKind.MONTH: day.month, PeriodKind.QUARTER: (day.month - 1) // 3 + 1}
        return cls(kind, day.year, number.get(kind, 0))

    @classmethod
    def default(cls, today: date | None = None) -> "Window":
        """Last month: the month a scheduling meeting ranks, and every period menu's default."""
        return cls.month_of(today or timezone.localdate()).previous()

    @classmethod
    def recent(cls, kind: str, count: int, today: date | None = None) -> list["Window"]:
        """The `count` periods of a kind up to the one under way, latest first."""
        periods = [cls.of(kind, today or timezone.localdate())]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods

    @property
    def first_month(self) -> int:
        if self.kind == PeriodKind.MONTH:
            return self.number
        if self.kind == PeriodKind.QUARTER:
            return self.number * 3 - 2
        return 1

    @property
    def last_month(self) -> int:
        if self.kind == PeriodKind.MONTH:
            return self.number
        if self.kind == PeriodKind.QUARTER:
            return self.number * 3
        return 12

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def scheme_month(self) -> date:
        """The month whose scheme scores the period: its last month."""
        return date(self.year, self.last_month, 1)

    def previous(self) -> "Window":
        if self.kind == PeriodKind.YEAR:
            return Window(self.kind, self.year - 1)
        if self.number == 1:
            last = 12 if self.kind == PeriodKind.MONTH else 4
            return Window(self.kind, self.year - 1, last)
        return Window(self.kind, self.year, self.number - 1)

    def next(self) -> "Window":
        if self.kind == PeriodKind.YEAR:
            return Window(self.kind, self.year + 1)
        last = 12 if self.kind == PeriodKind.MONTH else 4
        if self.number == last:
            return Window(self.kind, self.year + 1, 1)
        return Window(self.kind, self.year, self.number + 1)

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.number}
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d") % {"year": self.year, "quarter": self.number}
        return _("Year %(year)d") % {"year": self.year}

    def __str__(self):
        return self.code


def period_options(kind: str, today: date | None = None) -> list[Window]:
    """The periods offered in a period menu, latest first, none in the future."""
    count = {PeriodKind.QUARTER: QUARTERS_OFFERED, PeriodKind.YEAR: YEARS_OFFERED}
    return Window.recent(kind, count.get(kind, MONTHS_OFFERED), today)
