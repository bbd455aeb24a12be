from django.contrib import admin

from diaodu.meetings.models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "level", "chair"]
    list_filter = ["kind", "level"]
    search_fields = ["title", "place", "minutes", "decisions"]
    date_hierarchy = "date"
    autocomplete_fields = []
    filter_horizontal = ["attending_units", "attending_leaders", "programs", "regions", "projects"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
