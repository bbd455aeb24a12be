from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from diaodu.core.admin import RecordedAdmin
from diaodu.org.models import AuditEvent, Leader, Unit, User


@admin.register(Unit)
class UnitAdmin(RecordedAdmin):
    list_display = ["name", "short_name", "kind", "parent", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Leader)
class LeaderAdmin(RecordedAdmin):
    list_display = ["name", "title", "level", "unit", "user"]
    list_filter = ["level"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["unit", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "unit", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    actions = ["require_password_change"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Unit and role"), {"fields": ["unit", "role", "phone", "must_change_password"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Unit and role"), {"fields": ["unit", "role"]}),
    ]

    @admin.action(description=_("Require a password change at the next request"))
    def require_password_change(self, request, queryset):
        count = queryset.update(must_change_password=True)
        message = _("Users who must change their password: %(count)d.") % {"count": count}
        self.message_user(request, message)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read only: nobody adds, changes or deletes an event by hand."""

    list_display = ["at", "kind", "username", "address", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "address", "detail", "request_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
