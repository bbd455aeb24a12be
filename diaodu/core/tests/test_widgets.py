from django import forms
from django.test.html import parse_html

from diaodu.core.widgets import FastSelect, fast_selects


class Form(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "甲 & 乙"), ("组", [("b", "丙")])])


def test_fast_select_renders_what_django_renders():
    form = Form({"kind": "b"})
    django_html = str(form["kind"])
    fast_selects(form)
    assert isinstance(form.fields["kind"].widget, FastSelect)
    fast_html = str(form["kind"])
    assert parse_html(fast_html) == parse_html(django_html)
    assert "甲 &amp; 乙" in fast_html and '<option value="b" selected>' in fast_html
