from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from core.admin import RecordAdmin

from .models import (
    Collective, FrontRecordChange, Household, HouseholdChange, HouseholdImport, Membership, MembershipChange, Person, Unit,
)


@admin.register(Unit)
class UnitAdmin(GuardedModelAdmin):
    """Units are master data without a service: the superuser adds them (a reorganisation adds new rows with
    their dates) and sets an end date, with guardian's object-permission pages. A unit is never re-parented
    (its path and every dossier's copy of it would go stale), so the parent is fixed once saved."""

    list_display = ["name", "level", "kind", "code", "valid_from", "valid_to", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["parent", "level"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(RecordAdmin):
    list_display = ["code", "head_name", "hamlet", "members", "active"]
    list_filter = ["active"]
    search_fields = ["code", "head_name"]
    list_select_related = ["hamlet"]


@admin.register(Membership)
class MembershipAdmin(RecordAdmin):
    list_display = ["user", "role", "unit", "since", "until"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]
    list_select_related = ["user", "unit"]


@admin.register(HouseholdChange)
class HouseholdChangeAdmin(RecordAdmin):
    list_display = ["at", "household", "action", "actor", "role", "unit"]
    list_filter = ["action"]
    list_select_related = ["household", "actor", "unit"]


@admin.register(MembershipChange)
class MembershipChangeAdmin(RecordAdmin):
    list_display = ["at", "membership", "action", "actor", "role", "unit"]
    list_filter = ["action"]
    list_select_related = ["membership__user", "membership__unit", "actor", "unit"]


@admin.register(HouseholdImport)
class HouseholdImportAdmin(RecordAdmin):
    list_display = ["created_at", "source", "hamlet", "actor", "rows", "status"]
    list_filter = ["status"]
    list_select_related = ["hamlet", "actor"]


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    list_display = ["full_name", "birth_year", "unit", "valid_from", "valid_to"]
    search_fields = ["full_name"]
    list_select_related = ["unit"]


@admin.register(Collective)
class CollectiveAdmin(RecordAdmin):
    list_display = ["name", "kind", "unit", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["unit"]


@admin.register(FrontRecordChange)
class FrontRecordChangeAdmin(RecordAdmin):
    list_display = ["at", "action", "person", "collective", "actor", "role", "unit"]
    list_select_related = ["person", "collective", "actor", "unit"]
