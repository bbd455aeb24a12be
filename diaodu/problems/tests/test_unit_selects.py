"""The unit selects of the problem and task forms are written in Python from plain rows: every
unit by the name it is shown by, the chosen one selected, in one query, and still validated."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.org.models import Unit
from diaodu.problems.forms import ProblemForm, TaskForm


def _options(html):
    return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', html)


def test_the_task_forms_lead_unit_lists_every_unit_once_read(city):
    form = TaskForm(initial={"lead_unit": city.jiaotong.pk})
    with CaptureQueriesContext(connection) as queries:
        html = str(form["lead_unit"])
    assert len(queries.captured_queries) == 1
    options = _options(html)
    assert [(int(v), name) for v, _s, name in options if v] == [
        (unit.pk, str(unit)) for unit in Unit.objects.all()
    ]
    assert [v for v, chosen, _n in options if chosen] == [str(city.jiaotong.pk)]
    assert "required" in html


def test_a_unit_that_is_not_there_is_refused(city):
    form = ProblemForm(
        {"category": "land", "description": "用地", "responsible_unit": "999999",
         "deadline": "2026-12-01"}
    )  # fmt: skip
    assert not form.is_valid() and "responsible_unit" in form.errors
    form = ProblemForm(
        {"category": "land", "description": "用地", "responsible_unit": str(city.ziran.pk),
         "deadline": "2026-12-01"}
    )  # fmt: skip
    assert form.is_valid() and form.cleaned_data["responsible_unit"] == city.ziran
