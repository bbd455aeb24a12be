"""Forms of the reporting pages. Validation itself lives in the services."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import PhotoEvidenceFields, style
from diaodu.core.uploads import check_file_size, check_photo
from diaodu.reporting import widgets as fast
from diaodu.reporting.models import ProgressReport

# A cell of the fill page's row (label, input, errors), and an error in it; the white space is
# the template loop's that wrote them before.
CELL = '\n  <td><label class="form-label d-sm-none" for="{}">{}</label>{}{}</td>\n  '
ERROR = '<div class="text-danger small">{}</div>'


class ReportForm(forms.ModelForm):
    """The typed fields of a report, and the version the user loaded.

    Its inputs are written in Python (diaodu/reporting/widgets.py), the same HTML as Django's
    widget templates: the fill page shows seven of them on every row."""

    version = forms.IntegerField(widget=fast.HiddenInput, required=False)

    class Meta:
        model = ProgressReport
        fields = [
            "invested",
            "physical_percent",
            "workers",
            "physical_progress",
            "next_steps",
            "problems",
        ]
        widgets = {
            "invested": fast.NumberInput,
            "physical_percent": fast.NumberInput,
            "workers": fast.NumberInput,
            "physical_progress": fast.Textarea(attrs={"rows": 2}),
            "next_steps": fast.Textarea(attrs={"rows": 2}),
            "problems": fast.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        if period is not None and not period.carries_investment:
            del self.fields["invested"]  # a progress update: investment is reported monthly
        else:
            self.fields["invested"].required = False
        style(self)

    def cells(self) -> SafeString:
        """A fill page row's cell for each visible field: its label (shown on a phone, where
        the row is a card), its input and its errors. Written here rather than in a template
        loop, because the page repeats it on every row."""
        return mark_safe(
            "".join(
                CELL.format(
                    conditional_escape(field.id_for_label),
                    conditional_escape(capfirst(str(field.label))),
                    field,
                    "".join(ERROR.format(conditional_escape(error)) for error in field.errors),
                )
                for field in self.visible_fields()
            )
        )

    def values(self) -> dict:
        """The raw typed values, for the service to check and keep as typed on error."""
        return {
            name: self.data.get(self.add_prefix(name), "")
            for name in self.Meta.fields
            if name in self.fields
        }


class PhotoForm(PhotoEvidenceFields):
    image = forms.ImageField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_image(self):
        return check_photo(self.cleaned_data["image"])


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        return check_file_size(self.cleaned_data["file"])
