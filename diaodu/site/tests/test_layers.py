"""The apps stand in layers and every import points down (docs/architecture.md).

A module may import its own app and the apps of lower layers, never an app of its own layer or
of a higher one; imports inside functions count too. Tests, migrations and the test settings are
outside the rule. Relations between models are held to the same rule, with the few that are
older than it listed by name: that list may only shrink.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]  # the diaodu package

# Lowest first. The framework holds no domain; each later layer may use every earlier one.
# Within the framework and within the site the modules are one whole and use each other.
WHOLE = {"framework", "site"}
LAYERS = [
    ("framework", {"core", "env", "celery", "settings", "wsgi"}),
    ("organisation", {"org"}),
    ("notifications", {"notifications"}),
    ("projects", {"projects"}),
    ("problems", {"problems"}),
    ("reporting", {"reporting"}),
    ("work", {"inspections", "meetings", "exchange"}),
    ("supervision", {"monitoring", "assessment"}),
    ("bulletins", {"bulletins"}),
    (
        "site",
        {
            *("site", "urls", "api_urls", "oc4ids", "demo", "bench", "factories"),
            *("__main__", "__init__"),
        },
    ),
]
LAYER_OF = {app: index for index, (_name, members) in enumerate(LAYERS) for app in members}
# Relations between models older than the rule, which point upwards (model label -> target app).
KNOWN_UPWARD_RELATIONS = {
    ("core.ChangeRecord", "org"),  # who made the change
    ("core.ChangeRecord", "projects"),  # the project whose history it is
    ("problems.Problem", "reporting"),  # the report a problem was raised from
    ("problems.Problem", "inspections"),  # the inspection a problem was raised from
    ("problems.Task", "inspections"),  # the inspection a task was set from
    ("problems.Task", "meetings"),  # the meeting a task was set at
}


def _unit(path: Path) -> str:
    """The app (or top-level module) a file belongs to."""
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _outside_the_rule(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return (
        "tests" in parts
        or "migrations" in parts
        or parts[-1] in ("conftest.py", "test_settings.py")
        or parts[-1].startswith("test_")
    )


def _imports(path: Path):
    """(line, imported app) for every absolute import of a diaodu module in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "diaodu":
                names = [f"diaodu.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("diaodu."):
                yield node.lineno, name.split(".")[1]


def _sources():
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not _outside_the_rule(path) and "locale" not in path.parts
    )


def test_every_app_has_a_layer():
    units = {_unit(path) for path in _sources()}
    missing = sorted(units - set(LAYER_OF))
    assert not missing, f"Give these a layer in LAYERS and docs/architecture.md: {missing}"


def test_no_import_points_upwards_or_sideways():
    wrong = []
    for path in _sources():
        unit = _unit(path)
        for line, target in _imports(path):
            if target == unit or target not in LAYER_OF:
                continue
            if LAYER_OF[target] == LAYER_OF[unit] and LAYERS[LAYER_OF[unit]][0] in WHOLE:
                continue
            if LAYER_OF[target] >= LAYER_OF[unit]:
                wrong.append(
                    f"{path.relative_to(ROOT.parent)}:{line} imports {target} "
                    f"({LAYERS[LAYER_OF[target]][0]}) from {unit} ({LAYERS[LAYER_OF[unit]][0]})"
                )
    assert not wrong, "Imports against the layers:\n" + "\n".join(wrong)


def _upward_relations():
    found = set()
    for model in apps.get_models():
        app = model._meta.app_label
        if app not in LAYER_OF:
            continue  # Django's own and third-party apps
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if not related or field.auto_created and not field.concrete:
                continue
            target = related._meta.app_label
            if target in LAYER_OF and target != app and LAYER_OF[target] >= LAYER_OF[app]:
                found.add((model._meta.label, target))
    return found


def test_no_new_model_relation_points_upwards():
    assert _upward_relations() <= KNOWN_UPWARD_RELATIONS


@pytest.mark.parametrize("relation", sorted(KNOWN_UPWARD_RELATIONS))
def test_the_known_upward_relations_still_exist(relation):
    """When one is removed, take it off the list, so that it cannot come back unnoticed."""
    assert relation in _upward_relations()


def test_the_rule_sees_an_upward_import(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("def f():\n    from diaodu.monitoring.lights import evaluate\n")
    assert list(_imports(source)) == [(2, "monitoring")]
