"""Headquarters-only changes are decided by one rule (`diaodu.org.permissions`): an account of
headquarters that is in use. A disabled account (a queued job may still carry its id) is
refused by every service, and the rule is the same for the outbox page and its list."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from diaodu.assessment import services as assessment
from diaodu.assessment.periods import Window
from diaodu.conftest import login
from diaodu.notifications.channels import Channel
from diaodu.notifications.models import Delivery, DeliveryStatus
from diaodu.notifications.services import do_resend
from diaodu.org import permissions
from diaodu.reporting import services as reporting
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod


@pytest.fixture
def disabled_hq(city):
    hq = city.users.hq
    hq.is_active = False
    hq.save(update_fields=["is_active"])
    return hq


def test_the_rule(city, disabled_hq):
    assert not permissions.is_headquarters(disabled_hq)
    for name in ("leader", "inspector", "jiefang", "owner", "nobody"):
        assert not permissions.is_headquarters(getattr(city.users, name))
    assert not permissions.is_headquarters(AnonymousUser())
    disabled_hq.is_active = True
    assert permissions.is_headquarters(disabled_hq)
    superuser = city.users.nobody
    superuser.is_superuser = True
    assert permissions.is_headquarters(superuser)


def test_a_disabled_headquarters_account_changes_no_reporting_period(city, disabled_hq):
    today = timezone.localdate()
    period = ReportingPeriod.objects.create(
        start=today.replace(day=1), end=today.replace(day=28), due_date=today
    )
    with pytest.raises(PermissionDenied):
        reporting.open_period(disabled_hq, None, today)
    with pytest.raises(PermissionDenied):
        reporting.extend_period(disabled_hq, period, today + timedelta(days=3), "延期")
    with pytest.raises(PermissionDenied):
        reporting.close_period(disabled_hq, period)
    report = ProgressReport.objects.create(
        project=city.projects.jiefang, period=period, status=ReportStatus.APPROVED
    )
    with pytest.raises(PermissionDenied):
        reporting.do_reopen_report(disabled_hq, report, "更正")
    period.refresh_from_db()
    assert period.due_date == today and period.closed_at is None
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.APPROVED


def test_a_disabled_headquarters_account_resends_nothing(city, disabled_hq):
    delivery = Delivery.objects.create(
        key="test:resend",
        channel=Channel.EMAIL,
        target=f"user:{city.users.jiefang.pk}",
        message={"title": "标题", "body": "正文"},
        status=DeliveryStatus.FAILED,
    )
    with pytest.raises(PermissionDenied):
        do_resend(disabled_hq, delivery)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED
    assert not Delivery.objects.visible_to(disabled_hq).exists()
    assert login(city.users.jiefang).get(reverse("notifications:outbox")).status_code == 403


def test_a_disabled_headquarters_account_publishes_no_ranking(city, disabled_hq):
    window = Window.month_of(timezone.localdate().replace(day=1) - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        assessment.do_publish_period(disabled_hq, window)
