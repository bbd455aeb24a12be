"""The import form: the file, and how to read it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from diaodu.core.limits import FIRST_YEAR, LAST_YEAR
from diaodu.core.uploads import check_file_size
from diaodu.org.permissions import is_headquarters
from diaodu.projects.models import Program

EXTENSIONS = (".xlsx", ".xlsm", ".csv")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"), help_text=_("An Excel workbook (.xlsx) or a CSV file.")
    )
    program = forms.ModelChoiceField(
        label=_("Add to programme"),
        queryset=Program.objects.none(),
        required=False,
        help_text=_("Every project in the file is added to this programme."),
    )
    year = forms.IntegerField(
        label=_("Year of the annual plan"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("For a column 年度计划投资 without a year; a programme's year wins."),
    )
    create_missing = forms.BooleanField(
        label=_("Create unknown units and leaders"),
        required=False,
        help_text=_("Otherwise every unknown name is reported and nothing is imported."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].initial = this_year
        self.fields["program"].queryset = Program.objects.filter(year__gte=this_year - 1)
        if not is_headquarters(user):
            del self.fields["create_missing"]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "create_missing" else "form-control"
            if name == "program":
                css = "form-select"
            field.widget.attrs.setdefault("class", css)
        self.fields["file"].widget.attrs["accept"] = ",".join(EXTENSIONS)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(
                _("Choose an Excel workbook (.xlsx) or a CSV file; this is “%(name)s”."),
                params={"name": uploaded.name},
            )
        return check_file_size(uploaded)
