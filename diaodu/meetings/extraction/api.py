"""The public entry point: text in, drafts with ids out."""

from collections.abc import Iterable, Mapping
from datetime import date

from .extractor import Draft, extract_drafts
from .normalize import simplify


class NameIndex:
    """Written names → ids: exact name, then alias, then containment (unique longest)."""

    def __init__(self, names: Iterable[tuple[str, int]]):
        self._names: dict[str, int | None] = {}
        for name, pk in names:
            key = _key(name)
            if not key:
                continue
            # A name shared by two ids is ambiguous: it matches nothing.
            if key in self._names and self._names[key] != pk:
                self._names[key] = None
            else:
                self._names[key] = pk

    def __len__(self) -> int:
        return len(self._names)

    def names(self) -> list[str]:
        """The normalised names, longest first (for finding them in a text)."""
        return sorted((n for n in self._names if len(n) >= 3), key=len, reverse=True)

    def match(self, written: str | None) -> int | None:
        if not written:
            return None
        key = _key(written)
        if key in self._names:
            return self._names[key]
        for candidate in (key.removesuffix("项目"), key + "项目"):
            if candidate in self._names:
                return self._names[candidate]
        # Containment: the written name holds a known name, or the other way round.
        best: list[tuple[int, int | None]] = []
        for name, pk in self._names.items():
            if len(name) >= 2 and (name in key or (len(key) >= 3 and key in name)):
                best.append((len(name), pk))
        if best:
            best.sort(key=lambda item: item[0], reverse=True)
            longest = [pk for length, pk in best if length == best[0][0]]
            return longest[0] if len(set(longest)) == 1 else None
        return self._abbreviation(key)

    def _abbreviation(self, key: str) -> int | None:
        """A short form written in order from a longer name: 市城管局 = 市城市管理局,
        区住建局 = 山阳区住房和城乡建设局. Same last character, and one id only."""
        if len(key) < 3:
            return None
        found = {
            pk
            for name, pk in self._names.items()
            if len(name) > len(key) and name[-1] == key[-1] and _in_order(key, name)
        }
        return found.pop() if len(found) == 1 else None


def _in_order(short: str, long: str) -> bool:
    """Are the characters of ``short`` found in ``long``, in order?"""
    rest = iter(long)
    return all(ch in rest for ch in short)


def _key(name: str) -> str:
    return "".join(ch for ch in simplify(name) if ch not in " “”\"'()（）").strip()


def _from_mapping(mapping: Mapping[str, int]) -> NameIndex:
    return NameIndex(mapping.items())


def _projects_from_db(queryset=None) -> NameIndex:
    """Projects by name: all of them, or those of a queryset (a meeting's scope)."""
    from django.db import DatabaseError

    from diaodu.projects.models import Project

    queryset = Project.objects.all() if queryset is None else queryset
    try:
        return NameIndex((name, pk) for pk, name in queryset.values_list("pk", "name"))
    except DatabaseError:
        return NameIndex([])


def _units_from_db(queryset=None) -> NameIndex:
    """Units by name, short name and alias: all of them, or those of a queryset."""
    from django.db import DatabaseError

    from diaodu.org.models import Unit

    queryset = Unit.objects.all() if queryset is None else queryset
    names: list[tuple[str, int]] = []
    try:
        for pk, name, short_name, aliases in queryset.values_list(
            "pk", "name", "short_name", "aliases"
        ):
            names.append((name, pk))
            if short_name:
                names.append((short_name, pk))
            names.extend((alias, pk) for alias in aliases or [] if isinstance(alias, str))
    except DatabaseError:
        return NameIndex([])
    return NameIndex(names)


def _index(given, from_db) -> NameIndex:
    if given is None or hasattr(given, "values_list"):  # nothing, or a queryset
        return from_db(given)
    return _from_mapping(given)


def extract(
    text: str,
    meeting_date: date,
    *,
    projects=None,
    units=None,
) -> list[Draft]:
    """Draft tasks found in ``text``, a meeting's minutes, speech or news report.

    ``projects`` and ``units`` are mappings of names to ids, or querysets (a meeting's scope);
    when None, every project and unit in the database. Written names stay as written; ids are
    filled when a name matches.
    """
    project_index = _index(projects, _projects_from_db)
    unit_index = _index(units, _units_from_db)
    drafts = extract_drafts(text, meeting_date, project_index.names())
    for draft in drafts:
        draft.project_id = project_index.match(draft.project)
        draft.unit_id = unit_index.match(draft.unit)
    return drafts
