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
    every = list(first.context["page"].paginator.object_list)
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


# A row of the page as reporting/_fill_row.html wrote it before the rows were written in
# Python (reporting/rows.py); the Python must write the same HTML in every state of a row.
ROW_TEMPLATE = """{% load i18n %}{% with form=row.form project=row.project report=row.report %}
{# One project's row of the grid #}
<tr id="row-{{ project.pk }}" class="fill-card" data-project="{{ project.pk }}" data-draft-state="{% if saved %}saved{% elif conflict %}conflict{% else %}clean{% endif %}"{% if conflict %} data-current-version="{{ conflict.current.version }}"{% endif %}{% if report and not report.is_editable %} data-locked{% endif %}>
  <td class="project-name" style="min-width:12rem">
    <a href="{% url 'projects:detail' project.pk %}">{{ project.name }}</a>
    <div>{% if report %}<a href="{% url 'reporting:report' report.pk %}"><span class="badge bg-{{ report.status_colour }}-lt">{{ report.get_status_display }}</span></a>{% else %}<span class="badge bg-red-lt">{% translate "Not reported" %}</span>{% endif %}</div>
    <div class="small" id="draft-message-{{ project.pk }}" data-draft-message aria-live="polite">{% if saved %}<span class="text-success">{% translate "Saved." %}</span>{% endif %}</div>
    <div class="draft-actions" hidden data-draft-actions>
      <button type="button" class="btn btn-sm btn-outline-primary" id="draft-overwrite-{{ project.pk }}" data-draft-overwrite hidden>{% translate "Save my draft over the saved version" %}</button>
      <button type="button" class="btn btn-sm btn-outline-danger" id="draft-discard-{{ project.pk }}" data-draft-discard>{% translate "Discard the draft on this phone" %}</button>
    </div>
    {% for warning in warnings %}<div class="text-warning small">{{ warning }}</div>{% endfor %}
    {% if error %}<div class="text-danger small">{{ error }}</div>{% endif %}
    {% if conflict %}<div class="text-danger small">{{ conflict }}
      {% translate "Saved version" %}: {% if period.carries_investment %}{{ conflict.current.invested }} / {% endif %}{{ conflict.current.physical_percent|default_if_none:"—" }}% / {{ conflict.current.physical_progress }}.
      {% translate "Reload the page to edit the saved version; what you typed is still in the row." %}</div>{% endif %}
    {% for error in form.non_field_errors %}<div class="text-danger small">{{ error }}</div>{% endfor %}
  </td>
  {% if report and not report.is_editable %}
  {% if period.carries_investment %}<td class="num"><span class="form-label d-sm-none">{% translate "Investment this period (10k yuan)" %}</span>{{ report.invested }}</td>{% endif %}<td><span class="form-label d-sm-none">{% translate "Physical progress (%)" %}</span>{{ report.physical_percent|default_if_none:"—" }}</td><td><span class="form-label d-sm-none">{% translate "Workers on site" %}</span>{{ report.workers|default_if_none:"—" }}</td>
  <td><span class="form-label d-sm-none">{% translate "Physical progress" %}</span>{{ report.physical_progress|truncatechars:60 }}</td><td><span class="form-label d-sm-none">{% translate "Next steps" %}</span>{{ report.next_steps|truncatechars:40 }}</td><td><span class="form-label d-sm-none">{% translate "Problems encountered" %}</span>{{ report.problems|truncatechars:40 }}</td>
  <td class="text-secondary small">{% translate "Locked" %}</td>
  {% else %}
  {{ form.cells }}
  <td class="fill-actions">{{ form.version }}
    <button class="btn btn-sm btn-primary" id="save-{{ project.pk }}" data-fill-save hx-post="{% url 'reporting:fill-row' period.pk project.pk %}" hx-include="#row-{{ project.pk }}" hx-target="#row-{{ project.pk }}" hx-swap="outerHTML" hx-headers='{"X-CSRFToken": "{{ csrf_token }}"}'>{% translate "Save" %}</button>
    {% if report %}<form method="post" action="{% url 'reporting:action' report.pk 'submit' %}" class="mt-1">{% csrf_token %}<input type="hidden" name="next" value="{% url 'reporting:fill' period.pk %}"><button class="btn btn-sm btn-success">{% translate "Submit" %}</button></form>{% endif %}
  </td>
  {% endif %}
</tr>
{% endwith %}
"""  # noqa: E501


def _states(city, period):
    """A row in each state it can be written in: (project, report, form, what else the view
    gives)."""
    owner, project = city.users.owner, city.projects.jiefang
    bound, loaded, fresh = _forms(period)
    draft = file(owner, project, period, physical_progress="甲<乙>" * 30).report
    locked = ProgressReport(
        pk=99,
        project=project,
        period=period,
        status="submitted",
        invested=Decimal("12345.60"),
        physical_percent=None,
        workers=1200,
        physical_progress="桥梁 & 隧道，" * 20,
        next_steps="<b>下月</b>" * 10,
        problems="",
    )
    conflict = services.ReportConflict(draft, {})
    return [
        (project, None, fresh, {}),
        (project, draft, loaded, {"saved": True, "warnings": ["超出<计划>的 3 倍"]}),
        (project, locked, None, {}),
        (project, draft, bound, {"conflict": conflict}),
        (project, locked, bound, {"conflict": conflict}),
        (project, None, bound, {}),
        (project, None, fresh, {"error": "您不能<填报>该项目。"}),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rows_are_the_html_the_template_wrote(city, period, language):
    from django.template import engines
    from django.utils import translation

    from diaodu.reporting.rows import FillRows

    template = engines["django"].from_string(ROW_TEMPLATE)
    progress = type(period)(pk=period.pk, kind="progress", start=period.start, end=period.end)
    with translation.override(language):
        for shown in (period, progress):
            writer = FillRows(shown, "TOKEN<&>")
            for project, report, form, extra in _states(city, period):
                row = {"project": project, "report": report, "form": form}
                expected = template.render(
                    {"period": shown, "row": row, "csrf_token": "TOKEN<&>", **extra}
                )
                ours = writer.row(project, report, form, **extra)
                assert ours.strip() == expected.strip(), (shown.kind, extra, report)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_rows_inputs_without_a_form_are_those_of_its_unbound_form(city, period, language):
    """The page builds one form and writes every editable row's inputs from it: the same HTML
    as an unbound ReportForm of the row's report, whatever its values."""
    from django.utils import translation

    from diaodu.reporting.rows import FillRows

    project = city.projects.jiefang
    odd = "<b>\"甲\" & '乙'</b>p987654321987 __fillslot_invested__"
    reports = [
        None,
        ProgressReport(project=project, period=period, version=0),
        ProgressReport(
            pk=7,
            project=project,
            period=period,
            version=12,
            invested=Decimal("12345.60"),
            physical_percent=Decimal("0.0"),
            workers=0,
            physical_progress="\n第二行" + odd,
            next_steps=odd,
            problems="",
        ),
        ProgressReport(
            pk=8,
            project=project,
            period=period,
            version=3,
            invested=Decimal("-1.5"),
            physical_percent=None,
            workers=None,
            physical_progress="",
        ),
    ]
    progress = type(period)(pk=period.pk, kind="progress", start=period.start, end=period.end)
    with translation.override(language):
        for shown in (period, progress):
            writer = FillRows(shown, "TOKEN")
            for report in reports:
                form = ReportForm(
                    period=shown,
                    instance=report,
                    prefix=f"p{project.pk}",
                    initial={"version": getattr(report, "version", 0)},
                )
                expected = writer.row(project, report, form)
                assert writer.row(project, report, None) == expected, (shown.kind, report)
                assert 'name="p987654321987' not in expected
