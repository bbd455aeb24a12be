"""What a user may type, at most: how long each kind of text may be, and the years a date may
fall in. Models, forms and serializers take their limits from here, so that a page, the API,
an import and the administration refuse the same input with the same message.

Text lengths are in characters (a Chinese character counts one), chosen by what the text is:

| kind      | limit  | fields                                                              |
|-----------|--------|---------------------------------------------------------------------|
| NOTE      |  2,000 | a follow-up, a task's feedback, a reason (return, change), a note   |
| TEXT      |  5,000 | a description: a problem, a task, findings on site, a report's      |
|           |        | progress, next steps and problems, a project's scope, a year's      |
|           |        | targets, a programme                                                |
| MINUTES   | 50,000 | a meeting's minutes and decisions, and the sentence a task came from |
| GENERATED | 10,000 | what Diaodu writes itself: a notice, an error, a job's outcome      |
| CODE      |     20 | a code typed in a request: a period (2024-03, 2024Q1, 2024)         |

Dates a user sets (deadlines, plans, milestones, periods, visits, meetings) and the years of
plans and programmes fall in FIRST_YEAR..LAST_YEAR (`validate_year`): a year 1 or 9999 is a
typing mistake, and dates that far out overflow the arithmetic of deadlines and calendars.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

NOTE = 2_000
TEXT = 5_000
MINUTES = 50_000
GENERATED = 10_000
CODE = 20

FIRST_YEAR = 2000
LAST_YEAR = 2100
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)


@deconstructible
class MaxChars(MaxLengthValidator):
    """At most `limit_value` characters, said in words a user reads ("不能超过 5000 个字，现有
    200000 个字"), naming the field when given its `label`.

    On a model's text field it makes `full_clean()` check the length too (Django checks a
    TextField's max_length only in forms; DRF's ModelSerializer puts its own check in place of
    this one). Forms give it their field's label (`core.forms.style`).
    """

    def __init__(self, limit_value: int, label: Any = None):
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value: Any) -> None:
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            params = {"limit_value": self.limit_value, "show_value": length, "label": self.label}
            message = (
                _("%(label)s: at most %(limit_value)d characters, this has %(show_value)d.")
                if self.label
                else _("At most %(limit_value)d characters, this has %(show_value)d.")
            )
            raise ValidationError(message, code=self.code, params=params)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MaxChars)
            and self.limit_value == other.limit_value
            and self.label == other.label
        )

    def __hash__(self) -> int:
        return hash((self.limit_value, str(self.label)))


def year_message(year: int) -> str:
    return _("Give a date between the years %(first)d and %(last)d (this one is in %(year)d).") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
        "year": year,
    }


def validate_year(value: date | int | None) -> None:
    """A date, a date and time, or a year (a plan's, a programme's) between FIRST_YEAR and
    LAST_YEAR; else ValidationError naming the years allowed."""
    if value is None:
        return
    year = value if isinstance(value, int) else value.year
    if year not in YEARS:
        raise ValidationError(year_message(year), code="year")


def year_or_none(value: str | None) -> int | None:
    """A query's ?year= as a year of YEARS, or None when it is none, not a number or too far."""
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if year in YEARS else None
