"""What make fuzz sends, with the ids of real objects: schemathesis hooks (SCHEMATHESIS_HOOKS).

A random number almost never names an object, so without these nearly every detail, action
and write would answer 404 or 400, and the answers that matter (an object, a transition, a
conflict) would never be checked against the schema. scripts/api_fuzz.py writes the demo
city's ids to the file named by DIAODU_FUZZ_IDS: the ids of each API resource and of each
model. Here, in the cases schemathesis generates:

- the `{id}` of a path is one of its resource's ids three times in four (every object, so
  a district user also asks for what it may not see);
- a body field or a query parameter that names an object (`project`, `region`, `leaders`, ...)
  is one of that model's ids (a list of them for a list) half of the time, and a `year` one
  of the demo's years; any other value is left as generated.
"""

import json
import os
from pathlib import Path

import schemathesis
from hypothesis import strategies as st

IDS = json.loads(Path(os.environ["DIAODU_FUZZ_IDS"]).read_text())

# The model a field or a query parameter names, by its name.
UNIT = "org.Unit"
LEADER = "org.Leader"
FIELDS = {
    "project": "projects.Project",
    "projects": "projects.Project",
    "program": "projects.Program",
    "programs": "projects.Program",
    "period": "reporting.ReportingPeriod",
    "report": "reporting.Report",
    "problem": "problems.Problem",
    "region": UNIT,
    "regions": UNIT,
    "owner": UNIT,
    "lead_unit": UNIT,
    "unit": UNIT,
    "parent": UNIT,
    "department": UNIT,
    "responsible_unit": UNIT,
    "responsible_units": UNIT,
    "responsible_department": UNIT,
    "attending_units": UNIT,
    "leader": LEADER,
    "leaders": LEADER,
    "chair": LEADER,
    "coordinating_leader": LEADER,
    "attending_leaders": LEADER,
}


def _resource_ids(path: str) -> list[int]:
    """The ids of the resource of an API path: /api/<resource>/{id}/..."""
    parts = path.strip("/").split("/")
    return IDS["resources"].get(parts[1], []) if len(parts) > 2 else []


def _value(name, value):
    """A strategy for a field's value: a real id (ids) half of the time, else as generated."""
    if name == "year" and isinstance(value, int):
        real = st.sampled_from(IDS["years"])
    else:
        ids = IDS["models"].get(FIELDS.get(name, ""))
        if not ids:
            return st.just(value)
        if isinstance(value, list):
            real = st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)
        elif isinstance(value, int) and not isinstance(value, bool):
            real = st.sampled_from(ids)
        else:
            return st.just(value)
    return st.one_of(st.just(value), real)


def _with_ids(values):
    if not isinstance(values, dict) or not values:
        return st.just(values)
    return st.fixed_dictionaries({name: _value(name, value) for name, value in values.items()})


@schemathesis.hook
def flatmap_path_parameters(context, path_parameters):
    ids = _resource_ids(context.operation.path)
    if not ids or not isinstance(path_parameters, dict) or "id" not in path_parameters:
        return st.just(path_parameters)
    real = st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk})
    return st.integers(0, 3).flatmap(lambda n: real if n else st.just(path_parameters))


@schemathesis.hook
def flatmap_query(context, query):
    return _with_ids(query)


@schemathesis.hook
def flatmap_body(context, body):
    return _with_ids(body)
