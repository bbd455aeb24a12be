"""The outbox: every notice reaches its channels once, failures stay visible, resending works."""

from datetime import datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from diaodu.conftest import login
from diaodu.notifications import outbox
from diaodu.notifications.channels import ChannelError
from diaodu.notifications.models import ChannelChoice, Delivery, DeliveryStatus, UnitRobot
from diaodu.notifications.services import notify
from diaodu.notifications.tasks import MAX_ATTEMPTS, send_delivery, send_digests
from diaodu.reporting import services as reporting
from diaodu.reporting.tests.test_services import submitted

SENT: list[tuple] = []
FAILURES = {"left": 0}


def recording(message, target):
    if FAILURES["left"]:
        FAILURES["left"] -= 1
        raise ChannelError("HTTP 500 from the robot", retryable=True)
    SENT.append((message, target))
    return "id-1"


@pytest.fixture(autouse=True)
def channels(monkeypatch):
    """Every channel records what it would send (the real ones are tested against peers)."""
    SENT.clear()
    FAILURES["left"] = 0
    path = f"{__name__}.recording"
    from diaodu.notifications import channels as module

    monkeypatch.setattr(module, "CHANNELS", dict.fromkeys(module.CHANNELS, path))


def robot(unit, channel="dingtalk"):
    return UnitRobot.objects.create(
        unit=unit, channel=channel, webhook="http://127.0.0.1:9/robot", secret="SECx"
    )


@pytest.mark.today("2026-05-20")  # May 2026's period is open (reporting/tests/conftest.py)
def test_returning_a_report_tells_the_owners_robot_once_naming_project_and_reason(
    city, period, django_capture_on_commit_callbacks
):
    robot(city.touzi)
    city.users.owner.phone = "13800000001"
    city.users.owner.save()
    report = submitted(city, period)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.do_return_report(city.users.jiefang, report, "投资数与形象进度不符")
    robot_sends = [(m, t) for m, t in SENT if "webhook" in t]
    assert len(robot_sends) == 1
    message, target = robot_sends[0]
    assert city.projects.jiefang.name in message.title and "投资数与形象进度不符" in message.body
    assert message.url.startswith("http") and message.mentions == ["13800000001"]
    assert target == {"webhook": "http://127.0.0.1:9/robot", "secret": "SECx"}
    delivery = Delivery.objects.get(channel="dingtalk")
    assert delivery.status == DeliveryStatus.SENT and delivery.event == "report.returned"


def test_one_robot_message_for_several_people_of_a_unit(city, django_capture_on_commit_callbacks):
    from diaodu.factories import UserFactory

    robot(city.jiefang, "wecom")
    second = UserFactory(username="jiefang2", role="region", unit=city.jiefang)
    with django_capture_on_commit_callbacks(execute=True):
        notify([city.users.jiefang, second], "征地问题待处理", url="/problems/1/")
    assert Delivery.objects.filter(channel="wecom").count() == 1
    assert len([1 for _m, t in SENT if "webhook" in t]) == 1


def test_the_deployment_robot_serves_units_without_their_own(
    city, settings, django_capture_on_commit_callbacks
):
    settings.DIAODU_DINGTALK_WEBHOOK = "http://127.0.0.1:9/default"
    settings.DIAODU_DINGTALK_SECRET = "SECdefault"
    robot(city.gaoxin)
    with django_capture_on_commit_callbacks(execute=True):
        notify([city.users.jiefang, city.users.gaoxin], "通知")
    targets = sorted(Delivery.objects.values_list("target", flat=True))
    assert targets == ["default", f"robot:{UnitRobot.objects.get().pk}"]
    assert {t["webhook"] for _m, t in SENT} == {
        "http://127.0.0.1:9/default",
        "http://127.0.0.1:9/robot",
    }


def test_told_again_tells_no_channel_again(city, django_capture_on_commit_callbacks):
    robot(city.jiefang)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify([city.users.jiefang], "提醒", key="problem:1:near")
    assert Delivery.objects.count() == 1 and len(SENT) == 1
    assert send_delivery(Delivery.objects.get().pk) == "skipped"  # a task delivered twice


def test_email_follows_the_persons_choice_and_quiet_hours(city, django_capture_on_commit_callbacks):
    owner = city.users.owner
    owner.email = "chen@touzi.example.cn"
    owner.save()
    ChannelChoice.objects.create(user=owner, email=True, quiet_from=time(22), quiet_until=time(7))
    at_night = timezone.make_aware(datetime(2026, 6, 1, 23, 30))
    with (
        time_machine.travel(at_night, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify([owner], "填报被退回")
    delivery = Delivery.objects.get(channel="email")
    assert delivery.target_label.endswith("c***@touzi.example.cn")
    assert timezone.localtime(delivery.not_before).hour == 7
    ChannelChoice.objects.filter(user=owner).update(email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify([owner], "另一条通知")
    assert Delivery.objects.filter(channel="email").count() == 1


def test_a_digest_gathers_the_days_notices_into_one(city, django_capture_on_commit_callbacks):
    owner = city.users.owner
    owner.email = "chen@touzi.example.cn"
    owner.save()
    ChannelChoice.objects.create(user=owner, email=True, digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify([owner], "第一条")
        notify([owner], "第二条")
    assert Delivery.objects.filter(status=DeliveryStatus.HELD).count() == 2 and SENT == []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 1
    assert len(SENT) == 1 and "第一条" in SENT[0][0].body and "第二条" in SENT[0][0].body
    assert not Delivery.objects.filter(status=DeliveryStatus.HELD).exists()


def test_a_failing_channel_shows_failed_with_its_error_and_resending_delivers(
    city, django_capture_on_commit_callbacks
):
    robot(city.jiefang)
    FAILURES["left"] = MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        notify([city.users.jiefang], "督办提醒")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert "HTTP 500" in delivery.last_error and SENT == []
    hq = login(city.users.hq)
    page = hq.get(reverse("notifications:outbox"), {"status": "failed"})
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = hq.post(reverse("notifications:outbox-resend", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and len(SENT) == 1


def test_the_outbox_is_headquarters_only(city, client):
    robot(city.jiefang)
    notify([city.users.jiefang], "通知")
    delivery = Delivery.objects.get()
    url = reverse("notifications:outbox")
    assert client.get(url).status_code == 302
    for user in (city.users.jiefang, city.users.owner, city.users.leader, city.users.inspector):
        assert login(user).get(url).status_code == 403
        resend = login(user).post(reverse("notifications:outbox-resend", args=[delivery.pk]))
        assert resend.status_code == 404


def test_the_outbox_page_has_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    robot(city.jiefang)
    for n in range(30):
        notify([city.users.jiefang], f"通知{n}")
    hq = login(city.users.hq)
    with django_assert_max_num_queries(12):
        assert hq.get(reverse("notifications:outbox")).status_code == 200


def test_a_person_chooses_channels_with_errors_in_chinese(city):
    client = login(city.users.owner)
    url = reverse("notifications:settings")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"email": "on", "email_address": "", "phone": "123"})
    errors = bad.context["form"].errors
    assert bad.status_code == 200 and set(errors) == {"phone", "email_address"}
    assert "13800000000" in errors["phone"][0]
    good = client.post(
        url,
        {
            "email": "on",
            "email_address": "chen@touzi.example.cn",
            "phone": "13800000002",
            "quiet_from": "22:00",
            "quiet_until": "07:00",
        },
    )
    assert good.status_code == 302
    city.users.owner.refresh_from_db()
    assert city.users.owner.phone == "13800000002"
    assert ChannelChoice.objects.get(user=city.users.owner).quiet_until == time(7)
    assert (
        outbox._quiet_end(
            ChannelChoice.objects.get(user=city.users.owner),
            timezone.make_aware(datetime(2026, 6, 1, 12, 0)),
        )
        is None
    )


def test_the_api_beside_the_pages(city, client, django_capture_on_commit_callbacks):
    from diaodu.projects.tests.test_api import api

    robot(city.jiefang)
    FAILURES["left"] = MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        notify([city.users.jiefang], "督办提醒")
    delivery = Delivery.objects.get()
    assert client.get("/api/deliveries/").status_code in (401, 403)
    assert api(city.users.jiefang).get("/api/deliveries/").json()["count"] == 0
    assert api(city.users.jiefang).get(f"/api/deliveries/{delivery.pk}/").status_code == 404
    hq = api(city.users.hq)
    listed = hq.get("/api/deliveries/", {"status": "failed"}).json()
    assert listed["count"] == 1 and "HTTP 500" in listed["results"][0]["last_error"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = hq.post(f"/api/deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 200
    assert hq.post(f"/api/deliveries/{delivery.pk}/resend/").status_code == 400  # sent now
    # Each person reads their own notices only.
    mine = api(city.users.jiefang).get("/api/notifications/").json()
    assert [n["title"] for n in mine["results"]] == ["督办提醒"]
    assert api(city.users.owner).get("/api/notifications/").json()["count"] == 0
    note = mine["results"][0]["id"]
    assert api(city.users.owner).post(f"/api/notifications/{note}/read/").status_code == 404
    assert api(city.users.jiefang).post(f"/api/notifications/{note}/read/").json()["read_at"]
