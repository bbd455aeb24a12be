"""Limits on what may be typed, checked on every field there is (diaodu/core/limits.py).

Generated from the code, so that a new field cannot be forgotten: every text field of every
model has a length its model checks; every date or time a user can set, and every year of a
plan or a programme, falls within the years a date may; every text and date that a page's form
or an API's body declares for itself does the same.

And the limits at work: a 200,000-character description and a deadline in the year 1 or 9999,
through the API and through a page, are refused with a message in Chinese naming the field and
the limit, and nothing is saved; the backward scheduling of a project given such a target date
says so (400) where it used to fail (500).
"""

import inspect
from datetime import timedelta

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from diaodu.conftest import login
from diaodu.core.limits import FIRST_YEAR, LAST_YEAR, MINUTES, TEXT, MaxChars, validate_year
from diaodu.factories import MeetingFactory, MilestoneFactory
from diaodu.problems import services
from diaodu.problems.models import Problem
from diaodu.projects.models import Milestone
from diaodu.projects.tests.test_api import api

DIAODU_MODELS = [m for m in apps.get_models() if m.__module__.startswith("diaodu.")]
YEAR_RANGE = f"年份须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间"


def _set_by_someone(field) -> bool:
    """A date or time a person or the application sets (not one Django stamps itself)."""
    return (
        field.editable
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    )


# -- generated: models -----------------------------------------------------------------------


def test_every_text_field_has_a_limit_its_model_checks():
    """max_length for forms and serializers, and MaxChars of the same length for full_clean()
    (Django checks a TextField's max_length in forms only)."""
    missing = []
    for model in DIAODU_MODELS:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField):
                continue
            checked = [v for v in field.validators if isinstance(v, MaxChars)]
            if not field.max_length or [v.limit_value for v in checked] != [field.max_length]:
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, (
        "give these text fields max_length=<a limit of diaodu/core/limits.py> and "
        f"validators=[MaxChars(<the same>)]: {missing}"
    )


def test_every_date_set_by_someone_and_every_year_is_within_the_years():
    missing = []
    for model in DIAODU_MODELS:
        for field in model._meta.concrete_fields:
            dated = isinstance(field, models.DateField) and _set_by_someone(field)
            a_year = isinstance(field, models.IntegerField) and field.name == "year"
            if (dated or a_year) and validate_year not in field.validators:
                missing.append(f"{model._meta.label}.{field.name}")
    assert not missing, f"add validators=[validate_year] (diaodu/core/limits.py) to {missing}"


def test_the_walk_finds_the_fields_it_checks():
    """The tests above look at something: the problem's description and deadline among them."""
    description = Problem._meta.get_field("description")
    assert description.max_length == TEXT and MaxChars(TEXT) in description.validators
    assert validate_year in Problem._meta.get_field("deadline").validators
    assert len(DIAODU_MODELS) > 30


# -- generated: forms and API bodies ---------------------------------------------------------


def _form_classes():
    get_resolver().url_patterns  # noqa: B018 (imports every view, and so every form)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith("diaodu.") and not inspect.isabstract(c)]


# Text fields of forms bounded otherwise, with the reason.
BOUNDED_OTHERWISE = {
    "diaodu.org.sso.SignInForm.username": "Django's sign-in form sets the user's 150 when built",
    "diaodu.notifications.views.ChannelChoiceForm.phone": "its pattern takes 11 digits",
}


def _form_problems(form_class) -> list[str]:
    name = f"{form_class.__module__}.{form_class.__qualname__}"
    found = []
    for field_name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.PasswordInput):
            continue  # hashed, never kept; the request's size bounds it
        if f"{name}.{field_name}" in BOUNDED_OTHERWISE:
            continue
        if isinstance(field, forms.CharField) and not field.max_length:
            found.append(f"{name}.{field_name}: no max_length")
    for field_name, field in form_class.declared_fields.items():
        dated = isinstance(field, forms.DateField | forms.DateTimeField)
        if dated and validate_year not in field.validators:
            found.append(f"{name}.{field_name}: no validate_year")
    return found


def test_every_text_and_date_a_form_declares_is_limited():
    """A form's own fields (a model form's others come with their model's limits)."""
    classes = _form_classes()
    assert any(c.__name__ == "ProblemForm" for c in classes)
    missing = [problem for form_class in classes for problem in _form_problems(form_class)]
    assert not missing, missing


def _request_serializers():
    """Every serializer that reads a request body, as the API's schema describes them."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    names = set()
    for item in schema["paths"].values():
        for operation in item.values():
            body = operation.get("requestBody", {}) if isinstance(operation, dict) else {}
            for content in body.get("content", {}).values():
                names |= _refs(content.get("schema", {}), schema["components"]["schemas"])
    for name in sorted(names):
        found = generator.registry[(name, "schemas")].object
        yield name, found() if isinstance(found, type) else found


def _refs(node, components, seen=frozenset()) -> set[str]:
    found = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                found |= {name} | _refs(components.get(name, {}), components, seen | {name})
        for value in node.values():
            found |= _refs(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value, components, seen)
    return found


def _serializer_problems(name, serializer) -> list[str]:
    if not isinstance(serializer, serializers.Serializer):
        return []
    found = []
    for field_name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.CharField) and field.max_length is None:
            found.append(f"{name}.{field_name}: no max_length")
        dated = isinstance(field, serializers.DateField | serializers.DateTimeField)
        if dated and validate_year not in field.validators:
            found.append(f"{name}.{field_name}: no validate_year")
    return found


def test_every_text_and_date_an_api_body_takes_is_limited():
    """Every request body of the API (its serializers' fields, those from the models too)."""
    bodies = dict(_request_serializers())
    assert "Problem" in bodies and "Extend" in bodies
    missing = [p for name, body in bodies.items() for p in _serializer_problems(name, body)]
    assert not missing, missing


# -- at work: text -------------------------------------------------------------------------


LONG = "征地" * 100_000  # 200,000 characters


def _problem(city, **changes):
    return {
        "project": city.projects.jiefang.pk,
        "category": "land",
        "description": "征地拆迁未完成",
        "responsible_unit": city.jiefang.pk,
        "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **changes,
    }


def test_a_description_too_long_through_the_api(city):
    response = api(city.users.hq).post("/api/problems/", _problem(city, description=LONG))
    assert response.status_code == 400
    said = response.json()["description"][0]
    assert "5000" in said and "字符" in said, said
    assert not Problem.objects.exists()
    # The limit itself is accepted.
    exact = api(city.users.hq).post("/api/problems/", _problem(city, description="征" * TEXT))
    assert exact.status_code == 201, exact.json()


def test_a_description_too_long_through_a_page(city):
    response = login(city.users.hq).post(
        reverse("problems:problem-new", args=[city.projects.jiefang.pk]),
        _problem(city, description=LONG),
    )
    assert response.status_code == 200
    said = response.context["form"].errors["description"]
    assert said == ["问题描述不能超过 5000 个字符，现有 200000 个。"], said
    assert said[0] in response.content.decode()
    assert not Problem.objects.exists()


def test_a_service_refuses_what_no_form_checked(city):
    """Whatever the way in (an import, a command), full_clean() checks the length too."""
    with pytest.raises(ValidationError) as refused:
        services.do_raise_problem(
            city.users.hq,
            city.projects.jiefang,
            category="land",
            description=LONG,
            responsible_unit=city.jiefang,
            deadline=timezone.localdate() + timedelta(days=30),
        )
    assert refused.value.message_dict["description"] == ["不能超过 5000 个字符，现有 200000 个。"]
    assert not Problem.objects.exists()


def test_minutes_from_a_file_no_longer_than_a_meeting_keeps(city):
    """A file's minutes were limited by DIAODU_MINUTES_MAX_CHARS only (200,000 by default), so
    a file could store more than a meeting's minutes may hold."""
    meeting = MeetingFactory(minutes="")
    text = "会议要求加快推进项目建设。" * 5_000  # 65,000 characters
    response = login(city.users.hq).post(
        reverse("meetings:extract", args=[meeting.pk]),
        {"text": "", "file": SimpleUploadedFile("纪要.txt", text.encode())},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert f"会议纪要超过 {MINUTES} 个字符" in " ".join(said), said
    meeting.refresh_from_db()
    assert meeting.minutes == ""


# -- at work: dates ------------------------------------------------------------------------


@pytest.mark.parametrize("day, year", [("0001-01-01", 1), ("9999-12-31", 9999)])
def test_a_deadline_out_of_the_years_through_the_api(city, day, year):
    response = api(city.users.hq).post("/api/problems/", _problem(city, deadline=day))
    assert response.status_code == 400
    assert response.json()["deadline"] == [f"{YEAR_RANGE}，这里是 {year} 年。"]
    assert not Problem.objects.exists()


@pytest.mark.parametrize("day, year", [("0001-01-01", 1), ("9999-12-31", 9999)])
def test_a_deadline_out_of_the_years_through_a_page(city, day, year):
    response = login(city.users.hq).post(
        reverse("problems:problem-new", args=[city.projects.jiefang.pk]),
        _problem(city, deadline=day),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [f"{YEAR_RANGE}，这里是 {year} 年。"]
    assert not Problem.objects.exists()


@pytest.mark.parametrize("day, year", [("0001-01-01", 1), ("9999-12-31", 9999)])
def test_a_milestone_met_out_of_the_years_through_the_api(city, day, year):
    """A serializer's own date field (not a model's) is checked as well."""
    milestone = MilestoneFactory(project=city.projects.jiefang)
    response = api(city.users.owner).post(
        f"/api/milestones/{milestone.pk}/met/", {"actual_date": day}
    )
    assert response.status_code == 400
    assert response.json()["actual_date"] == [f"{YEAR_RANGE}，这里是 {year} 年。"]
    assert Milestone.objects.get(pk=milestone.pk).actual_date is None


@pytest.mark.parametrize("day, year", [("0001-01-01", 1), ("9999-12-31", 9999)])
def test_backward_scheduling_from_a_target_out_of_the_years(city, day, year):
    """The year 1 overflowed the dates laid back from it (500); 9999 was shown and, applied,
    kept. Both are refused, the page saying why, and no milestone moves."""
    project = city.projects.jiefang
    milestone = MilestoneFactory(project=project)
    planned = milestone.planned_date
    url = reverse("schedule", args=[project.pk])
    client = login(city.users.hq)
    for response in (client.get(url, {"target": day}), client.post(url, {"target": day})):
        assert response.status_code == 400
        assert f"{YEAR_RANGE}，这里是 {year} 年。" in response.content.decode()
    assert [m.planned_date for m in project.milestones.all()] == [planned]


def test_a_year_out_of_the_years_on_a_project_page_shows_this_year(city):
    """?year=-1 answered 500 (no address for that year's plan)."""
    project = city.projects.jiefang
    client = login(city.users.hq)
    for year in ("-1", "0", "9999", "99999999999"):
        response = client.get(reverse("projects:detail", args=[project.pk]), {"year": year})
        assert response.status_code == 200, year
        assert response.context["year"] == timezone.localdate().year


def test_the_messages_are_chinese_and_name_the_range():
    for value in (1, 9999):
        with pytest.raises(ValidationError) as refused:
            validate_year(value)
        assert refused.value.messages == [f"{YEAR_RANGE}，这里是 {value} 年。"]
    for value in (FIRST_YEAR, LAST_YEAR, None):
        validate_year(value)
