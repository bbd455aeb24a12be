from django import forms
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import style
from diaodu.core.limits import MINUTES, TEXT, validate_year
from diaodu.core.uploads import check_file_size
from diaodu.meetings.models import Meeting
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit
from diaodu.projects.models import Project

MINUTES_EXTENSIONS = (".txt", ".docx")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "date",
            "place",
            "level",
            "chair",
            "attending_leaders",
            "attending_units",
            "programs",
            "regions",
            "projects",
            "decisions",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attending_leaders": forms.SelectMultiple(attrs={"size": 5}),
            "attending_units": forms.SelectMultiple(attrs={"size": 6}),
            "programs": forms.SelectMultiple(attrs={"size": 4}),
            "regions": forms.SelectMultiple(attrs={"size": 4}),
            "projects": forms.SelectMultiple(attrs={"size": 6}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Unit.objects.filter(kind=UnitKind.REGION)
        if user is not None:
            self.fields["projects"].queryset = Project.objects.visible_to(user).order_by("name")
        self.fields["programs"].help_text = _(
            "Leave programmes, regions and projects empty to cover every project."
        )
        style(self)


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=MINUTES,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    file = forms.FileField(
        label=_("Or upload the minutes (.txt or .docx)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and not upload.name.lower().endswith(MINUTES_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .txt or .docx file."))
        return check_file_size(upload) if upload else upload

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file") and not self.errors:
            raise forms.ValidationError(_("Paste the minutes or upload a file."))
        return data


class DraftTaskForm(forms.Form):
    """One draft task from the minutes, as the reviewer corrects it."""

    include = forms.BooleanField(label=_("Create"), required=False)
    content = forms.CharField(
        label=_("Task"), required=False, max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    project = forms.TypedChoiceField(
        label=_("Project"), required=False, coerce=int, empty_value=None
    )
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"), required=False, coerce=int, empty_value=None
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        validators=[validate_year],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sentence = forms.CharField(required=False, max_length=MINUTES, widget=forms.HiddenInput)
    # What the draft proposed, kept to learn from the reviewer's corrections.
    draft_project = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, widget=forms.HiddenInput
    )
    draft_unit = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, widget=forms.HiddenInput
    )
    draft_deadline = forms.DateField(
        required=False, validators=[validate_year], widget=forms.HiddenInput
    )
    project_written = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    unit_written = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, project_choices=(), unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are computed once for the whole formset, not once per row.
        self.fields["project"].choices = [("", "—")] + list(project_choices)
        self.fields["lead_unit"].choices = [("", "—")] + list(unit_choices)
        self.fields["draft_project"].choices = self.fields["project"].choices
        self.fields["draft_unit"].choices = self.fields["lead_unit"].choices
        style(self)

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        if not (data.get("content") or "").strip():
            self.add_error("content", _("Write what is to be done."))
        if data.get("lead_unit") is None and "lead_unit" not in self.errors:
            self.add_error("lead_unit", _("Choose the lead unit."))
        if data.get("deadline") is None and "deadline" not in self.errors:
            self.add_error("deadline", _("Give a deadline."))
        return data


DraftTaskFormSet = forms.formset_factory(DraftTaskForm, extra=0, max_num=200, absolute_max=200)


class AliasForm(forms.Form):
    """A name the corrections revealed, to add to a unit's aliases."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    alias = forms.CharField(max_length=100, widget=forms.HiddenInput)
