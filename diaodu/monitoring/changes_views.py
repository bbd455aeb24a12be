"""What changed between two months (`/changes/?from=2026-09&to=2026-10` and `/api/changes/`):
the lights as they were at the close of the first and of the second month (or today, while it
runs), and what happened in between, for the projects the reader sees."""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response

from diaodu.core.limits import YEARS
from diaodu.projects.models import Project
from diaodu.reporting import changes, snapshots


class MonthsForm(forms.Form):
    """Two months, the first before the second; by default last month and this one."""

    start = forms.CharField(label=gettext_lazy("From"), max_length=7, required=False)
    end = forms.CharField(label=gettext_lazy("To"), max_length=7, required=False)

    def __init__(self, data, today: date):
        data = {"start": data.get("from", ""), "end": data.get("to", "")}
        super().__init__(data)
        self.today = today

    def _month(self, name, default):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return default
        month = snapshots.parse_month(text)  # a ValidationError, in Chinese, if it is not one
        if month.year not in YEARS:
            raise forms.ValidationError(
                _("“%(value)s” is not a month; write it as 2026-10.") % {"value": text}
            )
        return month

    def clean_start(self):
        return self._month("start", snapshots.last_closed_month(self.today))

    def clean_end(self):
        return self._month("end", snapshots.first_of(self.today))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start >= end:
                raise forms.ValidationError(_("The first month must come before the second."))
            if end > snapshots.first_of(self.today):
                raise forms.ValidationError(_("The second month has not begun."))
        return cleaned


def _changes(user, form, today) -> changes.Changes:
    start = snapshots.last_of(form.cleaned_data["start"])
    end = min(snapshots.last_of(form.cleaned_data["end"]), today)
    return changes.between(Project.objects.visible_to(user), start, end, today)


@login_required
def changes_page(request):
    today = timezone.localdate()
    form = MonthsForm(request.GET, today)
    found = _changes(request.user, form, today) if form.is_valid() else None
    return render(
        request,
        "dashboard/changes.html",
        {"form": form, "changes": found, "months": snapshots.months_kept()},
    )


@extend_schema(
    parameters=[
        OpenApiParameter("from", OpenApiTypes.STR, description="First month, 2026-09."),
        OpenApiParameter("to", OpenApiTypes.STR, description="Second month, 2026-10."),
    ],
    responses=OpenApiTypes.OBJECT,
)
@api_view(["GET"])
def changes_api(request):
    """What changed between two months for the projects the caller sees (as `/changes/`)."""
    today = timezone.localdate()
    form = MonthsForm(request.query_params, today)
    if not form.is_valid():
        errors = {
            {"start": "from", "end": "to"}.get(k, k): [str(m) for m in v]
            for k, v in form.errors.items()
        }
        raise APIValidationError(errors)
    return Response(_changes(request.user, form, today).as_dict())
