"""Forms of the reporting pages. Validation itself lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import PhotoEvidenceFields, style
from diaodu.core.uploads import check_file_size, check_photo
from diaodu.reporting.models import ProgressReport


class ReportForm(forms.ModelForm):
    """The typed fields of a report, and the version the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
            "physical_progress": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "problems": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        if period is not None and not period.carries_investment:
            del self.fields["invested"]  # a progress update: investment is reported monthly
        else:
            self.fields["invested"].required = False
        style(self)

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
