"""Columns read the way a person said: a correction made on the dry run (this column is
责任单位) is kept as a ColumnMapping under the sheet's header signature and applied to every
later sheet with the same header, before it is checked."""

from django.utils.translation import gettext as _

from diaodu.exchange.columns import BY_KEY, COLUMNS, EXTRA_COLUMNS
from diaodu.exchange.models import ColumnMapping
from diaodu.exchange.reader import Ledger, Sheet

# The fields a column may be said to fill, in the order of the template.
FIELDS = [column.key for column in COLUMNS + EXTRA_COLUMNS]


def field_choices() -> list[tuple[str, str]]:
    """("", leave aside) and each field with its header as the template writes it."""
    return [("", _("— leave aside —"))] + [(key, BY_KEY[key].header) for key in FIELDS]


def apply_remembered(ledger: Ledger) -> set[str]:
    """Apply the remembered mappings to a file's sheets; the names of the sheets corrected."""
    by_signature: dict[str, list[Sheet]] = {}
    for sheet in ledger.sheets:  # sheets of one file often share their header
        by_signature.setdefault(sheet.signature, []).append(sheet)
    corrected = set()
    for mapping in ColumnMapping.objects.filter(signature__in=by_signature):
        for sheet in by_signature[mapping.signature]:
            apply(sheet, mapping.fields)
            corrected.add(sheet.name)
    return corrected


def apply(sheet: Sheet, fields: dict[str, str]) -> None:
    for index, key in sorted(fields.items(), key=lambda item: int(item[0])):
        if int(index) < len(sheet.header_texts) and (key == "" or key in BY_KEY):
            sheet.map_column(int(index), key)


def check_fields(sheet: Sheet, fields: dict[str, str]) -> dict[str, str]:
    """The corrected fields of a sheet's columns, checked: every column is the sheet's, every
    field known, no field given to two columns, and one column is the project name. Raises
    ValueError with a message in Chinese."""
    width = len(sheet.header_texts)
    clean = {}
    for index, key in fields.items():
        try:
            position = int(index)
        except (TypeError, ValueError):
            position = -1
        if not 0 <= position < width:
            raise ValueError(_("“%(column)s” is not a column of the sheet.") % {"column": index})
        if key and key not in BY_KEY:
            raise ValueError(_("“%(field)s” is not a field of a project.") % {"field": key})
        clean[str(position)] = key or ""
    used = {index: key for key, index in sheet.used.items()}
    current = {str(index): used.get(index, "") for index in range(width)}
    result = {**current, **clean}
    taken: dict[str, str] = {}
    for index, key in sorted(result.items(), key=lambda item: int(item[0])):
        if not key:
            continue
        if key in taken:
            raise ValueError(
                _("The columns “%(first)s” and “%(second)s” are both read as %(field)s.")
                % {
                    "first": sheet.header_texts[int(taken[key])],
                    "second": sheet.header_texts[int(index)],
                    "field": BY_KEY[key].header,
                }
            )
        taken[key] = index
    if "name" not in taken:
        raise ValueError(
            _("One column must be read as %(field)s.") % {"field": BY_KEY["name"].header}
        )
    return {index: key for index, key in result.items() if key != current.get(index)}
