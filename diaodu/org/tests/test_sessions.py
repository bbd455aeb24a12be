"""Session limits (idle and absolute) and the forced password change."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from diaodu.factories import PASSWORD, UserFactory
from diaodu.org.choices import Role


@pytest.fixture
def hq(db):
    return UserFactory(username="hq", role=Role.HEADQUARTERS)


def signed_in(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_an_idle_session_ends(hq):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(hq)
        clock.move_to(start + timedelta(minutes=29))
        assert client.get("/notifications/").status_code == 200
        clock.move_to(start + timedelta(minutes=58))  # 29 minutes after the last request
        assert client.get("/notifications/").status_code == 200
        clock.move_to(start + timedelta(minutes=89))  # 31 minutes idle
        response = client.get("/notifications/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "30 分钟" in page


def test_a_session_ends_after_its_absolute_lifetime_however_busy(hq, settings):
    settings.DIAODU_SESSION_MAX_HOURS = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(hq)
        for minutes in range(20, 120, 20):
            clock.move_to(start + timedelta(minutes=minutes))
            assert client.get("/notifications/").status_code == 200
        clock.move_to(start + timedelta(minutes=121))
        response = client.get("/notifications/")
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session


def test_a_user_who_must_change_the_password_is_sent_to_the_page(hq):
    hq.must_change_password = True
    hq.save(update_fields=["must_change_password"])
    client = signed_in(hq)
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response["Location"] == "/password/"
    page = client.get("/password/").content.decode()
    assert "必须先修改密码" in page

    refused = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "hq123456", "new_password2": "hq123456"},
    )
    assert refused.status_code == 200
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Diaodu-2026", "new_password2": "Diaodu-2026"},
    )
    assert response.status_code == 302
    hq.refresh_from_db()
    assert not hq.must_change_password
    assert hq.check_password("Diaodu-2026")
    assert client.get("/projects/").status_code == 200  # still signed in, free to go on


def test_everyone_may_change_their_password_and_the_menu_links_it(hq):
    client = signed_in(hq)
    assert client.get("/projects/").status_code == 200
    assert 'href="/password/"' in client.get("/notifications/").content.decode()


def test_signed_out_the_page_asks_to_sign_in(db):
    response = Client().get("/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_demo_accounts_must_change_the_shared_password_in_production(db, settings):
    from diaodu.demo import builder
    from diaodu.org.models import User

    settings.DIAODU_DEMO_PASSWORD_MUST_CHANGE = True
    # The demo's units, leaders and accounts, as the whole build makes them.
    demo = builder.Builder(timezone.localdate())
    demo.build_units()
    demo.build_leaders()
    demo.build_users()
    accounts = [username for username, *_rest in builder.ACCOUNTS]
    assert set(
        User.objects.filter(must_change_password=True).values_list("username", flat=True)
    ) == set(accounts)
    client = Client()
    client.post("/login/", {"username": "hq", "password": builder.PASSWORD})
    assert User.objects.get(username="hq").must_change_password
    assert client.get("/projects/")["Location"] == "/password/"
