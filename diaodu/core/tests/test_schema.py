"""The API's OpenAPI schema: generated with no warning, valid, and honest about errors.

Every operation documents the errors it can answer with (400, 401, 403, 404, and 409 where a
stale version conflicts), and the bodies the API really sends match what is documented.
"""

import copy
import functools
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile as upload
from django.core.management import call_command
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.management.commands.spectacular import SchemaGenerationError
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from rest_framework.response import Response
from rest_framework.views import APIView

from diaodu.core.exports import XLSX
from diaodu.projects.tests.test_api import api

METHODS = {"get", "post", "put", "patch", "delete"}


class _UndocumentedView(APIView):
    """A view drf-spectacular cannot describe (no serializer): a warning."""

    def get(self, request):
        return Response({})


# The URL conf of `test_a_warning_fails_the_generation`.
urlpatterns = [path("api/undocumented/", _UndocumentedView.as_view())]


@functools.cache
def generated_schema() -> dict:
    """The API's schema, generated once per test session."""
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def schema():
    return generated_schema()


def operations(schema):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), route, operation


def test_the_schema_is_valid_and_generated_with_no_warning(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/reports/{id}/:" in target.read_text()


def test_a_warning_fails_the_generation(tmp_path):
    GENERATOR_STATS.reset()
    with pytest.raises(SchemaGenerationError):
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--urlconf",
            __name__,
            "--file",
            str(tmp_path / "schema.yml"),
        )
    GENERATOR_STATS.reset()


def test_every_operation_documents_its_errors(schema):
    assert len(list(operations(schema))) > 90
    for method, route, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"401", "403", "429"} <= codes, (method, route)
        if "{" in route:
            assert "404" in codes, (method, route)
        if method in {"POST", "PUT", "PATCH"}:
            assert "400" in codes, (method, route)
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if query - {"page", "format"}:
            assert "400" in codes, (method, route)
        if query & {"page", "format"}:
            assert "404" in codes, (method, route)


def test_a_stale_report_version_is_documented_as_a_conflict(schema):
    for method, route in [("post", "/api/reports/"), ("put", "/api/reports/{id}/"),
                          ("patch", "/api/reports/{id}/")]:  # fmt: skip
        conflict = schema["paths"][route][method]["responses"]["409"]
        body = conflict["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/ReportConflict"}
    fields = schema["components"]["schemas"]["ReportConflict"]["properties"]
    assert set(fields) == {"detail", "current"}


def test_the_schema_itself_is_not_an_operation(schema):
    assert "/api/schema/" not in schema["paths"]


# -- the bodies the API sends are those documented ------------------------------------------


def _nullable(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def assert_documented(schema, method, route, response):
    """The response's body matches what the schema documents for its status code."""
    documented = schema["paths"][route][method.lower()]["responses"][str(response.status_code)]
    components = _nullable(copy.deepcopy(schema["components"]))
    if "$ref" in documented:
        documented = components["responses"][documented["$ref"].rsplit("/", 1)[1]]
    body_schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**body_schema, "components": components})
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert not errors, (method, route, response.status_code, response.json(), errors)


def test_errors_are_sent_as_documented(schema, city):
    owner, hq = api(city.users.owner), api(city.users.hq)
    answers = [
        ("GET", "/api/projects/", api().get("/api/projects/")),
        ("GET", "/api/projects/{id}/", owner.get("/api/projects/999999/")),
        ("GET", "/api/projects/", owner.get("/api/projects/?page=99")),
        ("POST", "/api/reports/", owner.post("/api/reports/", {"project": "x", "period": "x"})),
        (
            "POST",
            "/api/reports/",
            owner.post("/api/reports/", "{", content_type="application/json"),
        ),
        ("POST", "/api/projects/", owner.post("/api/projects/", {"name": "新项目"})),
        ("POST", "/api/imports/", hq.post("/api/imports/", {"file": upload("a.txt", b"x")})),
        ("POST", "/api/imports/", hq.post("/api/imports/", {"file": upload("a.csv", b"x\n1")})),
    ]
    assert [response.status_code for _m, _r, response in answers] == [
        401, 404, 404, 400, 400, 403, 400, 400
    ]  # fmt: skip
    assert "original_name" in answers[-1][2].json()  # the job, with the file's problems
    for method, route, response in answers:
        assert_documented(schema, method, route, response)


def test_the_dashboard_is_sent_as_documented(schema, city):
    response = api(city.users.hq).get("/api/dashboard/")
    assert response.status_code == 200
    assert response.json()["regions"] and response.json()["curve"]
    assert_documented(schema, "GET", "/api/dashboard/", response)


def test_too_many_requests_are_answered_as_documented(schema, city, settings):
    cache.clear()
    settings.DIAODU_API_RATE_USER = "1/minute"
    client = api(city.users.hq)
    assert client.get("/api/units/").status_code == 200
    response = client.get("/api/units/")
    cache.clear()
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert_documented(schema, "GET", "/api/units/", response)


def test_an_address_the_api_does_not_have_answers_404_in_json(schema, city):
    """An id that is no number (a dot, a slash), an unknown resource or action: the documented
    404, not Django's page; signed out, 401 first."""
    hq = api(city.users.hq)
    answers = [
        ("GET", "/api/units/{id}/", hq.get("/api/units/1.5/")),
        ("DELETE", "/api/meetings/{id}/", hq.delete("/api/meetings/-1e-05/")),
        ("POST", "/api/reports/{id}/submit/", hq.post("/api/reports/1%2F2/submit/")),
    ]
    for method, route, response in answers:
        assert response.status_code == 404, (method, response.request["PATH_INFO"])
        assert response["Content-Type"] == "application/json"
        assert_documented(schema, method, route, response)
    for url in ("/api/projects/1/no-such-action/", "/api/no-such-resource/"):
        response = hq.patch(url)
        assert response.status_code == 404 and set(response.json()) == {"detail"}, url
    signed_out = api().get("/api/no-such-resource/")
    assert signed_out.status_code == 401 and "detail" in signed_out.json()


def test_the_ledger_export_documents_and_reads_the_ledger_filters(schema, city):
    operation = schema["paths"]["/api/projects/export/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    filters = {"q", "program", "region", "stage", "category", "owner", "lead_unit", "leader"}
    assert filters | {"light", "year", "sort", "unit", "format"} <= names
    assert set(operation["responses"]["200"]["content"]) == {XLSX}
    hq = api(city.users.hq)
    for query in ("program=abc", "region=999999", "stage=nothing", "sort=nothing", "year=1999"):
        response = hq.get(f"/api/projects/export/?{query}")
        assert response.status_code == 400, query
        assert_documented(schema, "GET", "/api/projects/export/", response)

    response = hq.get(f"/api/projects/export/?region={city.gaoxin.pk}&sort=-name")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]  # after 序号
    assert city.projects.gaoxin.name in names
    assert city.projects.jiefang.name not in names
