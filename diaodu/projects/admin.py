"""The administration of programmes and projects.

Projects and their milestones, funding lines, annual plans and monthly amounts are written
through the project services, approvals through theirs, like every other write: checked,
recorded and relit. Moving a project in or out of a programme asks for a reason here too.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from diaodu.core.admin import RecordedAdmin
from diaodu.core.limits import NOTE
from diaodu.core.services import do_delete, do_save
from diaodu.projects import approvals, services
from diaodu.projects.forms import TagsField
from diaodu.projects.models import (
    ZERO,
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    Program,
    Project,
)


@admin.register(Program)
class ProgramAdmin(RecordedAdmin):
    list_display = ["name", "year", "level", "cadence", "batch"]
    list_filter = ["year", "level", "cadence"]
    search_fields = ["name", "code"]


class AnnualPlanInlineForm(forms.ModelForm):
    """A plan's year and investment; its months are edited on the plan's own page."""

    class Meta:
        model = AnnualPlan
        fields = ["year", "planned_investment", "targets"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "year" in self.changed_data:
            self.add_error("year", _("The year of a plan cannot change; add a plan for that year."))
        planned = cleaned.get("planned_investment")
        total = self.instance.months_total() if self.instance.pk else ZERO
        if planned is not None and total and total != planned:
            self.add_error("planned_investment", services.months_mismatch(total, planned))
        return cleaned


class AnnualPlanInline(admin.TabularInline):
    model = AnnualPlan
    form = AnnualPlanInlineForm
    extra = 0
    show_change_link = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    autocomplete_fields = ["responsible_unit"]
    exclude = ["baseline_date"]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    autocomplete_fields = ["responsible_department"]


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


class ProjectAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=NOTE,
        help_text=_("Needed when the project moves in or out of a programme."),
    )
    tags = TagsField()  # one line, 、 between

    class Meta:
        model = Project
        fields = "__all__"  # noqa: DJ007 (the admin lists the fields itself)

    def clean(self):
        cleaned = super().clean()
        if "programs" in self.changed_data and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the project moves in or out of a programme."))
        return cleaned


def _values(form, fields) -> dict:
    """What the admin form changed, by field name, as the services take it."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}


def _save_part(actor, obj, form):
    """One inline row (or a plan's month) through the service of its kind."""
    if isinstance(obj, Milestone):
        values = _values(form, services.MILESTONE_FIELDS)
        if obj._state.adding:
            return services.do_add_milestone(actor, obj.project, values)
        return services.do_update_milestone(actor, obj, values)
    if isinstance(obj, FundingLine):
        values = _values(form, services.FUNDING_FIELDS)
        if obj._state.adding:
            return services.do_add_funding_line(actor, obj.project, values)
        return services.do_update_funding_line(actor, obj, values)
    if isinstance(obj, AnnualPlan):
        values = _values(form, services.PLAN_FIELDS)
        return services.do_save_annual_plan(actor, obj.project, obj.year, values)
    if isinstance(obj, Approval):
        values = _values(form, approvals.ALL_FIELDS)
        if obj._state.adding:
            return approvals.do_create_approval(actor, obj.project, **values)
        return approvals.do_update_approval(actor, obj, **values)
    return do_save(actor, obj, validate=False)


def _delete_part(actor, obj):
    if isinstance(obj, Milestone):
        return services.do_delete_milestone(actor, obj)
    if isinstance(obj, FundingLine):
        return services.do_delete_funding_line(actor, obj)
    if isinstance(obj, AnnualPlan):
        return services.do_delete_annual_plan(actor, obj)
    return do_delete(actor, obj)


@admin.register(Project)
class ProjectAdmin(RecordedAdmin):
    form = ProjectAdminForm
    list_display = ["name", "region", "stage", "category", "total_investment", "owner"]
    list_filter = ["stage", "category", "region", "programs"]
    search_fields = ["name", "national_code"]
    list_select_related = ["region", "owner"]
    autocomplete_fields = ["region", "owner", "lead_unit", "responsible_units", "leaders"]
    filter_horizontal = ["programs"]
    inlines = [AnnualPlanInline, MilestoneInline, ApprovalInline, FundingLineInline]

    def save_model(self, request, obj, form, change):
        values = _values(form, services.PROJECT_FIELDS)
        reason = form.cleaned_data.get("reason", "")
        if change:
            services.do_update_project(request.user, obj, values, reason=reason)
        else:
            created = services.do_create_project(request.user, values, reason=reason)
            obj.pk, obj._state.adding = created.pk, False
        for warning in obj.national_code_warnings:
            messages.warning(request, warning)

    def save_related(self, request, form, formsets, change):
        """The project's own many-to-many fields were saved by the service."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Milestones and funding lines through their services (approvals through theirs)."""
        objects = formset.save(commit=False)
        forms_by_object = {id(f.instance): f for f in formset.forms}
        for obj in objects:
            _save_part(request.user, obj, forms_by_object[id(obj)])
        for obj in formset.deleted_objects:
            _delete_part(request.user, obj)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.do_delete_project(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.do_delete_project(request.user, obj)


MONTHS = range(1, 13)


class AnnualPlanAdminForm(forms.ModelForm):
    """A plan with its twelve monthly amounts, which must add up to the planned investment."""

    class Meta:
        model = AnnualPlan
        fields = ["project", "year", "planned_investment", "targets"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_investment"].required = False
        months = {}
        if self.instance.pk:
            months = {m.month: m.planned_investment for m in self.instance.months.all()}
        for month in MONTHS:
            self.fields[f"month_{month}"] = forms.DecimalField(
                label=_("Month %(month)d (10k yuan)") % {"month": month},
                max_digits=14,
                decimal_places=2,
                min_value=0,
                required=False,
                initial=months.get(month),
            )

    def months(self) -> dict:
        return {m: self.cleaned_data.get(f"month_{m}") or 0 for m in MONTHS}

    def clean(self):
        cleaned = super().clean()
        total = sum(self.months().values(), ZERO)
        planned = cleaned.get("planned_investment")
        if planned is None:
            cleaned["planned_investment"] = total
        elif total and planned != total:
            self.add_error("planned_investment", services.months_mismatch(total, planned))
        return cleaned


@admin.register(AnnualPlan)
class AnnualPlanAdmin(RecordedAdmin):
    form = AnnualPlanAdminForm
    list_display = ["project", "year", "planned_investment"]
    list_filter = ["year"]
    search_fields = ["project__name"]
    autocomplete_fields = ["project"]

    def get_readonly_fields(self, request, obj=None):
        return ["project", "year"] if obj else []

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in services.PLAN_FIELDS}
        values["targets"] = values["targets"] or ""
        saved = services.do_save_annual_plan(
            request.user, obj.project, obj.year, values, months=form.months()
        )
        obj.pk, obj._state.adding = saved.pk, False

    def delete_model(self, request, obj):
        services.do_delete_annual_plan(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.do_delete_annual_plan(request.user, obj)
