"""Signing in: lockout after repeated wrong passwords, and the Argon2id hash."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from diaodu.factories import PASSWORD, UserFactory
from diaodu.org.choices import Role


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def hq(db):
    return UserFactory(username="hq", role=Role.HEADQUARTERS)


def test_the_sixth_attempt_is_refused_even_with_the_right_password(hq, settings):
    client = Client()
    for _ in range(4):
        response = sign_in(client, "hq", "wrong")
        assert response.status_code == 200  # the form again, with its error
    assert sign_in(client, "hq", "wrong").status_code == 429  # the fifth locks
    response = sign_in(client, "hq", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已锁定" in page
    assert "30 分钟" in page
    assert "_auth_user_id" not in client.session

    # Another account, from another address, is not affected.
    UserFactory(username="jiefang", role=Role.REGION)
    response = sign_in(Client(), "jiefang", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302

    # After the cool-down the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = sign_in(Client(), "hq", PASSWORD)
        assert response.status_code == 302


def test_an_address_is_locked_after_failures_across_accounts(hq):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        sign_in(Client(), name, "wrong", address="10.0.0.9")
    response = sign_in(Client(), "hq", PASSWORD, address="10.0.0.9")
    assert response.status_code == 429
    assert sign_in(Client(), "hq", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_success_clears_earlier_failures(hq):
    client = Client()
    for _ in range(4):
        sign_in(client, "hq", "wrong")
    assert sign_in(client, "hq", PASSWORD).status_code == 302
    for _ in range(4):
        sign_in(Client(), "hq", "wrong")
    assert sign_in(Client(), "hq", PASSWORD).status_code == 302


def test_the_limit_and_the_cool_down_come_from_settings(hq, settings):
    settings.AXES_FAILURE_LIMIT = settings.DIAODU_LOGIN_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=5)
    settings.DIAODU_LOCKOUT_MINUTES = 5
    client = Client()
    sign_in(client, "hq", "wrong")
    sign_in(client, "hq", "wrong")
    response = sign_in(client, "hq", PASSWORD)
    assert response.status_code == 429
    assert "5 分钟" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert sign_in(Client(), "hq", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_counts(hq, settings):
    settings.DIAODU_FORWARDED_ALLOW_IPS = "127.0.0.1"
    for _ in range(5):
        Client().post(
            "/login/",
            {"username": "other", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.1.1.1",
        )
    # The proxy itself, forwarding someone else, is not locked.
    response = Client().post(
        "/login/",
        {"username": "hq", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.1.1.2",
    )
    assert response.status_code == 302


def test_the_api_token_still_works_for_a_locked_account(hq):
    from rest_framework.authtoken.models import Token

    for _ in range(6):
        sign_in(Client(), "hq", "wrong")
    token = Token.objects.create(user=hq)
    response = Client().get("/api/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_a_pbkdf2_hash_becomes_argon2id_at_the_next_sign_in(db, settings):
    settings.PASSWORD_HASHERS = [
        "diaodu.org.signin.TunedArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory(username="old")
    user.password = make_password("old-password-1", hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert sign_in(Client(), "old", "old-password-1").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
