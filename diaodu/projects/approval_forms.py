"""The approval form: only the fields the user may change (diaodu.projects.approvals)."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

from diaodu.core.forms import style
from diaodu.core.widgets import light_choices
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects.approvals import ALL_FIELDS, check_attachment
from diaodu.projects.models import Approval

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApprovalForm(forms.ModelForm):
    """Reads what was typed; the service checks it and says what is wrong, field by field."""

    class Meta:
        model = Approval
        fields = list(ALL_FIELDS)
        widgets = {
            "planned_date": DATE_INPUT,
            "applied_on": DATE_INPUT,
            "completed_on": DATE_INPUT,
        }

    def __init__(self, *args, fields=ALL_FIELDS, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        department = self.fields.get("responsible_department")
        if department is not None:
            department.queryset = Unit.objects.filter(kind=UnitKind.DEPARTMENT)
            light_choices(department, ("name",), lambda name: name)
        if "attachment" in self.fields:
            self.fields["attachment"].widget.attrs["accept"] = ".pdf,.ofd,image/jpeg,image/png"
        style(self)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if isinstance(upload, UploadedFile):
            return check_attachment(upload)
        return upload

    def _post_clean(self):
        """The service validates the approval; the form only reads the values typed."""

    def changes(self) -> dict:
        """The fields the user changed, as the service takes them."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
