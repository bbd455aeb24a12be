from django.contrib import admin

from diaodu.core.admin import RecordedAdmin
from diaodu.inspections.models import Inspection, InspectionPhoto


class InspectionPhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(RecordedAdmin):
    """For corrections by headquarters: inspections are recorded on the pages and the API."""

    list_display = [
        "date",
        "project",
        "inspectors",
        "rating",
        "reported_percent",
        "verified_percent",
        "progress_gap",
    ]
    list_filter = ["rating", "project__region"]
    search_fields = ["project__name", "inspectors", "findings"]
    list_select_related = ["project"]
    date_hierarchy = "date"
    autocomplete_fields = ["project"]
    raw_id_fields = ["report"]
    readonly_fields = ["progress_gap", "recorded_by", "created_at", "updated_at"]
    inlines = [InspectionPhotoInline]
