"""项目代码: the code a project gets from the national investment project online approval platform.

Two shapes are in use, both 24 characters in five groups of digits:

- since 2020, `YYMM-RRRRRR-DD-TT-NNNNNC`: year and month, administrative division, department,
  type, serial number whose last digit is an ISO 7064 MOD 11,10 check digit over all the
  digits before it (e.g. `2111-522323-04-01-342068`);
- before, `YYYY-RRRRRR-II-TT-NNNNNN`: a four-digit year and no check digit.

A wrong shape is an error; a failed check digit is only a warning, since codes are copied by
hand from paper and the platform is the authority.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHAPE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
# Full-width digits and dashes, as typed with a Chinese input method.
_NORMALISE = str.maketrans("０１２３４５６７８９－—–‐", "0123456789----")


@dataclass
class NationalCodeCheck:
    code: str
    format: str  # "2020" or "legacy"
    warnings: list[str] = field(default_factory=list)


def iso7064_mod11_10(digits: str) -> int:
    """The ISO 7064 MOD 11,10 check digit for a string of digits."""
    product = 10
    for digit in digits:
        total = (product + int(digit)) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def normalise(value: str) -> str:
    return re.sub(r"\s+", "", (value or "").translate(_NORMALISE))


def check_national_code(value: str) -> NationalCodeCheck:
    """Normalise and check a 项目代码; raise ValidationError for a wrong shape."""
    code = normalise(value)
    match = SHAPE.match(code)
    if not match:
        raise ValidationError(
            _(
                "The project code “%(code)s” is malformed: it must be 24 characters in five "
                "groups, such as 2111-522323-04-01-342068 (year and month, division, "
                "department, type, serial number)."
            ),
            code="national_code_shape",
            params={"code": value},
        )
    head = match.group(1)
    year_or_yy, month = int(head[:2]), int(head[2:])
    if year_or_yy >= 20 and 1 <= month <= 12:
        digits = code.replace("-", "")
        expected = iso7064_mod11_10(digits[:-1])
        result = NationalCodeCheck(code=code, format="2020")
        if int(digits[-1]) != expected:
            result.warnings.append(
                _(
                    "The check digit of project code “%(code)s” is %(found)s but should be "
                    "%(expected)s; please compare it with the online approval platform."
                )
                % {"code": code, "found": digits[-1], "expected": expected}
            )
        return result
    if 2000 <= int(head) <= 2020:
        return NationalCodeCheck(code=code, format="legacy")
    raise ValidationError(
        _(
            "The first group “%(head)s” of project code “%(code)s” is neither a year and "
            "month (such as 2111) nor a year (such as 2019)."
        ),
        code="national_code_head",
        params={"code": value, "head": head},
    )


def validate_national_code(value: str) -> None:
    """Model-field validator: errors only (warnings are shown by forms and imports)."""
    if value:
        check_national_code(value)
