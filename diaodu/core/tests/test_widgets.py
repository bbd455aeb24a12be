from django import forms
from django.test.html import parse_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from diaodu.core.widgets import FastSelect, fast_selects


class Form(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("a", "甲 & 乙"),
            ("组", [("b", "丙")]),
            ("\"><script>'", "<script>alert('x')</script>"),
            ("s", gettext_lazy("Save")),
            ("m", mark_safe("<b>甲</b>")),
        ]
    )


def test_fast_select_renders_what_django_renders():
    form = Form({"kind": "b"})
    django_html = str(form["kind"])
    fast_selects(form)
    assert isinstance(form.fields["kind"].widget, FastSelect)
    fast_html = str(form["kind"])
    assert parse_html(fast_html) == parse_html(django_html)
    assert "甲 &amp; 乙" in fast_html and '<option value="b" selected>' in fast_html
    assert "<script>" not in fast_html.replace("<b>甲</b>", "")
    assert '<option value="s">保存</option>' in fast_html


def test_template_attrs_writes_what_djangos_attrs_template_writes():
    from django.forms.renderers import get_default_renderer
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from diaodu.core.widgets import template_attrs

    attrs = {
        "required": True,
        "disabled": False,
        "placeholder": gettext_lazy("Save"),
        "title": "\"<甲 & 乙>\" 'x'",
        "step": 0.01,
        "min": 0,
        "data-none": None,
        "data-safe": mark_safe("<b>"),
        "id": "id_p1-invested",
    }
    template = get_default_renderer().engine.from_string(
        '<x{% include "django/forms/widgets/attrs.html" %}>'
    )
    assert f"<x{template_attrs(attrs)}>" == template.render({"widget": {"attrs": attrs}})
    assert ' title="&quot;&lt;甲 &amp; 乙&gt;&quot; &#x27;x&#x27;"' in template_attrs(attrs)


def _ledger_filters(user, data):
    from diaodu.projects.filters import ProjectFilterSet
    from diaodu.projects.models import Project

    return ProjectFilterSet(data, queryset=Project.objects.all()).form


def test_options_kept_by_the_process_follow_every_change_to_their_rows(city, settings):
    """Where a cache is shared, the options of a select of units, leaders or programmes are
    written once a process and read again without a query, until one of their rows changes;
    the chosen option is marked whatever was kept."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from diaodu.factories import LeaderFactory, UnitFactory
    from diaodu.org.choices import UnitKind

    settings.DIAODU_KEEP_FIGURES = True
    cache.clear()

    def region_select(data=None):
        form = _ledger_filters(city.users.hq, data or {})
        with CaptureQueriesContext(connection) as queries:
            written = str(form["region"])
        return written, len(queries.captured_queries)

    first, read = region_select()
    again, read_again = region_select()
    assert again == first and read == 1 and read_again == 0
    chosen, _read = region_select({"region": str(city.gaoxin.pk)})
    assert f'<option value="{city.gaoxin.pk}" selected>' in chosen
    assert chosen.count(" selected") == 1 and '<option value="" selected>' in first
    new = UnitFactory(name="新区<1>", kind=UnitKind.REGION)
    added, read = region_select()
    assert read == 1 and "新区&lt;1&gt;" in added
    new.name = "新区二"
    new.save()
    assert "新区二" in region_select()[0]
    new.delete()
    assert "新区二" not in region_select()[0]
    leader = LeaderFactory(name="李明")
    form = _ledger_filters(city.users.hq, {})
    assert "李明" in str(form["leader"])
    leader.delete()
    assert "李明" not in str(_ledger_filters(city.users.hq, {})["leader"])


def test_without_a_shared_cache_options_are_read_every_time(city, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DIAODU_KEEP_FIGURES = False
    for _twice in range(2):
        form = _ledger_filters(city.users.hq, {})
        with CaptureQueriesContext(connection) as queries:
            str(form["region"])
        assert len(queries.captured_queries) == 1
