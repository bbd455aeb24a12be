"""Password rules: eight characters from three classes, not like the name, not common."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from diaodu.factories import UserFactory


@pytest.mark.parametrize(
    "password",
    ["hq123456", "gaoxin2026", "Ab1!", "password", "diaodu-demo", "abcdefgh"],
)
def test_weak_passwords_are_refused(db, password):
    user = UserFactory(username="gaoxin")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_the_refusal_says_why_in_chinese(db):
    with pytest.raises(ValidationError) as refused:
        validate_password("hq123456", UserFactory(username="hq"))
    assert any("字符" in message for message in refused.value.messages)


def test_a_password_like_the_user_name_is_refused(db):
    with pytest.raises(ValidationError):
        validate_password("Zhangwei_1", UserFactory(username="zhangwei1"))


@pytest.mark.parametrize("password", ["Diaodu-2026", "jz#Kp7qm", "调度Zq9-xin"])
def test_strong_passwords_pass(db, password):
    validate_password(password, UserFactory(username="gaoxin"))
