"""A notice reaches a real DingTalk-like robot on this machine, signed, once."""

import pytest

from diaodu.notifications.models import Delivery, DeliveryStatus, UnitRobot
from diaodu.notifications.tests.peers import DINGTALK_SECRET, Receiver
from diaodu.reporting import services as reporting
from diaodu.reporting.tests.test_services import submitted

# The city's monthly period is May 2026's (reporting/tests/conftest.py): on 20 May it is open.
pytestmark = pytest.mark.today("2026-05-20")


@pytest.fixture
def receiver():
    peer = Receiver().start()
    yield peer
    peer.stop()


def test_returning_a_report_posts_one_signed_message_to_the_units_robot(
    city, period, receiver, django_capture_on_commit_callbacks
):
    UnitRobot.objects.create(
        unit=city.touzi, channel="dingtalk", webhook=receiver.dingtalk, secret=DINGTALK_SECRET
    )
    report = submitted(city, period)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.do_return_report(city.users.jiefang, report, "投资数与形象进度不符")
    assert len(receiver.requests) == 1  # the peer checked the signature and answered errcode 0
    text = receiver.requests[0].json()["markdown"]["text"]
    assert city.projects.jiefang.name in text and "投资数与形象进度不符" in text
    delivery = Delivery.objects.get(channel="dingtalk")
    assert delivery.status == DeliveryStatus.SENT, delivery.last_error


def test_a_wrong_secret_fails_at_once_and_says_why(
    city, period, receiver, django_capture_on_commit_callbacks
):
    UnitRobot.objects.create(
        unit=city.touzi, channel="dingtalk", webhook=receiver.dingtalk, secret="SECwrong"
    )
    report = submitted(city, period)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.do_return_report(city.users.jiefang, report, "数据有误")
    delivery = Delivery.objects.get(channel="dingtalk")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_error
