"""Project.objects.visible_to(user): the one place project visibility is decided."""

import pytest
from django.contrib.auth.models import AnonymousUser

from diaodu.projects.models import Project

EXPECTED = {
    "hq": {"jiefang", "street", "gaoxin", "city"},
    "leader": {"jiefang", "street", "gaoxin", "city"},
    "inspector": {"jiefang", "street", "gaoxin", "city"},
    # A region sees its own projects and those of the units below it.
    "jiefang": {"jiefang", "street"},
    "gaoxin": {"gaoxin"},
    # A department: projects it leads or is responsible for.
    "jiaotong": {"jiefang", "gaoxin"},
    # An owner: its own projects.
    "owner": {"jiefang", "city"},
    "nobody": set(),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_exactly_its_projects(city, username):
    user = getattr(city.users, username)
    names = {
        key
        for key, project in vars(city.projects).items()
        if Project.objects.visible_to(user).filter(pk=project.pk).exists()
    }
    assert names == EXPECTED[username]


def test_anonymous_and_inactive_users_see_nothing(city):
    assert not Project.objects.visible_to(AnonymousUser()).exists()
    city.users.hq.is_active = False
    assert not Project.objects.visible_to(city.users.hq).exists()


def test_superuser_sees_everything(city):
    city.users.nobody.is_superuser = True
    assert Project.objects.visible_to(city.users.nobody).count() == 4
