"""The demo city's OC4IDS export: every project headquarters sees, valid against the standard."""

import json

from django.contrib.auth import get_user_model
from django.core.management import call_command

from diaodu.oc4ids.package import all_projects_data, package, published_date, visible_projects
from diaodu.oc4ids.tests.standard import codelist_fields, codelist_violations, errors
from diaodu.projects.models import Project


def test_the_demo_citys_export_is_valid_oc4ids(demo_city, tmp_path):
    output = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", "--output", str(output))
    exported = json.loads(output.read_text(encoding="utf-8"))

    assert errors(exported) == []
    assert codelist_violations(exported) == []
    assert {
        "projectStatus.csv",
        "projectType.csv",
        "projectSector.csv",
        "partyRole.csv",
        "milestoneType.csv",
        "milestoneStatus.csv",
        "metricID.csv",
        "documentType.csv",
        "geometryType.csv",
        "currency.csv",
    } <= codelist_fields(exported)
    projects = exported["projects"]
    assert len(projects) == Project.objects.count() == demo_city.projects
    assert len({project["id"] for project in projects}) == len(projects)
    # The demo fills every part of the mapping somewhere.
    for part in ("milestones", "metrics", "documents", "locations", "completion"):
        assert any(part in project for project in projects), part
    documents = {d["documentType"] for p in projects for d in p.get("documents", [])}
    assert documents == {"oversightReport", "minutes"}
    metrics = {m["id"] for p in projects for m in p.get("metrics", [])}
    assert metrics == {"financialProgress", "physicalProgress"}


def test_the_demo_regions_export_holds_its_projects_only(demo_city):
    region = get_user_model().objects.get(username="jiefang")
    projects = list(all_projects_data(region))
    exported = package(projects, published_date(visible_projects(region)))

    assert errors(exported) == [] and codelist_violations(exported) == []
    ids = {int(project["id"].rsplit("-", 1)[1]) for project in projects}
    assert ids == set(Project.objects.visible_to(region).values_list("pk", flat=True))
    assert 0 < len(ids) < Project.objects.count()
