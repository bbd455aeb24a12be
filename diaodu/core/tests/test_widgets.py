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
