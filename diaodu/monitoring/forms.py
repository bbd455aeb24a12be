"""The backward-scheduling form: the template to lay back and the target date it ends on."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import style
from diaodu.core.limits import validate_year
from diaodu.projects.schedule import TEMPLATE_NAMES


class ScheduleForm(forms.Form):
    """Read from the query string to preview and from the body to apply: an unknown template or
    a date that is no date is refused with the field named, never replaced by another."""

    target = forms.DateField(label=_("Target date"), validators=[validate_year])
    template = forms.ChoiceField(label=_("Template"), choices=list(TEMPLATE_NAMES.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
