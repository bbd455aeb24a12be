from django.contrib import admin

from diaodu.exchange.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are made on the import page; the administration only looks at them."""

    list_display = ["original_name", "created_by", "created_at", "status", "done", "total"]
    list_filter = ["status"]
    search_fields = ["original_name", "created_by__username"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False
