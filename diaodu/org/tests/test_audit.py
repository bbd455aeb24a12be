"""The audit log: what is written, who reads it, how long it is kept; passwords not reused."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from diaodu.core.models import JobRun
from diaodu.factories import PASSWORD, UserFactory
from diaodu.org.audit import prune
from diaodu.org.choices import AuditKind, Role
from diaodu.org.models import AuditEvent, PasswordHistory
from diaodu.org.tasks import prune_audit


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def kinds(**filters):
    return list(AuditEvent.objects.filter(**filters).values_list("kind", flat=True))


@pytest.fixture
def hq(db):
    return UserFactory(username="hq", role=Role.HEADQUARTERS)


def test_a_sign_in_a_failure_and_a_sign_out_are_recorded_with_the_address(hq):
    AuditEvent.objects.all().delete()
    client = Client()
    sign_in(client, "hq", "wrong", address="10.0.0.7")
    sign_in(client, "hq", PASSWORD, address="10.0.0.7")
    client.post("/logout/", REMOTE_ADDR="10.0.0.7")
    events = list(AuditEvent.objects.order_by("at", "pk"))
    assert [e.kind for e in events] == [
        AuditKind.SIGN_IN_FAILED,
        AuditKind.SIGNED_IN,
        AuditKind.SIGNED_OUT,
    ]
    assert {e.address for e in events} == {"10.0.0.7"}
    assert events[0].user is None and events[0].username == "hq"
    assert events[1].user == hq
    assert all(e.request_id for e in events)


def test_a_failure_for_an_unknown_name_keeps_the_name_tried(db):
    sign_in(Client(), "nobody", "wrong")
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN_FAILED)
    assert event.username == "nobody" and event.user is None


def test_a_lockout_is_recorded(hq):
    client = Client()
    for _ in range(5):
        sign_in(client, "hq", "wrong", address="10.0.0.3")
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, username="hq").exists()
    assert "30" in AuditEvent.objects.get(kind=AuditKind.LOCKED_OUT).detail


def test_a_download_is_recorded_with_the_files_name(city):
    client = Client()
    client.force_login(city.users.hq)
    AuditEvent.objects.all().delete()
    response = client.get(reverse("projects:export"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(kind=AuditKind.EXPORTED)
    assert event.user == city.users.hq
    assert ".xlsx" in event.detail and "/projects/export.xlsx" in event.detail


def test_a_change_of_role_or_unit_is_recorded_and_a_plain_save_is_not(city):
    user = city.users.jiefang
    AuditEvent.objects.all().delete()
    user.phone = "13800000000"
    user.save()
    assert kinds() == []
    user.role = Role.OWNER
    user.unit = city.gaoxin
    user.save()
    event = AuditEvent.objects.get(kind=AuditKind.PERMISSIONS_CHANGED)
    assert event.user == user
    assert "解放区 → 高新区" in event.detail
    assert event.detail == "角色：区县 → 建设单位；单位：解放区 → 高新区"
    user.groups.add(Group.objects.create(name="审计"))
    assert kinds(kind=AuditKind.PERMISSIONS_CHANGED) == [AuditKind.PERMISSIONS_CHANGED] * 2


def test_a_sign_in_saving_last_login_reads_nothing_more(city, django_assert_num_queries):
    user = city.users.jiefang
    AuditEvent.objects.all().delete()
    with django_assert_num_queries(1):  # the UPDATE of last_login, no read of the old row
        user.save(update_fields=["last_login"])
    assert not AuditEvent.objects.filter(kind=AuditKind.PERMISSIONS_CHANGED, user=user).exists()
    user.role = Role.OWNER
    user.save(update_fields=["role"])
    assert AuditEvent.objects.filter(kind=AuditKind.PERMISSIONS_CHANGED, user=user).exists()


def test_a_new_user_is_recorded(db):
    UserFactory(username="new-user", role=Role.REGION)
    assert AuditEvent.objects.filter(
        kind=AuditKind.PERMISSIONS_CHANGED, username="new-user"
    ).exists()


# -- passwords: changed on the page, recorded, not reused ----------------------------------------


def change(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_a_password_change_is_recorded_and_an_old_password_refused(hq):
    client = Client()
    client.force_login(hq)
    first, second = "Xin-mima-2026", "Geng-xin-2027"
    assert change(client, PASSWORD, first).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.PASSWORD_CHANGED, user=hq).exists()

    response = change(client, first, first)  # the current one again
    assert response.status_code == 200
    assert "不能与当前密码" in response.content.decode()

    assert change(client, first, second).status_code == 302
    response = change(client, second, first)  # the one before
    assert response.status_code == 200
    assert "不能与当前密码" in response.content.decode()


def test_the_history_keeps_the_current_and_the_last_ones(hq, settings):
    for i in range(9):
        hq.set_password(f"Mima-{i}-abcd")
        hq.save()
    # the current hash and the five before it
    assert PasswordHistory.objects.filter(user=hq).count() == 6
    hq.refresh_from_db()
    assert PasswordHistory.objects.filter(user=hq).first().encoded == hq.password


# -- reading the log ---------------------------------------------------------------------------


def test_headquarters_and_administrators_read_the_log_and_others_do_not(city):
    sign_in(Client(), "nobody", "wrong")
    hq = Client()
    hq.force_login(city.users.hq)
    page = hq.get(reverse("audit"), {"kind": AuditKind.SIGN_IN_FAILED})
    assert page.status_code == 200
    assert [e.username for e in page.context["page"]] == ["nobody"]
    assert "登录失败" in page.content.decode()

    staff = UserFactory(username="admin-staff", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("audit")).status_code == 200

    region = Client()
    region.force_login(city.users.jiefang)
    assert region.get(reverse("audit")).status_code == 403
    assert Client().get(reverse("audit")).status_code == 302


def test_the_api_lists_the_log_to_headquarters_only(city):
    sign_in(Client(), "nobody", "wrong")
    api = APIClient()
    api.force_authenticate(city.users.hq)
    body = api.get("/api/audit-events/", {"kind": "sign_in_failed"}).json()
    assert [row["username"] for row in body["results"]] == ["nobody"]
    assert body["results"][0]["kind_display"] == "登录失败"
    api.force_authenticate(city.users.jiefang)
    assert api.get("/api/audit-events/").json()["results"] == []
    assert APIClient().get("/api/audit-events/").status_code in (401, 403)


def test_the_page_filters_by_date_and_paginates(city):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=AuditKind.SIGN_IN_FAILED, username=f"u{i}") for i in range(60)
    )
    client = Client()
    client.force_login(city.users.hq)
    page = client.get(reverse("audit"), {"kind": AuditKind.SIGN_IN_FAILED})
    assert page.context["page"].paginator.count == 60 and len(page.context["page"]) == 50
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(reverse("audit"), {"since": tomorrow}).context["page"].paginator.count == 0


# -- keeping it N months ----------------------------------------------------------------------


def test_events_older_than_the_retention_are_pruned_and_the_job_is_idempotent(hq, settings):
    settings.DIAODU_AUDIT_MONTHS = 6
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        AuditEvent.objects.create(kind=AuditKind.SIGNED_IN, username="old")
    with time_machine.travel(timezone.now() - timedelta(days=170)):
        AuditEvent.objects.create(kind=AuditKind.SIGNED_IN, username="recent")
    assert prune_audit() == {"deleted": 1}
    assert prune() == 0
    assert set(AuditEvent.objects.values_list("username", flat=True)) >= {"recent"}
    assert not AuditEvent.objects.filter(username="old").exists()
    assert JobRun.objects.get(name="prune_audit").succeeded
