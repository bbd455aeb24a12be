"""A project's tags: words beside its one category (数字经济, 新基建), checked by the model and
edited on the project's page and through the API with the same rules."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from diaodu.conftest import login
from diaodu.projects.forms import TagsField
from diaodu.projects.models import Project
from diaodu.projects.tests.test_api import api


def tag_errors(tags) -> list[str]:
    project = Project(name="标签项目", tags=tags)
    with override("zh-hans"), pytest.raises(ValidationError) as raised:
        project.full_clean()
    return raised.value.message_dict["tags"]


def test_tags_are_checked_with_messages_in_chinese(db):
    assert tag_errors([f"标签{n}" for n in range(11)]) == ["一个项目最多 10 个标签，这里有 11 个。"]
    assert tag_errors(["数" * 31]) == [f"标签“{'数' * 31}”超过 30 个字。"]
    assert tag_errors(["数字经济", "新基建", "数字经济"]) == ["标签“数字经济”重复了。"]
    assert tag_errors([" 数字经济"]) == ["标签不能为空，首尾也不能有空格。"]
    assert tag_errors([""]) == ["标签不能为空，首尾也不能有空格。"]
    assert tag_errors("数字经济") == ["标签应为词语的列表。"]
    Project(name="标签项目", tags=["数" * 30, *(f"标签{n}" for n in range(9))]).full_clean(
        exclude=["region", "owner", "lead_unit"]
    )


def test_tags_typed_in_one_line_are_split_stripped_and_not_repeated():
    field = TagsField()
    assert field.clean(" 数字经济、新基建, 数字经济；智慧城市,,") == [
        "数字经济",
        "新基建",
        "智慧城市",
    ]
    assert field.clean("") == []
    assert field.prepare_value(["数字经济", "新基建"]) == "数字经济、新基建"


def _form_data(form) -> dict:
    """What the edit page posts back as it was rendered."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = value
    return data


def test_the_project_page_edits_and_shows_the_tags(city):
    project = city.projects.jiefang
    client = login(city.users.jiefang)  # the region keeps the basic data
    url = reverse("projects:edit", args=[project.pk])
    form = client.get(url).context["form"]
    assert "tags" in form.fields
    data = {**_form_data(form), "tags": "数字经济、新基建"}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.tags == ["数字经济", "新基建"]
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert '<span class="badge bg-azure-lt">数字经济</span>' in page
    # Too long a tag: the form again, the message beside the field.
    response = client.post(url, {**data, "tags": "数" * 31})
    assert response.status_code == 200
    assert response.context["form"].errors["tags"] == [f"标签“{'数' * 31}”超过 30 个字。"]
    # The owner keeps other parts: no tags on its form.
    owner_form = login(city.users.owner).get(url).context["form"]
    assert "tags" not in owner_form.fields


def test_the_api_reads_and_writes_the_tags_with_the_same_rules(city):
    project = city.projects.jiefang
    client = api(city.users.jiefang)
    response = client.patch(
        f"/api/projects/{project.pk}/", {"tags": ["数字经济", " 新基建 "]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["tags"] == ["数字经济", "新基建"]
    listed = client.get("/api/projects/").data["results"]
    assert next(p for p in listed if p["id"] == project.pk)["tags"] == ["数字经济", "新基建"]
    repeated = client.patch(
        f"/api/projects/{project.pk}/", {"tags": ["数字经济", "数字经济"]}, format="json"
    )
    assert repeated.status_code == 400
    assert repeated.data["tags"] == ["标签“数字经济”重复了。"]
    too_many = client.patch(
        f"/api/projects/{project.pk}/", {"tags": [f"标签{n}" for n in range(11)]}, format="json"
    )
    assert too_many.status_code == 400 and "tags" in too_many.data
    # The owner may not change the basic data, tags among them.
    owner = api(city.users.owner)
    refused = owner.patch(f"/api/projects/{project.pk}/", {"tags": ["别的"]}, format="json")
    assert refused.status_code == 403
    project.refresh_from_db()
    assert project.tags == ["数字经济", "新基建"]
