"""Admin that writes through the recording services, so admin edits appear in the history."""

from django.contrib import admin

from diaodu.core.history import m2m_snapshot
from diaodu.core.models import ChangeRecord
from diaodu.core.services import do_delete, do_record_m2m, do_save


class RecordedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        do_save(request.user, obj, validate=False)

    def delete_model(self, request, obj):
        do_delete(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            do_delete(request.user, obj)

    def save_related(self, request, form, formsets, change):
        before = m2m_snapshot(form.instance) if change else {}
        super().save_related(request, form, formsets, change)
        if change and before:
            do_record_m2m(request.user, form.instance, before)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            do_save(request.user, obj, validate=False)
        for obj in formset.deleted_objects:
            do_delete(request.user, obj)
        formset.save_m2m()


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "project"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr"]
    list_select_related = ["actor", "project"]
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
