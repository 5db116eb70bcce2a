"""The admin's base for records that only services may write."""

from django.contrib import admin

from .models import UsedFormToken


class RecordAdmin(admin.ModelAdmin):
    """Read-only in the admin: dossiers, nominations, awards, the audit trail and every record a service
    writes (with its checks, its audit event and its notifications) are changed through the web pages,
    the API or a management command, never by editing a row. The superuser reads them here."""

    show_full_result_count = False  # a count over millions of nominations or events on every page

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UsedFormToken)
class UsedFormTokenAdmin(RecordAdmin):
    list_display = ["id", "user", "used_at"]
    list_select_related = ["user"]
