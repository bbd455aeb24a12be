"""The filing page's cost: its inputs are written in Python, the same HTML as Django's widget
templates write, and its queries do not grow with the number of projects."""

import copy
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.forms.renderers import get_default_renderer
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import AnnualPlanFactory, PlanMonthFactory, ProjectFactory
from diaodu.reporting import services
from diaodu.reporting.forms import ReportForm
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.tests.test_services import file

pytestmark = pytest.mark.today("2026-05-20")

# The cells of the inputs as _fill_row.html wrote them in a template loop.
CELLS_TEMPLATE = """{% for field in form.visible_fields %}
  <td><label class="form-label d-sm-none" for="{{ field.id_for_label }}">{{ field.label|capfirst }}</label>{{ field }}{% for e in field.errors %}<div class="text-danger small">{{ e }}</div>{% endfor %}</td>
  {% endfor %}"""  # noqa: E501


def _stock(widget):
    """The same widget, rendered by Django's own class (through its templates)."""
    stock = copy.deepcopy(widget)
    stock.__class__ = next(
        c for c in type(widget).__mro__ if c.__module__ == forms.Widget.__module__
    )
    return stock


def _forms(period):
    typed = {
        "p7-invested": "-3<",
        "p7-physical_percent": "101",
        "p7-workers": "八十",
        "p7-physical_progress": "<script>alert(\"a\" & 'b')</script>",
        "p7-next_steps": "\n第二行",
        "p7-problems": "",
        "p7-version": "4",
    }
    bound = ReportForm(typed, period=period, prefix="p7")
    assert not bound.is_valid()  # errors shown, aria-invalid on the fields
    bound.add_error(None, "有人<已>保存")
    saved = ProgressReport(
        invested=Decimal("1.50"), physical_percent=Decimal("35.0"), physical_progress="甲 & 乙"
    )
    loaded = ReportForm(period=period, instance=saved, prefix="p8", initial={"version": 3})
    return bound, loaded, ReportForm(period=period, prefix="p9", initial={"version": 0})


def test_row_inputs_are_the_html_djangos_templates_write(city, period):
    for form in _forms(period):
        for field in form:
            ours = field.as_widget()
            assert ours == field.as_widget(widget=_stock(field.field.widget)), field.name
        template = get_default_renderer().engine.from_string(CELLS_TEMPLATE)
        assert form.cells() == template.render({"form": form})
    bound = _forms(period)[0]
    assert 'aria-invalid="true"' in bound.cells()
    assert "&lt;script&gt;alert(&quot;a&quot; &amp; &#x27;b&#x27;)&lt;/script&gt;" in bound.cells()
    assert '<input type="hidden" name="p7-version" value="4" id="id_p7-version">' == str(
        bound["version"]
    )


def _fill_page(client, period):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reporting:fill", args=[period.pk]))
    assert response.status_code == 200
    return response, len(queries)


def test_fill_page_queries_do_not_grow_with_projects(city, period):
    client = login(city.users.owner)
    file(city.users.owner, city.projects.jiefang, period)
    few, few_queries = _fill_page(client, period)
    assert len(few.context["rows"]) == 2
    for n in range(12):
        project = ProjectFactory(owner=city.touzi, region=city.jiefang, lead_unit=city.jiaotong)
        project.programs.set([city.program])
        plan = AnnualPlanFactory(project=project, year=2026)
        PlanMonthFactory(plan=plan, month=5, planned_investment=Decimal("100"))
        if n % 3:
            report = file(city.users.owner, project, period).report
            if n % 3 == 2:
                services.do_submit_report(city.users.owner, report)
    many, many_queries = _fill_page(client, period)
    rows = many.context["rows"]
    assert len(rows) == 14 and sum(1 for row in rows if row["report"]) == 9
    assert many.content.decode().count("data-fill-save") == 14 - 4  # the submitted are locked
    assert many_queries == few_queries


def test_an_owner_of_many_projects_fills_them_a_page_at_a_time(city, period, monkeypatch):
    """Rows a page at a time (3 here), in ledger order, the search by name keeping its page
    links; each page reads only its own reports."""
    from diaodu.reporting import views

    monkeypatch.setattr(views, "FILL_PAGE", 3)
    for n in range(5):
        project = ProjectFactory(
            name=f"批量项目{n}", owner=city.touzi, region=city.jiefang, lead_unit=city.jiaotong
        )
        project.programs.set([city.program])
    client = login(city.users.owner)
    url = reverse("reporting:fill", args=[period.pk])
    first = client.get(url)
    every = first.context["page"].paginator.object_list
    assert len(every) == 7 and first.context["page"].paginator.num_pages == 3
    seen = []
    for number in (1, 2, 3):
        response = client.get(url, {"page": number})
        seen += [row["project"] for row in response.context["rows"]]
    assert seen == every
    assert 'name="q"' in first.content.decode() and "?page=2" in first.content.decode()
    found = client.get(url, {"q": "批量项目"})
    assert found.context["page"].paginator.count == 5
    assert "?page=2&amp;q=%E6%89%B9%E9%87%8F%E9%A1%B9%E7%9B%AE" in found.content.decode()
    nothing = client.get(url, {"q": "没有这个"}).content.decode()
    assert "没有名为“没有这个”的项目" in nothing
    file(city.users.owner, every[-1], period)
    last = client.get(url, {"page": 3})
    assert last.context["rows"][0]["report"] is not None
    assert client.get(url, {"page": "x"}).context["page"].number == 1
