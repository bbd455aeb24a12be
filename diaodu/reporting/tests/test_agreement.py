"""Every investment figure agrees: the dashboard's curve and card, the ledger's totals, the
indicators the ranking and the bulletin read, on the demo city and on a generated province.

All of them come from the approved monthly reports through `reporting.totals`; a figure that
counted a report twice, or read another programme's copy of a month, would differ here.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diaodu.assessment.choices import Group
from diaodu.assessment.indicators import compute, portfolio
from diaodu.assessment.periods import Window
from diaodu.demo import builder
from diaodu.monitoring.ledger import totals
from diaodu.org.choices import Role
from diaodu.org.models import User
from diaodu.projects.models import Project
from diaodu.reporting.totals import counted_reports


def _figures(user, year, password):
    client = Client()
    assert client.login(username=user.username, password=password)
    dashboard = client.get(reverse("api-dashboard"), {"year": year}).json()
    ledger = client.get(reverse("projects:list"), {"year": year}).context["totals"]
    actual = [point["actual"] for point in dashboard["curve"] if point["actual"] is not None]
    return Decimal(actual[-1]), Decimal(dashboard["invested"]), ledger.year_invested


def assert_every_figure_agrees(year, password):
    hq = User.objects.filter(role=Role.HEADQUARTERS, is_active=True).order_by("pk").first()
    curve, card, ledger = _figures(hq, year, password)
    window = Window.parse(str(year))
    regions = compute(window, Group.REGION)
    by_regions = sum(Decimal(values["facts"]["invested"]) for values in regions.values())
    whole = Decimal(portfolio(window)["facts"]["invested"])
    in_regions = totals(Project.objects.filter(region__isnull=False), year).year_invested
    reports = sum(r.invested for r in counted_reports(year=year))
    assert curve == card == ledger == whole == reports > 0
    # The regions' indicators add up to the ledger over the projects that are in a region.
    assert by_regions == in_regions > 0
    # A region's account sees the same figures for its area as its indicators say.
    region_user = User.objects.filter(role=Role.REGION, is_active=True).order_by("pk").first()
    curve, card, ledger = _figures(region_user, year, password)
    top = region_user.unit if region_user.unit.kind == "region" else None
    while top is not None and top.parent is not None and top.parent.kind == "region":
        top = top.parent
    assert curve == card == ledger == Decimal(regions[top.pk]["facts"]["invested"])


def test_every_investment_figure_agrees_on_the_demo(demo_city):
    assert_every_figure_agrees(demo_city.today.year, builder.PASSWORD)


@pytest.mark.django_db
def test_every_investment_figure_agrees_on_a_generated_province():
    call_command("generate", "--projects", "300", stdout=StringIO())
    assert_every_figure_agrees(timezone.localdate().year, "bench")
