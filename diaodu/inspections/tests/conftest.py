"""Inspections of the small city: reports to check in 解放区, 街道 and 高新区; time frozen."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from diaodu.inspections import services
from diaodu.inspections.choices import Rating
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

TODAY = date(2026, 6, 10)


def pytest_itemcollected(item):
    """Every test here runs at 10:00 on 10 June 2026 (the suite's `today` marker)."""
    item.add_marker(pytest.mark.today("2026-06-10"))


def at(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9))


def report(project, period, percent, status=ReportStatus.SUBMITTED, submitted=True):
    return ProgressReport.objects.create(
        project=project,
        period=period,
        status=status,
        physical_percent=Decimal(percent) if percent is not None else None,
        physical_progress=f"主体结构施工，完成约{percent}%",
        submitted_at=at(period.due_date) if submitted else None,
    )


@pytest.fixture
def periods(city):
    """April and May closed, June open: monthly periods of the city programme."""

    def period(month):
        start = date(2026, month, 1)
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return ReportingPeriod.objects.create(start=start, end=end, due_date=end.replace(day=25))

    return SimpleNamespace(april=period(4), may=period(5), june=period(6))


@pytest.fixture
def reports(city, periods):
    """解放区项目 claims 60% in May (approved); June's draft (90%) and a returned one don't count.

    街道项目 claims 40% in May, 高新区项目 50%; 全市项目 has never submitted.
    """
    p = city.projects
    return SimpleNamespace(
        april=report(p.jiefang, periods.april, 45, ReportStatus.APPROVED),
        may=report(p.jiefang, periods.may, 60, ReportStatus.APPROVED),
        june_draft=report(p.jiefang, periods.june, 90, ReportStatus.DRAFT, submitted=False),
        street=report(p.street, periods.may, 40),
        street_returned=report(p.street, periods.june, 80, ReportStatus.RETURNED),
        gaoxin=report(p.gaoxin, periods.may, 50),
    )


def record(city, project=None, *, seen="45", day=None, user=None, **data):
    """An inspection of 解放区项目 by the inspector (60% reported, 45 seen: overstated by 15)."""
    data.setdefault("inspectors", "黄海、周明")
    data.setdefault("findings", "现场察看，形象进度与填报不符。")
    data.setdefault("rating", Rating.FAIR)
    return services.do_record_inspection(
        user or city.users.inspector,
        project or city.projects.jiefang,
        date=day or TODAY - timedelta(days=2),
        verified_percent=Decimal(seen) if seen is not None else None,
        verified_progress="主体结构完成至三层",
        **data,
    )


def png(name="site.png"):
    from PIL import Image

    content = BytesIO()
    Image.new("RGB", (8, 8), "red").save(content, "PNG")
    return SimpleUploadedFile(name, content.getvalue(), content_type="image/png")


@pytest.fixture
def inspected(city, reports):
    """An overstated inspection in 解放区, one borne out in 高新区, one in 街道 with no gap."""
    return SimpleNamespace(
        jiefang=record(city),
        gaoxin=record(city, city.projects.gaoxin, seen="48", rating=Rating.GOOD),
        street=record(city, city.projects.street, seen=None, rating=Rating.GOOD),
    )
