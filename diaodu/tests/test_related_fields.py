"""Nothing leaks existence through the API: a related id out of the user's scope gets the same
answer as an id that does not exist (and as one that is not an id at all), and every
writable related field of every API serializer reads from what the user may see."""

import importlib
import inspect
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework import relations, serializers

import diaodu
from diaodu.core.api import VisibleRelatedField
from diaodu.problems.models import Problem, Task
from diaodu.projects.models import AnnualPlan, FundingLine, Milestone, Program, Project
from diaodu.reporting.models import ProgressReport, ReportingPeriod


def _api_modules():
    root = Path(diaodu.__file__).parent
    for path in sorted(root.glob("*/*api.py")):
        yield importlib.import_module(
            "diaodu." + ".".join(path.relative_to(root).with_suffix("").parts)
        )


def _writable_relations(serializer, where):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            yield from _writable_relations(field.child, f"{where}.{name}[]")
        elif isinstance(field, serializers.BaseSerializer):
            yield from _writable_relations(field, f"{where}.{name}")
        elif isinstance(field, relations.ManyRelatedField):
            yield f"{where}.{name}", field.child_relation
        elif isinstance(field, relations.RelatedField):
            yield f"{where}.{name}", field


def test_every_writable_related_field_reads_what_the_user_sees():
    """A serializer field that takes an object's id reads it from visible_to(user)."""
    found, wrong = [], []
    for module in _api_modules():
        for name, cls in vars(module).items():
            if not (
                inspect.isclass(cls)
                and issubclass(cls, serializers.BaseSerializer)
                and cls.__module__ == module.__name__
            ):
                continue
            if issubclass(cls, serializers.ModelSerializer) and not hasattr(
                getattr(cls, "Meta", None), "model"
            ):
                continue  # a base for serializers of concrete models (core/photo_api.py)
            for where, field in _writable_relations(cls(context={}), f"{module.__name__}.{name}"):
                found.append(where)
                if not isinstance(field, VisibleRelatedField):
                    wrong.append(f"{where} ({type(field).__name__})")
    assert found, "no related field found: the walk is broken"
    assert not wrong, (
        "Declare these as diaodu.core.api.VisibleRelatedField (or give the serializer "
        f"VisibleRelationsMixin), or make them read-only: {wrong}"
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _missing(model) -> int:
    last = model._base_manager.order_by("-pk").first()
    return (last.pk if last else 0) + 1000


@pytest.fixture
def scene(city):
    """高新区's problem, and a monthly period open today."""
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    period = ReportingPeriod.objects.create(
        start=start, end=end, due_date=end, opened_at=timezone.now()
    )
    problem = Problem.objects.create(
        project=city.projects.gaoxin,
        description="征地",
        responsible_unit=city.gaoxin,
        deadline=today + timedelta(days=10),
    )
    return city, period, problem


def _writes(city, period, problem):
    """(who, address, the field, the object out of its scope, the rest of the body, the rows
    nothing may add)."""
    today = timezone.localdate().isoformat()
    users, p = city.users, city.projects
    return {
        "problem's project": (
            users.jiefang,
            "/api/problems/",
            "project",
            p.gaoxin,
            {"description": "征地", "responsible_unit": city.jiefang.pk, "deadline": today},
            Problem,
        ),
        "task's project": (
            users.jiefang,
            "/api/tasks/",
            "project",
            p.gaoxin,
            {"content": "协调", "lead_unit": city.jiefang.pk, "deadline": today},
            Task,
        ),
        "task's problem": (
            users.jiefang,
            "/api/tasks/",
            "problem",
            problem,
            {"content": "协调", "lead_unit": city.jiefang.pk, "deadline": today},
            Task,
        ),
        "report's project": (
            users.owner,
            "/api/reports/",
            "project",
            p.gaoxin,
            {"period": period.pk, "invested": "10"},
            ProgressReport,
        ),
        "milestone's project": (
            users.jiefang,
            "/api/milestones/",
            "project",
            p.gaoxin,
            {"name": "开工", "planned_date": today},
            Milestone,
        ),
        "funding line's project": (
            users.jiefang,
            "/api/funding-lines/",
            "project",
            p.gaoxin,
            {"source": "special_bond", "planned": "100"},
            FundingLine,
        ),
        "plan's project": (
            users.jiefang,
            "/api/plans/",
            "project",
            p.gaoxin,
            {"year": timezone.localdate().year + 1},
            AnnualPlan,
        ),
    }


WRITES = [
    "problem's project",
    "task's project",
    "task's problem",
    "report's project",
    "milestone's project",
    "funding line's project",
    "plan's project",
]


@pytest.mark.parametrize("write", WRITES)
def test_an_unseen_object_is_answered_as_a_missing_one(scene, write):
    user, url, field, unseen, rest, written = _writes(*scene)[write]
    model = type(unseen)
    assert not model.objects.visible_to(user).filter(pk=unseen.pk).exists()
    client = _client(user)
    before = written.objects.count()
    answers = {}
    for label, value in {
        "unseen": unseen.pk,
        "missing": _missing(model),
        "not an id": "abc",
        "beyond any id": 10**30,
    }.items():
        response = client.post(url, {**rest, field: value}, content_type="application/json")
        assert response.status_code == 400, (label, response.status_code, response.content)
        answers[label] = response.json()[field]
    assert len({str(answer) for answer in answers.values()}) == 1, answers
    assert answers["unseen"] == [f"{model._meta.verbose_name}不存在。"]
    assert written.objects.count() == before


def test_a_visible_object_is_taken(scene):
    """The same field takes an object the user sees (the refusal above is not for all)."""
    city, _period, _problem = scene
    client = _client(city.users.jiefang)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/api/milestones/",
        {"project": city.projects.jiefang.pk, "name": "开工", "planned_date": today},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["project"] == city.projects.jiefang.pk


@pytest.mark.parametrize(
    ("url", "field", "model", "many"),
    [
        ("/api/meetings/", "projects", Project, True),
        ("/api/meetings/", "programs", Program, True),
        ("/api/problems/", "responsible_unit", None, False),
    ],
)
def test_a_missing_id_is_named_in_chinese(city, url, field, model, many):
    """Where the writer sees everything, a missing id still gets the model's own sentence,
    not DRF's "Invalid pk" (which names the id)."""
    from diaodu.org.models import Unit

    model = model or Unit
    missing = _missing(model)
    client = _client(city.users.hq)
    body = {"title": "调度会", "date": timezone.localdate().isoformat()}
    body[field] = [missing] if many else missing
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()[field] == [f"{model._meta.verbose_name}不存在。"]
    assert str(missing) not in response.content.decode()


def test_the_programme_of_an_import_and_of_a_move(city):
    client = _client(city.users.hq)
    missing = _missing(Program)
    ledger = SimpleUploadedFile("台账.xlsx", b"PK", content_type="application/octet-stream")
    imported = client.post("/api/imports/", {"file": ledger, "program": missing})
    assert imported.status_code == 400
    assert imported.json()["program"] == ["重点项目计划不存在。"]
    moved = client.post(
        f"/api/projects/{city.projects.jiefang.pk}/programs/",
        {"program": missing, "action": "add", "reason": "调整"},
        content_type="application/json",
    )
    assert moved.status_code == 400
    assert moved.json()["program"] == ["重点项目计划不存在。"]


def test_without_a_request_nothing_is_found():
    """The schema is generated without a request: the field builds and finds nothing."""
    field = VisibleRelatedField(queryset=Project.objects.all())
    serializer = serializers.Serializer(context={})
    field.bind("project", serializer)
    assert field.get_queryset().query.is_empty()
