"""The administration of units, leaders and users: every page opens, edits are recorded."""

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.core.models import ChangeRecord
from diaodu.org.choices import UnitKind
from diaodu.org.models import Leader, Unit, User


@pytest.fixture
def admin(city):
    hq = city.users.hq
    hq.is_staff = hq.is_superuser = True
    hq.save()
    return login(hq)


@pytest.mark.parametrize("model", [Unit, Leader, User])
def test_every_page_opens(city, admin, model):
    info = (model._meta.app_label, model._meta.model_name)
    obj = {Unit: city.jiefang, Leader: city.leader, User: city.users.owner}[model]
    for url in [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_changelist".format(*info), query={"q": "解放"}),
        reverse("admin:{}_{}_add".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
        reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
    ]:
        assert admin.get(url).status_code == 200, url


def test_filters_and_search_narrow_the_lists(city, admin):
    units = admin.get(reverse("admin:org_unit_changelist"), {"kind": UnitKind.DEPARTMENT})
    assert {u.name for u in units.context["cl"].result_list} == {"交通运输局", "自然资源和规划局"}
    users = admin.get(reverse("admin:org_user_changelist"), {"q": "jiefang"})
    assert [u.username for u in users.context["cl"].result_list] == ["jiefang"]


def test_the_unit_picker_searches_by_name(city, admin):
    response = admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "org", "model_name": "user", "field_name": "unit", "term": "高新"},
    )
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {"高新区", "高新建投"}


def test_a_unit_edited_in_the_admin_is_recorded(city, admin):
    url = reverse("admin:org_unit_change", args=[city.street.pk])
    response = admin.post(
        url,
        {
            "name": "焦南街道",
            "short_name": "焦南",
            "code": "jiaonan",
            "kind": UnitKind.REGION,
            "parent": city.jiefang.pk,
            "aliases": "[]",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    city.street.refresh_from_db()
    assert city.street.short_name == "焦南"
    record = ChangeRecord.objects.get(object_id=str(city.street.pk), content_type__model="unit")
    assert record.actor == city.users.hq and record.changes["short_name"] == ["", "焦南"]


def test_users_can_be_made_to_change_their_password(city, admin):
    response = admin.post(
        reverse("admin:org_user_changelist"),
        {
            "action": "require_password_change",
            "_selected_action": [city.users.owner.pk, city.users.jiefang.pk],
        },
        follow=True,
    )
    assert "须修改密码的用户：2 个。" in response.content.decode()
    flagged = set(User.objects.filter(must_change_password=True).values_list("username", flat=True))
    assert flagged == {"owner", "jiefang"}


@pytest.mark.parametrize("username", ["jiefang", "owner", "leader", "nobody"])
def test_only_staff_enter_the_admin(city, username):
    client = login(getattr(city.users, username))
    response = client.get(reverse("admin:org_unit_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
