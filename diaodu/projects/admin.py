from django.contrib import admin, messages

from diaodu.core.admin import RecordedAdmin
from diaodu.projects.models import (
    AnnualPlan,
    Approval,
    FundingLine,
    Milestone,
    PlanMonth,
    Program,
    Project,
)


@admin.register(Program)
class ProgramAdmin(RecordedAdmin):
    list_display = ["name", "year", "level", "cadence", "batch"]
    list_filter = ["year", "level", "cadence"]
    search_fields = ["name", "code"]


class AnnualPlanInline(admin.TabularInline):
    model = AnnualPlan
    extra = 0
    show_change_link = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    autocomplete_fields = ["responsible_unit"]


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    autocomplete_fields = ["responsible_department"]


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(RecordedAdmin):
    list_display = ["name", "region", "stage", "category", "total_investment", "owner"]
    list_filter = ["stage", "category", "region", "programs"]
    search_fields = ["name", "national_code"]
    list_select_related = ["region", "owner"]
    autocomplete_fields = ["region", "owner", "lead_unit", "responsible_units", "leaders"]
    filter_horizontal = ["programs"]
    inlines = [AnnualPlanInline, MilestoneInline, ApprovalInline, FundingLineInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in obj.national_code_warnings:
            messages.warning(request, warning)


class PlanMonthInline(admin.TabularInline):
    model = PlanMonth
    extra = 0


@admin.register(AnnualPlan)
class AnnualPlanAdmin(RecordedAdmin):
    list_display = ["project", "year", "planned_investment"]
    list_filter = ["year"]
    search_fields = ["project__name"]
    autocomplete_fields = ["project"]
    inlines = [PlanMonthInline]
