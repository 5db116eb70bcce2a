"""Read-only API over administrative units and households, limited to what the caller may see."""

from django_filters import rest_framework as filters
from guardian.shortcuts import get_objects_for_user
from rest_framework import serializers, viewsets

from core.api import LOOKUP_ID, Pagination
from core.filters import FilterBackend, FilterSet

from .models import Household, Level, Unit
from .selectors import visible_q


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "level", "kind", "code", "name", "parent", "path", "valid_from", "valid_to", "note"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "hamlet", "code", "head_name", "address", "members", "phone", "active"]
        read_only_fields = fields

    def get_phone(self, household) -> str:
        # A phone number is personal data: only roles holding see_household_phone
        # on the hamlet or above get it.
        paths = self.context.get("phone_paths", ())
        return household.phone if any(household.hamlet.path.startswith(p) for p in paths) else ""


class UnitFilter(FilterSet):
    level = filters.ChoiceFilter(choices=Level.choices)

    class Meta:
        model = Unit
        fields = ["level", "parent", "code"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    queryset = Unit.objects.none()  # for the schema only: get_queryset applies visibility
    serializer_class = UnitSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = UnitFilter

    def get_queryset(self):
        return Unit.objects.filter(visible_q(self.request, "path")).order_by("path")


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = LOOKUP_ID
    queryset = Household.objects.none()  # for the schema only: get_queryset applies visibility
    serializer_class = HouseholdSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_fields = ["hamlet", "code", "active"]

    def get_queryset(self):
        return (
            Household.objects.filter(visible_q(self.request, "hamlet__path"))
            .select_related("hamlet").order_by("hamlet_id", "code")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["phone_paths"] = list(
            get_objects_for_user(self.request.user, "directory.see_household_phone", klass=Unit,
                                 accept_global_perms=False).values_list("path", flat=True)
        )
        return context
