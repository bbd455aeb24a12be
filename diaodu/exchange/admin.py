from django.contrib import admin

from diaodu.exchange.models import ColumnMapping, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are made on the import page; the administration only looks at them."""

    list_display = ["original_name", "created_by", "created_at", "status", "done", "total"]
    list_filter = ["status"]
    search_fields = ["original_name", "created_by__username"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Corrections are made on the dry run; here a wrong one can be looked at and deleted."""

    list_display = ["__str__", "updated_by", "updated_at"]
    readonly_fields = ["signature", "headers", "fields", "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False
