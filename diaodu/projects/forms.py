"""Forms of the project editing pages.

They only read what was typed; whether it makes a valid change, and whether the user may make
it, is decided by the services (`diaodu.projects.services`), whose errors the views put back
beside each field. Each form shows only the fields of the parts the user may change.
"""

import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from diaodu.core.forms import style
from diaodu.core.limits import TEXT
from diaodu.core.widgets import fast_selects
from diaodu.org.choices import UnitKind
from diaodu.org.models import Leader, Unit
from diaodu.projects import services
from diaodu.projects.choices import Stage
from diaodu.projects.models import FundingLine, Milestone, Program, Project, merge_tags
from diaodu.projects.permissions import PROPOSAL_STAGES, parts_of_fields

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTHS = range(1, 13)
# What separates tags typed in one line: commas, 、 and semicolons.
TAG_SEPARATORS = re.compile(r"[,，、;；]+")


class TagsField(forms.CharField):
    """Tags typed in one line (数字经济、新基建), read as a list: each stripped, blanks and
    repeats left out; the model checks their length and number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", Project._meta.get_field("tags").verbose_name)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault(
            "help_text", _("Separate tags with 、 or commas; at most 10, each of 30 characters.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return merge_tags([], TAG_SEPARATORS.split(text)) if text else []


class ServiceForm(forms.ModelForm):
    """A model form that reads the typed values only; the service validates and saves."""

    model_name = ""  # the permissions' name of the model

    def __init__(self, *args, parts=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name in self._meta.fields and not any(
                options & parts for options in parts_of_fields(self.model_name, [name])
            ):
                del self.fields[name]
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE_INPUT
            if name in {"scope", "targets"}:
                field.widget = forms.Textarea(attrs={"rows": 3})
        fast_selects(self)
        style(self)

    def _post_clean(self):
        """The service validates the change."""

    def values(self) -> dict:
        """The typed values of the model's fields, as the service takes them."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self._meta.fields and name in self.fields
        }

    def put_back(self, error: ValidationError):
        """Show a service's errors beside their fields (or above the form)."""
        put_back(self, error)


def put_back(form, error: ValidationError):
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.message_dict.items():
        field = name if name in form.fields else None
        if name == NON_FIELD_ERRORS:
            field = None
        for message in errors:
            form.add_error(field, message)


class ProjectForm(ServiceForm):
    """A project's own fields: those of the parts the user may change."""

    model_name = "project"
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=200,
        help_text=_("Kept in the project's history."),
    )
    tags = TagsField()

    class Meta:
        model = Project
        fields = [
            "name",
            "national_code",
            "category",
            "tags",
            "region",
            "address",
            "latitude",
            "longitude",
            "owner",
            "lead_unit",
            "responsible_units",
            "leaders",
            "total_investment",
            "planned_start",
            "planned_completion",
            "scope",
            "stats_registered",
            "stats_registered_on",
            "stage",
            "actual_start",
            "actual_completion",
            "contact_person",
            "contact_phone",
        ]

    def __init__(self, *args, user, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Unit.objects.filter(kind=UnitKind.REGION)
        if creating:
            del self.fields["reason"]
        if not user.is_headquarters:
            regions = regions.filter(pk__in=user.scope_unit_ids)
            if creating:
                self.fields["region"].required = True
                self.fields["stage"] = forms.ChoiceField(
                    label=Project._meta.get_field("stage").verbose_name,
                    choices=[(s.value, s.label) for s in Stage if s in PROPOSAL_STAGES],
                    initial=Stage.PREPARATION,
                )
                style(self)
        if "region" in self.fields:
            self.fields["region"].queryset = regions
        if "responsible_units" in self.fields:
            self.fields["responsible_units"].queryset = Unit.objects.all()
        if "leaders" in self.fields:
            self.fields["leaders"].queryset = Leader.objects.all()


class MilestoneForm(ServiceForm):
    """A milestone's name, planned date and responsible unit (its plan)."""

    model_name = "milestone"

    class Meta:
        model = Milestone
        fields = ["name", "planned_date", "responsible_unit", "note"]


class MilestoneMetForm(ServiceForm):
    """A milestone met: when, and a photo or document showing it."""

    model_name = "milestone"

    class Meta:
        model = Milestone
        fields = ["actual_date", "evidence", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual_date"].required = True
        self.fields["evidence"].widget = forms.ClearableFileInput(
            attrs={"accept": "image/*,.pdf", "class": "form-control"}
        )
        self.fields["evidence"].help_text = _(
            "A photo (JPEG, PNG, WebP or GIF) or a PDF document showing the milestone was met."
        )

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if isinstance(upload, UploadedFile):  # a new file (else the one stored, or removed)
            return services.check_evidence(upload)
        return upload


class FundingLineForm(ServiceForm):
    """A source of funding: planned (region, headquarters), secured and disbursed (owner)."""

    model_name = "fundingline"

    class Meta:
        model = FundingLine
        fields = ["source", "planned", "secured", "disbursed", "note"]

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("source", None)
        elif project is not None and "source" in self.fields:
            taken = set(project.funding_lines.values_list("source", flat=True))
            field = self.fields["source"]
            field.choices = [(v, label) for v, label in field.choices if v not in taken]
            field.widget.choices = field.choices


class PlanForm(forms.Form):
    """A year's planned investment, target tasks and twelve monthly amounts."""

    planned_investment = forms.DecimalField(
        label=_("Planned investment (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Left blank, it is the sum of the months."),
    )
    targets = forms.CharField(
        label=_("Target tasks"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in MONTHS:
            self.fields[f"month_{month}"] = forms.DecimalField(
                label=_("Month %(month)d") % {"month": month},
                max_digits=14,
                decimal_places=2,
                min_value=0,
                required=False,
            )
        style(self)

    @property
    def month_fields(self):
        return [self[f"month_{month}"] for month in MONTHS]

    def months(self) -> dict:
        return {month: self.cleaned_data.get(f"month_{month}") or 0 for month in MONTHS}

    def put_back(self, error: ValidationError):
        put_back(self, error)


class MembershipForm(forms.Form):
    """Move a project in or out of a programme (动态调整), with the reason kept."""

    ADD, REMOVE = "add", "remove"

    action = forms.ChoiceField(
        choices=[(ADD, _("Add to the programme")), (REMOVE, _("Remove from the programme"))],
        widget=forms.HiddenInput,
    )
    program = forms.ModelChoiceField(label=_("Programme"), queryset=Program.objects.all())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Why the project moves in or out: kept in its history."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fast_selects(self)
        style(self)

    def put_back(self, error: ValidationError):
        put_back(self, error)
