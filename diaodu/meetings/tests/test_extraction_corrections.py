"""What a reviewer corrects in the drafts is kept, and the names it reveals are offered to the
directory of units: on the page and through the API."""

from datetime import date

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core.models import ChangeRecord
from diaodu.meetings import services
from diaodu.meetings.models import DraftCorrection
from diaodu.meetings.tests.conftest import make_meeting
from diaodu.problems.models import Task

Field = DraftCorrection.Field

MINUTES = (
    "会议要求,区规划局要加快解放区项目用地报批,确保8月底前完成。"
    "交通运输局要在9月底前完成高新区项目征迁。"
)


def _post_data(formset, changes):
    """The review form as a browser sends it, with the reviewer's changes by row."""
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
    }
    for index, form in enumerate(formset.forms):
        values = {**form.initial, **changes.get(index, {})}
        for name, value in values.items():
            if name == "include":
                if value:
                    data[f"{form.prefix}-include"] = "on"
                continue
            data[f"{form.prefix}-{name}"] = "" if value is None else str(value)
    return data


@pytest.fixture
def reviewed(city):
    """The minutes extracted and confirmed: the first draft's unit and deadline corrected,
    the second draft not created."""
    meeting = make_meeting(city, date=date(2026, 6, 12))
    client = login(city.users.hq)
    page = client.post(reverse("meetings:extract", args=[meeting.pk]), {"text": MINUTES})
    formset = page.context["formset"]
    first, second = (form.initial for form in formset.forms)
    assert (first["unit_written"], first["draft_unit"]) == ("区规划局", None)
    assert second["draft_unit"] == city.jiaotong.pk
    changes = {
        0: {"lead_unit": city.ziran.pk, "deadline": "2026-09-15"},
        1: {"include": False},
    }
    answer = client.post(
        reverse("meetings:confirm", args=[meeting.pk]), _post_data(formset, changes)
    )
    assert answer.status_code == 302
    return meeting


def test_the_corrections_of_a_review_are_kept(city, reviewed):
    corrections = {c.field: c for c in reviewed.corrections.all()}
    assert set(corrections) == {Field.UNIT, Field.DEADLINE, Field.REJECTED}
    unit = corrections[Field.UNIT]
    assert (unit.written, unit.proposed_unit, unit.chosen_unit) == ("区规划局", None, city.ziran)
    assert "区规划局" in unit.sentence
    deadline = corrections[Field.DEADLINE]
    assert (deadline.proposed_deadline, deadline.chosen_deadline) == (
        date(2026, 8, 31),
        date(2026, 9, 15),
    )
    rejected = corrections[Field.REJECTED]
    assert (rejected.written, rejected.proposed_unit) == ("交通运输局", city.jiaotong)
    assert rejected.proposed_deadline == date(2026, 9, 30)
    assert unit.created_by == city.users.hq


def test_a_draft_confirmed_as_it_was_is_no_correction(city):
    meeting = make_meeting(city, date=date(2026, 6, 12))
    client = login(city.users.hq)
    page = client.post(
        reverse("meetings:extract", args=[meeting.pk]),
        {"text": "交通运输局要在9月底前完成高新区项目征迁。"},
    )
    formset = page.context["formset"]
    client.post(reverse("meetings:confirm", args=[meeting.pk]), _post_data(formset, {}))
    assert Task.objects.filter(meeting=meeting).count() == 1
    assert not DraftCorrection.objects.exists()


def test_the_names_revealed_are_offered_to_headquarters_and_added(city, reviewed):
    detail = reverse("meetings:detail", args=[reviewed.pk])
    page = login(city.users.hq).get(detail)
    assert [(name, unit) for name, unit in page.context["alias_offers"]] == [
        ("区规划局", city.ziran)
    ]
    assert "区规划局" in page.content.decode()
    # A leader manages meetings but not the directory: no offer, and no adding.
    assert login(city.users.leader).get(detail).context["alias_offers"] == []
    add = reverse("meetings:add-alias", args=[reviewed.pk])
    refused = login(city.users.leader).post(add, {"unit": city.ziran.pk, "alias": "区规划局"})
    assert refused.status_code == 403
    # A name that was not offered is not added.
    login(city.users.hq).post(add, {"unit": city.ziran.pk, "alias": "随便什么局"})
    city.ziran.refresh_from_db()
    assert "随便什么局" not in city.ziran.aliases

    login(city.users.hq).post(add, {"unit": city.ziran.pk, "alias": "区规划局"})
    city.ziran.refresh_from_db()
    assert "区规划局" in city.ziran.aliases
    assert ChangeRecord.objects.filter(object_id=city.ziran.pk, changes__aliases__isnull=False)
    # Known now: offered no more, and the next minutes find the unit by it.
    assert services.alias_offers(reviewed) == []
    [draft] = services.extract("区规划局要在8月底前完成用地报批。", date(2026, 6, 12))
    assert draft.unit_id == city.ziran.pk


def test_the_api_keeps_the_corrections_and_adds_the_alias(city):
    meeting = make_meeting(city, date=date(2026, 6, 12))
    client = login(city.users.hq)
    url = f"/api/meetings/{meeting.pk}/"
    drafts = client.post(f"{url}extract/", {"text": MINUTES}, content_type="application/json")
    first, second = drafts.json()["drafts"]
    row = {
        "content": first["content"],
        "project_id": first["project_id"],
        "unit_id": city.ziran.pk,
        "deadline": first["deadline"],
        "sentence": first["sentence"],
        "draft": first,
    }
    created = client.post(
        f"{url}confirm/", {"tasks": [row], "rejected": [second]}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert sorted(meeting.corrections.values_list("field", flat=True)) == [
        Field.REJECTED,
        Field.UNIT,
    ]
    offers = client.get(f"{url}aliases/").json()
    assert offers == [{"alias": "区规划局", "unit_id": city.ziran.pk}]
    leader = login(city.users.leader).post(
        f"{url}aliases/", offers[0], content_type="application/json"
    )
    assert leader.status_code == 403
    unknown = client.post(
        f"{url}aliases/", {"alias": "区规划局", "unit_id": 999999}, content_type="application/json"
    )
    assert unknown.status_code == 400
    added = client.post(f"{url}aliases/", offers[0], content_type="application/json")
    assert added.status_code == 200 and added.json() == []
    city.ziran.refresh_from_db()
    assert "区规划局" in city.ziran.aliases
