"""Units, leaders and users: the unit tree, a user's scope and role, what each is called."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from diaodu.factories import LeaderFactory, UnitFactory, UserFactory
from diaodu.org.choices import ROLES_SEEING_EVERYTHING, Role, UnitKind
from diaodu.org.models import Leader, Unit


@pytest.fixture
def tree(db):
    """解放区 with two streets, one with a village under it; 高新区 beside it."""
    jiefang = UnitFactory(name="解放区", code="jiefang", kind=UnitKind.REGION)
    jiaonan = UnitFactory(name="焦南街道", code="jiaonan", kind=UnitKind.REGION, parent=jiefang)
    minzhu = UnitFactory(name="民主街道", code="minzhu", kind=UnitKind.REGION, parent=jiefang)
    village = UnitFactory(name="王褚村", code="wangchu", kind=UnitKind.REGION, parent=jiaonan)
    gaoxin = UnitFactory(name="高新区", code="gaoxin", kind=UnitKind.REGION)
    return jiefang, jiaonan, minzhu, village, gaoxin


def test_descendants_are_the_unit_and_every_level_below_it(tree):
    jiefang, jiaonan, minzhu, village, gaoxin = tree
    assert jiefang.descendant_ids() == {jiefang.pk, jiaonan.pk, minzhu.pk, village.pk}
    assert jiaonan.descendant_ids() == {jiaonan.pk, village.pk}
    assert village.descendant_ids() == {village.pk}
    assert gaoxin.descendant_ids() == {gaoxin.pk}


def test_descendants_cost_one_query_per_level(tree, django_assert_num_queries):
    jiefang = tree[0]
    with django_assert_num_queries(3):  # streets, the village, then nothing more
        jiefang.descendant_ids()


def test_a_unit_in_use_as_a_parent_cannot_be_deleted(tree):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tree[0].delete()


def test_a_users_scope_is_its_unit_and_the_units_below(tree):
    jiefang, jiaonan, minzhu, village, gaoxin = tree
    district = UserFactory(role=Role.REGION, unit=jiefang)
    street = UserFactory(role=Role.REGION, unit=jiaonan)
    assert district.scope_unit_ids == {jiefang.pk, jiaonan.pk, minzhu.pk, village.pk}
    assert street.scope_unit_ids == {jiaonan.pk, village.pk}
    assert UserFactory(role="", unit=None).scope_unit_ids == set()


def test_the_scope_is_worked_out_once_per_user_object(tree, django_assert_num_queries):
    user = UserFactory(role=Role.REGION, unit=tree[0])
    with django_assert_num_queries(3):
        first = user.scope_unit_ids
        again = user.scope_unit_ids
    assert first == again == {tree[0].pk, tree[1].pk, tree[2].pk, tree[3].pk}


@pytest.mark.parametrize("role", Role.values)
def test_headquarters_leaders_and_inspectors_see_everything(db, role):
    user = UserFactory(role=role)
    assert user.sees_everything == (role in ROLES_SEEING_EVERYTHING)
    assert user.sees_everything == (role in {"headquarters", "leader", "inspector"})
    assert user.is_headquarters == (role == Role.HEADQUARTERS)


def test_a_superuser_sees_everything_and_acts_as_headquarters(db):
    admin = UserFactory(role="", is_superuser=True)
    assert admin.sees_everything and admin.is_headquarters
    assert not UserFactory(role="").sees_everything


def test_the_unit_directory_is_for_active_signed_in_users(tree):
    assert set(Unit.objects.visible_to(UserFactory(role=Role.OWNER))) == set(tree)
    assert set(Unit.objects.visible_to(UserFactory(role="", unit=None))) == set(tree)
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    assert not Unit.objects.visible_to(UserFactory(role=Role.HEADQUARTERS, is_active=False))


def test_names(db):
    assert str(UnitFactory(name="焦作市自然资源和规划局", short_name="自然资源局")) == "自然资源局"
    assert str(UnitFactory(name="市投资集团")) == "市投资集团"
    assert str(LeaderFactory(name="王建国", title="副市长")) == "王建国（副市长）"
    assert str(LeaderFactory(name="李明", title="")) == "李明"
    assert str(UserFactory(username="zhangwei", last_name="张", first_name="伟")) == "张伟"
    assert str(UserFactory(username="hq")) == "hq"


def test_two_leaders_with_one_name_and_title_are_refused_in_chinese(db):
    LeaderFactory(name="王建国", title="副市长")
    with pytest.raises(ValidationError) as refused:
        Leader(name="王建国", title="副市长").full_clean()
    assert "已存在同名同职务的领导。" in refused.value.messages
    Leader(name="王建国", title="市长").full_clean()  # another title: another person


def test_units_are_ordered_by_kind_then_sort_order_then_name(db):
    UnitFactory(name="高新区", code="gaoxin", kind=UnitKind.REGION, sort_order=2)
    UnitFactory(name="解放区", code="jiefang", kind=UnitKind.REGION, sort_order=1)
    UnitFactory(name="交通运输局", code="jiaotong", kind=UnitKind.DEPARTMENT)
    names = list(Unit.objects.values_list("name", flat=True))
    assert names == ["交通运输局", "解放区", "高新区"]  # "department" sorts before "region"
