"""Administration of the channels beyond the bell: units' robots, people's choices, the outbox."""

from django.contrib import admin

from diaodu.notifications.models import ChannelChoice, Delivery, UnitRobot


@admin.register(UnitRobot)
class UnitRobotAdmin(admin.ModelAdmin):
    list_display = ["unit", "channel", "active"]
    list_filter = ["channel", "active"]
    search_fields = ["unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(ChannelChoice)
class ChannelChoiceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "quiet_from", "quiet_until", "digest"]
    search_fields = ["user__username", "user__last_name"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "target_label", "status", "attempts"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
