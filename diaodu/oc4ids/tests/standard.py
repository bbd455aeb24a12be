"""The OC4IDS 0.9.5 schema and codelists, read from diaodu/oc4ids/schema/ (no web access).

`errors(package)` validates a project package against the package schema, whose `$ref` to the
project schema resolves to the local copy, with the formats the standard uses (date-time, uri)
checked; `codelist_violations(package)` gives every value of a codelist field that its CSV does
not list (closed codelists and open ones alike: the export uses only the standard's codes).
"""

import csv
import functools
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA = Path(__file__).resolve().parents[1] / "schema"


@functools.cache
def _schemas() -> tuple[dict, dict]:
    package = json.loads((SCHEMA / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((SCHEMA / "project-schema.json").read_text(encoding="utf-8"))
    return package, project


def _formats() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def date_time(value) -> bool:
        return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def uri(value) -> bool:
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is None or bool(parts.scheme and parts.netloc)

    return checker


def errors(package: dict) -> list[str]:
    package_schema, project_schema = _schemas()
    project = Resource.from_contents(project_schema)
    registry = Registry().with_resource(project_schema["id"], project)
    validator = Draft4Validator(package_schema, registry=registry, format_checker=_formats())
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(package)
    ]


@functools.cache
def codelist(name: str) -> frozenset[str]:
    path = SCHEMA / "codelists" / name
    if not path.exists():
        return frozenset()  # not copied: every value is a violation, naming it
    with path.open(encoding="utf-8", newline="") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


def _resolve(node: dict) -> dict:
    _package, project = _schemas()
    while "$ref" in node:
        reference = node["$ref"]
        if reference.startswith("#/definitions/"):
            node = project["definitions"][reference.rsplit("/", 1)[1]]
        else:
            node = project
    return node


def codelist_violations(package: dict) -> list[str]:
    """'path: value (codelist)' for every value outside the codelist of its field."""
    found: list[str] = []

    def walk(value, node: dict, path: str) -> None:
        node = _resolve(node)
        if "codelist" in node:
            allowed = codelist(node["codelist"])
            for item in value if isinstance(value, list) else [value]:
                if item not in allowed:
                    found.append(f"{path}: {item!r} ({node['codelist']})")
        if isinstance(value, dict):
            for key, item in value.items():
                if key in node.get("properties", {}):
                    walk(item, node["properties"][key], f"{path}/{key}")
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for index, item in enumerate(value):
                walk(item, node["items"], f"{path}/{index}")

    package_schema, _project = _schemas()
    walk(package, package_schema, "")
    return found


def codelist_fields(package: dict) -> set[str]:
    """The codelists the package uses (to show the check saw them)."""
    seen: set[str] = set()

    def walk(value, node: dict) -> None:
        node = _resolve(node)
        if "codelist" in node:
            seen.add(node["codelist"])
        if isinstance(value, dict):
            for key, item in value.items():
                if key in node.get("properties", {}):
                    walk(item, node["properties"][key])
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for item in value:
                walk(item, node["items"])

    walk(package, _schemas()[0])
    return seen
