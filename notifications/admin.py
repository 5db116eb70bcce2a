"""Read-only views of the outbox for administrators: what was sent, what failed and why."""

from django.contrib import admin

from core.admin import RecordAdmin as ReadOnly

from .models import ChannelPreference, DeadlineAlert, Delivery, Notification


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(ReadOnly):
    """Each user sets their own channels on the preferences page."""

    list_display = ["user", "email", "sms"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "address", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["created_at", "kind", "recipient", "household", "status", "text"]
    list_filter = ["status", "kind"]
    search_fields = ["text", "recipient__username", "household__code"]
    list_select_related = ["recipient", "household"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["created_at", "channel", "address", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "channel"]


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(ReadOnly):
    list_display = ["created_at", "kind", "case", "state", "due_on", "period", "unit"]
    list_filter = ["kind"]
    list_select_related = ["case", "unit"]
